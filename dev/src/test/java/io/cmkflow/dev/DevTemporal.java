package io.cmkflow.dev;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.workflow.CmkSearchAttributes;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;

/**
 * The Temporal CLI's dev server as the test stack's Temporal server ({@code CmkStack.builder().temporalServer(
 * DevTemporal::start)}): cmkflow's search attributes, free ports, headless, its state (SQLite file) under target/.
 */
public final class DevTemporal implements CmkStack.TemporalServer {
    private final Path binary;
    private final TemporalDevServer devServer;

    private DevTemporal(Path binary, TemporalDevServer devServer) {
        this.binary = binary;
        this.devServer = devServer;
    }

    public static DevTemporal start() {
        Path stateDir;
        try {
            stateDir = Files.createDirectories(Path.of("target", "temporal-dev-server", UUID.randomUUID().toString())
                    .toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Path binary = TemporalCli.forProject().binary();
        return new DevTemporal(binary, TemporalDevServer.start(TemporalDevServer.Options.builder()
                .binary(binary).stateDir(stateDir).port(FreePorts.next()).uiPort(FreePorts.next())
                .headless(true).searchAttributes(CmkSearchAttributes.cliTypes()).startTimeout(Duration.ofSeconds(60))));
    }

    /** The dev server {@code stack} runs: its target, kill, restart, state directory. */
    public static TemporalDevServer devServer(CmkStack stack) {
        return stack.temporalServer(DevTemporal.class).devServer;
    }

    /** The Temporal CLI against the dev server {@code stack} runs. */
    public static TemporalCliRunner temporalCli(CmkStack stack) {
        DevTemporal server = stack.temporalServer(DevTemporal.class);
        return new TemporalCliRunner(server.binary, server.devServer.target());
    }

    @Override
    public String target() {
        return devServer.target();
    }

    @Override
    public void close() {
        devServer.close();
    }
}
