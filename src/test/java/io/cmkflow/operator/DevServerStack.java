package io.cmkflow.operator;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.local.FreePorts;
import io.cmkflow.local.TemporalCli;
import io.cmkflow.local.TemporalDevServer;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.servicebus.QueuedMessage;
import io.cmkflow.local.servicebus.ServiceBusStandIn;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.micronaut.context.ApplicationContext;
import io.temporal.client.WorkflowClient;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * The real Temporal server (the CLI's dev server on a SQLite file under target/) and the application against it:
 * the Micronaut context with its worker, the ARM simulator and the Service Bus stand-in in-process (nothing real is
 * configured). The only place that builds the context, so it can give way to the shared test extension.
 */
final class DevServerStack implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper();

    final Path binary;
    final TemporalDevServer server;
    final ApplicationContext app;
    final WorkflowClient client;
    final ArmSimulator arm;
    final CmkWorkflowStarter starter;
    final RunControl control;

    private DevServerStack(Path binary, TemporalDevServer server, ApplicationContext app) {
        this.binary = binary;
        this.server = server;
        this.app = app;
        this.client = app.getBean(WorkflowClient.class);
        this.arm = app.getBean(ArmSimulator.class);
        this.starter = app.getBean(CmkWorkflowStarter.class);
        this.control = new RunControl(client);
    }

    static DevServerStack start(String name) {
        Path binary = TemporalCli.forProject().binary();
        Map<String, String> attributes = new LinkedHashMap<>();
        CmkSearchAttributes.ALL.forEach(key -> attributes.put(key.getName(), "Keyword"));
        Path stateDir;
        try {
            stateDir = Files.createDirectories(Path.of("target", name, UUID.randomUUID().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        TemporalDevServer server = TemporalDevServer.start(TemporalDevServer.Options.builder()
                .binary(binary).stateDir(stateDir).port(FreePorts.next()).uiPort(FreePorts.next()).headless(true)
                .searchAttributes(attributes).startTimeout(Duration.ofSeconds(60)));
        try {
            ApplicationContext app = ApplicationContext.builder().deduceEnvironment(false).environments("test").properties(Map.of(
                    "cmkflow.temporal.address", server.target(),
                    "cmkflow.intake.enabled", "false",
                    "cmkflow.local.service-bus-port", FreePorts.next(),
                    "cmkflow.local.workspace-operation-duration", "PT0.2S")).start();
            return new DevServerStack(binary, server, app);
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** What {@code temporal ARGS --address <dev server>} printed (stdout), and its exit code. */
    record CliResult(int exitCode, String stdout, String stderr) {
        JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("not JSON (exit " + exitCode + ", stderr " + stderr + "): " + stdout, e);
            }
        }
    }

    /** Runs the Temporal CLI as a child process against the dev server ({@code --address} appended). */
    CliResult temporal(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        command.addAll(List.of("--address", server.target()));
        try {
            Path out = Files.createTempFile("temporal-cli", ".out");
            Path err = Files.createTempFile("temporal-cli", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            CliResult result = new CliResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }

    /** The status events the worker published to the status queue for {@code requestId}, by {@code type}, in order. */
    List<String> statusEventTypes(String requestId) {
        List<String> types = new ArrayList<>();
        for (QueuedMessage message : app.getBean(ServiceBusStandIn.class).queue("cmk-status").activeMessages()) {
            try {
                JsonNode event = JSON.readTree(message.bodyAsString());
                if (requestId.equals(event.path("requestId").asText())) {
                    types.add(event.path("type").asText());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return types;
    }

    @Override
    public void close() {
        try {
            app.close();
        } finally {
            server.close();
        }
    }
}
