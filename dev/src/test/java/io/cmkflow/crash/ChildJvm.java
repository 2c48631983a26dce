package io.cmkflow.crash;

import io.cmkflow.cluster.LocalProcess;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A JVM started from the test JVM's classpath (surefire's {@code java.class.path}: the real classpath, or its
 * manifest-only booter jar, whose Class-Path the child JVM follows the same way), with this JVM's environment plus the
 * given variables, output to a log file. {@link #kill()} is SIGKILL on Linux: no shutdown hook, no graceful stop.
 */
final class ChildJvm implements AutoCloseable {
    private final LocalProcess process;

    private ChildJvm(LocalProcess process) {
        this.process = process;
    }

    static ChildJvm start(String mainClass, List<String> args, Map<String, String> systemProperties,
                          Map<String, String> environment, Path log) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx384m");
        command.add("-XX:TieredStopAtLevel=1");
        command.add("-XX:+UseSerialGC");
        systemProperties.forEach((k, v) -> command.add("-D" + k + "=" + v));
        command.add("-cp");
        command.add(System.getProperty("java.class.path"));
        command.add(mainClass);
        command.addAll(args);
        Map<String, String> inherited = new HashMap<>(System.getenv());
        inherited.putAll(environment);
        return new ChildJvm(LocalProcess.start(mainClass, command, inherited, Path.of("").toAbsolutePath(), log));
    }

    /** Waits until the log shows {@code marker} (the child is up), failing with the log's tail if it exits first. */
    ChildJvm awaitLog(String marker, Duration within) {
        process.awaitReady("'" + marker + "'", within, () -> process.logText().contains(marker));
        return this;
    }

    String logText() {
        return process.logText();
    }

    boolean alive() {
        return process.alive();
    }

    /** SIGKILL, and waits until the process is gone. */
    void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }
}
