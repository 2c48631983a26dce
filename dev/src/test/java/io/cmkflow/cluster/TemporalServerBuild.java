package io.cmkflow.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * What {@code dev/cluster/install-temporal-server} builds once from the Go modules behind compose's Temporal images and
 * caches per user: {@code server} holds {@code temporal-server}, {@code temporal-sql-tool} and {@code schema/};
 * {@code ui} holds {@code ui-server} and {@code config/docker.yaml}.
 */
record TemporalServerBuild(Path server, Path ui) {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);

    /** Runs the script (a no-op once built) and checks it built the versions {@code compose} names. */
    static synchronized TemporalServerBuild forCompose(ComposeFile compose) {
        Path script = TemporalCluster.PROJECT.resolve("dev/cluster/install-temporal-server");
        try {
            Path log = Files.createTempFile("install-temporal-server", ".log");
            Process process = new ProcessBuilder(List.of(script.toString())).redirectError(log.toFile()).start();
            process.getOutputStream().close();
            List<String> out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
            if (!process.waitFor(BUILD_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS) || process.exitValue() != 0 || out.size() != 2) {
                throw new AssertionError(script + " failed: " + out + " " + Files.readString(log));
            }
            TemporalServerBuild build = new TemporalServerBuild(Path.of(out.get(0)), Path.of(out.get(1)));
            expect(build.server(), "temporal-server-v" + compose.service("temporal").imageTag());
            expect(build.ui(), "temporal-ui-v" + compose.service("temporal-ui").imageTag());
            return build;
        } catch (IOException e) {
            throw new AssertionError("cannot run " + script, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    private static void expect(Path built, String name) {
        if (!built.getFileName().toString().equals(name)) {
            throw new AssertionError("install-temporal-server built " + built + ", not compose's " + name);
        }
    }
}
