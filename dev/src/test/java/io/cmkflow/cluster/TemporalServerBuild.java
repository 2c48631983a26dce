package io.cmkflow.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The Temporal server binaries {@code dev/cluster/install-temporal-server} builds once from {@code go.temporal.io/server}
 * at the compose image's version and caches per user (the script prints the folder).
 */
final class TemporalServerBuild {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);

    private TemporalServerBuild() {
    }

    /** The folder with {@code temporal-server}, {@code temporal-sql-tool} and {@code schema/} for {@code version}. */
    static synchronized Path directory(String version) {
        Path script = TemporalCluster.PROJECT.resolve("dev/cluster/install-temporal-server");
        try {
            Path log = Files.createTempFile("install-temporal-server", ".log");
            Process process = new ProcessBuilder(List.of(script.toString())).redirectError(log.toFile()).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (!process.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0) {
                throw new AssertionError(script + " failed: " + Files.readString(log));
            }
            Path dir = Path.of(out);
            if (!dir.getFileName().toString().equals("temporal-server-v" + version)) {
                throw new AssertionError(script + " built " + dir + ", not the compose image's version " + version);
            }
            return dir;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}
