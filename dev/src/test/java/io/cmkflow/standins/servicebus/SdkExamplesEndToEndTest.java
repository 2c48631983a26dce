package io.cmkflow.standins.servicebus;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.dev.DevMode;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.dev.DemoRunner;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.request.IntakeSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 10's upstream in another language: dev mode (the real Temporal dev server, the Service Bus stand-in, the ARM
 * simulator) takes every valid example published with the official Node.js or Python SDK (the creates, then the key
 * rotation that follows them), and the same SDK reads each request's status events back. The scripts ({@code examples-end-to-end.js}, {@code examples_end_to_end.py}) share the
 * conformance suites' pinned SDKs; they print what they published and received, and the assertions are here.
 */
class SdkExamplesEndToEndTest {

    private static final Path EXAMPLES = SdkConformance.PROJECT.resolve("workflows/cmk-workspace/examples/valid");
    /** What follows the creates, in order: the key rotation, then the decommission. */
    private static final String FOLLOW_UPS = SdkConformance.PROJECT.resolve("workflows/cmk-workspace/examples/rotation")
            + java.io.File.pathSeparator + SdkConformance.PROJECT.resolve("workflows/cmk-workspace/examples/decommission");
    private static final Path NODE_SUITE = SdkConformance.PROJECT.resolve("dev/src/test/node/servicebus-conformance");
    private static final Path VENV_PYTHON = SdkConformance.PROJECT.resolve(".cmkflow/tools/servicebus-python/bin/python");
    private static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(2);
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path state;

    @Test
    void examplesPublishedWithTheNodeSdkSucceedAndTheirEventsReadBackWithIt() throws Exception {
        SdkConformance.ensureInstalled("node", NODE_SUITE.resolve("node_modules/@azure/service-bus/package.json"));

        publishExamplesAndReadTheirEvents("node-e2e", List.of("node", NODE_SUITE.resolve("examples-end-to-end.js").toString()));
    }

    @Test
    void examplesPublishedWithThePythonSdkSucceedAndTheirEventsReadBackWithIt() throws Exception {
        SdkConformance.ensureInstalled("python", VENV_PYTHON);

        publishExamplesAndReadTheirEvents("python-e2e", List.of(VENV_PYTHON.toString(),
                SdkConformance.PROJECT.resolve("dev/src/test/python/servicebus-conformance/examples_end_to_end.py").toString()));
    }

    private void publishExamplesAndReadTheirEvents(String label, List<String> script) throws Exception {
        Map<String, Object> ports = Map.of(
                "cmkflow.dev.service-bus-port", FreePorts.next(),
                "cmkflow.dev.workspace-operation-duration", "PT0.2S");
        try (DevMode dev = DevMode.start(state, false, FreePorts.next(), FreePorts.next(), ports,
                new PrintStream(System.out, true, StandardCharsets.UTF_8))) {
            DemoRunner demo = dev.application().getBean(DemoRunner.class);
            for (Path example : examples()) {
                demo.seedAzure(example);
            }
            ServiceBusStandIn serviceBus = dev.application().getBean(ServiceBusStandIn.class);
            IntakeSettings queues = dev.application().getBean(IntakeSettings.class);
            // Fresh request ids, as the demo gives them: each run of this test is a new request for the same workspaces.
            String suffix = "-" + label + "-" + System.currentTimeMillis();

            SdkConformance.Result result = SdkConformance.run(script, Map.of(
                    "SB_CONNECTION_STRING", serviceBus.connectionString(),
                    "CMK_EXAMPLES_DIR", EXAMPLES.toString(),
                    "CMK_FOLLOW_UP_DIRS", FOLLOW_UPS,
                    "CMK_REQUEST_ID_SUFFIX", suffix,
                    "CMK_REQUEST_QUEUE", queues.requestQueue(),
                    "CMK_STATUS_QUEUE", queues.statusQueue(),
                    "CMK_TIMEOUT_MS", String.valueOf(SCRIPT_TIMEOUT.minusSeconds(10).toMillis())), SCRIPT_TIMEOUT, label);

            assertThat(result.exitCode()).as("exit code of the %s script (its output is in the test log)", label).isZero();
            List<String> published = lines(result, "PUBLISHED").map(p -> p.get("requestId").asText()).toList();
            assertThat(published).containsExactly("req-2026-0002" + suffix, "req-2026-0001" + suffix, "req-2026-0004" + suffix,
                    "req-2026-0003" + suffix, "req-2026-0001-rotate" + suffix, "req-2026-0004-rotate" + suffix, "req-2026-0001-decommission" + suffix,
                    "req-2026-0004-decommission" + suffix);
            List<JsonNode> events = lines(result, "EVENT").toList();
            for (String requestId : published) {
                List<JsonNode> ofRequest = events.stream().filter(e -> requestId.equals(e.get("correlationId").asText())).toList();
                assertThat(ofRequest).extracting(e -> e.get("requestId").asText()).as("body requestId = correlationId")
                        .containsOnly(requestId);
                assertThat(ofRequest).extracting(e -> e.get("type").asText()).as("events of %s", requestId)
                        .startsWith("accepted").endsWith("succeeded").doesNotContain("rejected", "failed", "awaiting_operator");
                assertThat(ofRequest).allSatisfy(e -> {
                    assertThat(e.get("messageId").asText()).as("MessageId = eventId").isEqualTo(e.get("eventId").asText());
                    assertThat(e.get("subject").asText()).as("Subject = type").isEqualTo(e.get("type").asText());
                    assertThat(e.get("contentType").asText()).isEqualTo("application/json");
                });
            }
            assertThat(events).extracting(e -> e.get("messageId").asText()).as("status event message ids").doesNotHaveDuplicates();

            ArmState azure = dev.application().getBean(ArmSimulator.class).state();
            // The decommission purged the rotated workspace last, and deleted the vault its create made (soft delete).
            assertThat(azure.workspaces()).extracting(ArmState.WorkspaceView::name)
                    .containsExactlyInAnyOrder("mlw-gov-hsm", "mlw-uai-cmk");
            assertThat(azure.softDeletedWorkspaces()).isEmpty();
            assertThat(azure.vaults()).extracting(ArmState.VaultView::name).doesNotContain("kv-research-cmk", "kv-platform-cmk");
            assertThat(azure.deletedVault("kv-research-cmk")).isPresent();
        }
    }

    private static List<Path> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }

    /** The JSON after {@code prefix} on each of the script's lines that start with it. */
    private static Stream<JsonNode> lines(SdkConformance.Result result, String prefix) {
        return result.output().stream().map(String::strip).filter(l -> l.startsWith(prefix + " ")).map(l -> {
            try {
                return JSON.readTree(l.substring(prefix.length() + 1));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
    }
}
