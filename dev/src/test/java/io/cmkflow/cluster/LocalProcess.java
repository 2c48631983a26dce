package io.cmkflow.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A process a test starts (a compose service run without its container, a worker JVM): a command with exactly the
 * environment given (nothing inherited but what the caller copies in), output appended to a log file.
 * {@link #kill()} is SIGKILL: no shutdown hook, no graceful stop.
 */
public final class LocalProcess implements AutoCloseable {
    private final String name;
    private final Process process;
    private final Path log;

    private LocalProcess(String name, Process process, Path log) {
        this.name = name;
        this.process = process;
        this.log = log;
    }

    public static LocalProcess start(String name, List<String> command, Map<String, String> environment, Path workDir, Path log) {
        try {
            Files.createDirectories(log.toAbsolutePath().getParent());
            ProcessBuilder builder = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            builder.environment().clear();
            builder.environment().putAll(environment);
            Process process = builder.start();
            process.getOutputStream().close();
            return new LocalProcess(name, process, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start " + name + ": " + command, e);
        }
    }

    /** Runs a one-shot process (a compose service that completes) and fails with its log's tail unless it exits 0. */
    static void run(String name, List<String> command, Map<String, String> environment, Path workDir, Path log,
                    Duration within) {
        try (LocalProcess process = start(name, command, environment, workDir, log)) {
            if (!process.process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError(name + " did not finish within " + within + ": " + process.tail());
            }
            if (process.process.exitValue() != 0) {
                throw new AssertionError(name + " exited " + process.process.exitValue() + ": " + process.tail());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Waits until {@code ready} holds, failing with the log's tail if the process exits first or time runs out. */
    public LocalProcess awaitReady(String what, Duration within, BooleanSupplier ready) {
        Instant giveUp = Instant.now().plus(within);
        while (Instant.now().isBefore(giveUp)) {
            if (ready.getAsBoolean()) {
                return this;
            }
            if (!process.isAlive()) {
                throw new AssertionError(name + " exited (" + process.exitValue() + ") before " + what + ": " + tail());
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
        throw new AssertionError(name + ": no " + what + " within " + within + ": " + tail());
    }

    public String name() {
        return name;
    }

    public long pid() {
        return process.pid();
    }

    public boolean alive() {
        return process.isAlive();
    }

    public String logText() {
        try {
            return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
        } catch (IOException e) {
            return "";
        }
    }

    /** SIGKILL, and waits until the process is gone. */
    public void kill() {
        process.destroyForcibly();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                throw new AssertionError(name + " (" + process.pid() + ") did not die");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private String tail() {
        String text = logText();
        return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
    }
}
