package io.cmkflow.dev;

import io.cmkflow.testing.FreePorts;
import io.cmkflow.contract.AzureCloud;
import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.servicebus.StandInOptions;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.WorkflowHistories;
import io.cmkflow.workflow.WorkflowIds;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Operation;
import io.cmkflow.operator.RunControl;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.temporal.api.workflowservice.v1.DeleteWorkflowExecutionRequest;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowNotFoundException;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * README's first command, in-process: dev mode on the real Temporal dev server provisions every valid example end to
 * end; the UI answers, runs are listed by search attribute, runs and simulated Azure are still there after dev mode
 * restarts, and {@code --reset} wipes both.
 */
class DevModeTest {

    @TempDir
    Path state;

    @Test
    void demoOnDevModeProvisionsEveryExampleAndItsRunsSurviveARestart() throws Exception {
        int temporalPort = FreePorts.next();
        int uiPort = FreePorts.next();
        Map<String, Object> ports = Map.of(
                "cmkflow.dev.service-bus-port", FreePorts.next(),
                "cmkflow.dev.workspace-operation-duration", "PT0.2S");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        try (DevMode dev = DevMode.start(state, false, temporalPort, uiPort, ports, out)) {
            dev.printBanner(out);
            int exitCode = dev.application().getBean(DemoRunner.class).run(Path.of("workflows/cmk-workspace/examples/valid"),
                    Duration.ofMinutes(3), out);

            String output = printed.toString(StandardCharsets.UTF_8);
            assertThat(exitCode).as(output).isZero();
            assertThat(output).contains("cmkflow DEV MODE", "Temporal UI:           http://127.0.0.1:" + uiPort,
                    "Service Bus:           Endpoint=sb://localhost:", "ARM simulator:         https://localhost:", "Authorization scope:   everything (dev mode)",
                    "State folder:          " + state, "demo: all 4 requests succeeded");
            assertThat(output.split("demo: all 2 requests succeeded", -1)).as("the rotations, then the decommissions").hasSize(3);
            assertThat(output).as("the banner masks the Service Bus key").contains("SharedAccessKey=***;")
                    .doesNotContain(StandInOptions.EMULATOR_KEY_VALUE);
            for (String requestId : new String[] {"req-2026-0001", "req-2026-0002", "req-2026-0003", "req-2026-0004",
                    "req-2026-0001-rotate", "req-2026-0004-rotate", "req-2026-0001-decommission", "req-2026-0004-decommission"}) {
                assertThat(output).containsPattern(requestId + "-demo\\d+ +accepted").containsPattern(requestId + "-demo\\d+ +succeeded");
            }
            ArmState azure = dev.application().getBean(ArmSimulator.class).state();
            // The decommission examples purged mlw-research-cmk (classic: Azure removed its managed group) and
            // mlw-platform-cmk (service-side: it never had one) after their rotations, and deleted the vaults their
            // creates made, which stay soft-deleted (purge protection).
            assertThat(azure.workspaces()).extracting(ArmState.WorkspaceView::name)
                    .containsExactlyInAnyOrder("mlw-gov-hsm", "mlw-uai-cmk");
            assertThat(azure.softDeletedWorkspaces()).isEmpty();
            assertThat(azure.managedResourceGroups()).hasSize(2);
            assertThat(azure.vaults()).extracting(ArmState.VaultView::name).doesNotContain("kv-research-cmk", "kv-platform-cmk");
            assertThat(azure.deletedVault("kv-research-cmk")).isPresent();
            assertThat(azure.deletedVault("kv-platform-cmk")).isPresent();
            // The user-assigned identity example works only because step 4 granted the seeded identity key access, and
            // Azure Cosmos DB's access went to its object id in the tenant, not to its application id.
            ArmState.VaultView uaiVault = azure.vaults().stream().filter(v -> v.name().equals("kv-uai-cmk")).findFirst().orElseThrow();
            assertThat(uaiVault.accessPolicies()).extracting(ArmState.AccessPolicyView::objectId)
                    .contains(SimulatedDirectory.cosmosDbObjectId(uaiVault.tenantId()))
                    .doesNotContain(AzureCloud.PUBLIC.cosmosDbApplicationId());
            assertThat(uaiVault.accessPolicies()).anySatisfy(p -> {
                assertThat(p.objectId()).isEqualTo(DemoRunner.EXAMPLE_IDENTITY_PRINCIPAL);
                // What Cosmos DB gets, and no more: the least a workspace's CMK identity needs.
                assertThat(p.keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
            });
            assertThat(azure.refusedDeletes()).isEmpty();

            HttpResponse<String> ui = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(dev.temporal().uiUrl()))
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertThat(ui.statusCode()).isEqualTo(200);
            assertThat(succeededRuns(dev.temporal().target())).isEqualTo(DEMO_RUNS);
            // The dev server's histories join the test server's in the replay test: each example's last run.
            WorkflowClient client = dev.application().getBean(WorkflowClient.class);
            try (var examples = Files.list(Path.of("workflows/cmk-workspace/examples/valid"))) {
                for (Path example : examples.toList()) {
                    CmkRequest request = new ObjectMapper().readValue(example.toFile(), CmkRequest.class);
                    WorkflowHistories.replayAndKeep("devserver-" + request.workspace().name(),
                            client.fetchHistory(WorkflowIds.forRequest(request)), true);
                }
            }
            // Each create scheduled its workspace's posture check, and the decommission removed its own; one fires on
            // demand, as the schedule would daily.
            RunControl control = new RunControl(client);
            assertThat(await().atMost(Duration.ofSeconds(30)).until(() -> control.workspaces(10), listed -> listed.size() == 2))
                    .extracting(RunControl.WorkspacePosture::workspaceId).extracting(id -> id.substring(id.lastIndexOf('/') + 1))
                    .containsExactlyInAnyOrder("mlw-gov-hsm", "mlw-uai-cmk");
            assertThat(checkPostureNow(control, client, "mlw-gov-hsm").posture()).isEqualTo("Healthy");
        }
        assertThat(Files.exists(state.resolve("temporal.db"))).isTrue();

        try (DevMode again = DevMode.start(state, false, temporalPort, uiPort, ports, out)) {
            assertThat(again.temporal().attached()).as("a new dev server on the same database file").isFalse();
            assertThat(succeededRuns(again.temporal().target())).as("runs kept across the restart").isEqualTo(DEMO_RUNS);
            assertThat(again.application().getBean(ArmSimulator.class).state().workspaces())
                    .as("simulated Azure kept across the restart").hasSize(2);
            WorkflowClient client = again.application().getBean(WorkflowClient.class);
            assertThat(checkPostureNow(new RunControl(client), client, "mlw-uai-cmk").posture())
                    .as("the schedule fires for the restarted worker").isEqualTo("Healthy");

            // Past the namespace's retention the create run is gone; its posture schedule's record still proves the
            // workspace cmkflow's, so a key rotation goes ahead.
            CmkRequest gov = new ObjectMapper().readValue(Path.of("workflows/cmk-workspace/examples/valid/gov-cloud-premium-hsm-rbac.json")
                    .toFile(), CmkRequest.class);
            String govWorkflow = WorkflowIds.forRequest(gov);
            deleteRuns(client, govWorkflow);
            CmkRequest rotation = TestRequests.copy(gov).requestId(gov.requestId() + "-rotate-after-retention")
                    .operation(Operation.ROTATE_KEY).build();
            CmkWorkflowStarter.StartResult start = again.application().getBean(CmkWorkflowStarter.class)
                    .start(new CmkWorkflowInput(rotation));
            assertThat(start.outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
            assertThat(client.newUntypedWorkflowStub(govWorkflow, Optional.of(start.runId()), Optional.empty())
                    .getResult(60, TimeUnit.SECONDS, CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
            assertThatThrownBy(() -> DevMode.start(state, true, temporalPort, uiPort, ports, out))
                    .as("no reset under a running server").hasMessageContaining("stop it first");
        }

        try (DevMode reset = DevMode.start(state, true, temporalPort, uiPort, ports, out)) {
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains("dev: state folder " + state + " wiped");
            assertThat(reset.application().getBean(ArmSimulator.class).state().workspaces()).isEmpty();
            assertThat(countRuns(reset.temporal().target(), "Succeeded")).isZero();
        }
    }

    /** Deletes every run of {@code workflowId}, newest first, as retention would, until Temporal knows none. */
    private static void deleteRuns(WorkflowClient client, String workflowId) {
        WorkflowServiceStubs stubs = client.getWorkflowServiceStubs();
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> {
            WorkflowExecution latest;
            try {
                latest = client.newUntypedWorkflowStub(workflowId).describe().getExecution();
            } catch (WorkflowNotFoundException gone) {
                return true;
            }
            try {
                stubs.blockingStub().deleteWorkflowExecution(DeleteWorkflowExecutionRequest.newBuilder()
                        .setNamespace(client.getOptions().getNamespace()).setWorkflowExecution(latest).build());
            } catch (StatusRuntimeException alreadyGoing) {
                // Deleted meanwhile: the next round describes the run before it.
            }
            return false;
        });
    }

    /**
     * Triggers the posture schedule of {@code workspace}, which has not fired yet (daily), and returns what {@code cmkflow
     * workspaces} shows for it once that first check has ended.
     */
    private static RunControl.WorkspacePosture checkPostureNow(RunControl control, WorkflowClient client, String workspace) {
        ScheduleClient schedules = ScheduleClient.newInstance(client.getWorkflowServiceStubs());
        String id = control.workspaces(10).stream().filter(w -> w.workspaceId().endsWith("/" + workspace)).findFirst()
                .orElseThrow().schedule();
        assertThat(schedules.getHandle(id).describe().getInfo().getNumActions()).as("checks before the trigger").isZero();
        schedules.getHandle(id).trigger();
        return await().atMost(Duration.ofSeconds(30)).until(() -> control.workspaces(10).stream()
                .filter(w -> w.schedule().equals(id)).findFirst().orElseThrow(), w -> w.posture() != null);
    }

    /** The demo's runs: four creates, two key rotations, two decommissions. */
    private static final int DEMO_RUNS = 8;

    /** The demo's runs, listed through the visibility store by {@code CmkStatus}, once visible. */
    private static long succeededRuns(String target) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> countRuns(target, "Succeeded"), count -> count == DEMO_RUNS);
    }

    /** Runs with this {@code CmkStatus}, as an operator's client lists them. */
    private static long countRuns(String target, String status) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(target).build());
        try {
            ListWorkflowExecutionsRequest query = ListWorkflowExecutionsRequest.newBuilder().setNamespace("default")
                    .setQuery(CmkSearchAttributes.STATUS.getName() + " = '" + status + "'").build();
            return stubs.blockingStub().listWorkflowExecutions(query).getExecutionsCount();
        } finally {
            stubs.shutdownNow();
        }
    }
}
