package io.cmkflow.crash;

import io.cmkflow.dev.DevApplication;
import com.fasterxml.jackson.databind.JsonNode;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * `cmkflow demo` killed with SIGKILL while its runs are in flight, then `cmkflow dev` started on the same state folder:
 * every run the demo had started finishes, on the Temporal dev server (which outlived the killed JVM, and is attached
 * to) and the ARM simulator's state file.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class DevModeCrashTest {
    private static final Pattern ACCEPTED = Pattern.compile("(req-2026-000\\d-demo\\d+) +accepted");

    private final Path state = Path.of("target", "dev-mode-crash", UUID.randomUUID().toString()).toAbsolutePath();
    private final int temporalPort = FreePorts.next();
    private ChildJvm dev;

    @AfterEach
    void stopEverythingStarted() {
        if (dev != null) {
            dev.kill();
        }
        // The dev server the killed demo started outlives it: end it (it runs on this test's state folder only).
        ProcessHandle.allProcesses()
                .filter(p -> p.info().commandLine().map(c -> c.contains("start-dev") && c.contains(state.toString())).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
    }

    @Test
    void demoKilledMidRunsFinishesThemWhenDevModeStartsAgain() throws Exception {
        Map<String, String> environment = Map.of(
                "CMKFLOW_STATE_DIR", state.toString(),
                "CMKFLOW_TEMPORAL_PORT", String.valueOf(temporalPort),
                "CMKFLOW_TEMPORAL_UI_PORT", String.valueOf(FreePorts.next()),
                "CMKFLOW_DEV_SERVICE_BUS_PORT", String.valueOf(FreePorts.next()),
                "CMKFLOW_HOME", Path.of("").toAbsolutePath().toString());
        ChildJvm demo = ChildJvm.start(DevApplication.class.getName(), List.of("demo"), Map.of(), environment, state.resolve("demo.log"));
        try {
            // Three or more of the creates accepted, none finished yet: kill it in the middle of its runs.
            await().atMost(Duration.ofSeconds(120)).until(() -> accepted(demo.logText()).size() >= 3);
            assertThat(demo.logText()).doesNotContain("succeeded");
        } finally {
            demo.kill();
        }
        List<String> requestIds = accepted(demo.logText());

        dev = ChildJvm.start(DevApplication.class.getName(), List.of("dev"), Map.of(), environment, state.resolve("dev.log"))
                .awaitLog("cmkflow dev running", Duration.ofSeconds(90));
        assertThat(dev.logText()).as("the dev server outlived the killed JVM").contains("a dev server that was already running");

        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget("127.0.0.1:" + temporalPort).build());
        try {
            for (String requestId : requestIds) {
                ListWorkflowExecutionsRequest succeeded = ListWorkflowExecutionsRequest.newBuilder().setNamespace("default")
                        .setQuery(CmkSearchAttributes.REQUEST_ID.getName() + " = '" + requestId + "' AND "
                                + CmkSearchAttributes.STATUS.getName() + " = 'Succeeded'").build();
                await().atMost(Duration.ofSeconds(120)).until(() -> stubs.blockingStub().listWorkflowExecutions(succeeded)
                        .getExecutionsCount() == 1);
            }
        } finally {
            stubs.shutdownNow();
        }
        // Simulated Azure kept what the first JVM created: one workspace per example, none twice.
        JsonNode snapshot = TestRequests.mapper().readTree(Files.readString(state.resolve("arm-simulator.json")));
        String text = snapshot.toString();
        for (String workspace : List.of("mlw-research-cmk", "mlw-gov-hsm", "mlw-uai-cmk")) {
            assertThat(text).contains("/workspaces/" + workspace + "\"");
        }
    }

    private static List<String> accepted(String log) {
        Matcher matcher = ACCEPTED.matcher(log);
        List<String> ids = new java.util.ArrayList<>();
        while (matcher.find()) {
            if (!ids.contains(matcher.group(1))) {
                ids.add(matcher.group(1));
            }
        }
        return ids;
    }
}
