package io.cmkflow;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.dev.TemporalCli;
import io.cmkflow.dev.TemporalDevServer;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.servicebus.EmulatorConfig;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.standins.servicebus.ServiceBusStandIn;
import io.cmkflow.standins.servicebus.StandInOptions;
import io.cmkflow.request.RequestIntake;
import io.cmkflow.temporal.WorkerRole;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.StatusInbox;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.micronaut.context.ApplicationContext;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code cmkflow serve}'s production wiring (no environment, so no stand-in bean) with local stand-ins behind the
 * real-mode settings, each started by the test outside the application: the Temporal address points at the CLI's dev
 * server, the Service Bus connection string at the stand-in (serving only queues named unlike the defaults), the ARM
 * simulator as an ARM endpoint of its own ({@code cmkflow.azure.arm-endpoint}, authority host, Graph endpoint, trusted
 * certificate, the simulated application's client secret), and a scope of one resource group. A request that runs to
 * {@code succeeded} proves each of them wired; serve building its connection for the public clouds is
 * {@link ServeModeTest}'s.
 */
class ServeWiringTest {
    private static final String REQUESTS = "serve-requests";
    private static final String STATUS = "serve-status";
    private static final String SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";
    private static final String GROUP = "rg-ml-research";
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(45);

    private static TemporalDevServer temporal;
    private static ServiceBusStandIn serviceBus;
    private static ArmSimulator arm;
    private static Map<String, Object> settings;
    private static ServiceBusSenderClient upstream;
    private static StatusInbox status;

    @BeforeAll
    static void startTheStandInsServeIsPointedAt(@TempDir Path dir) throws IOException {
        // The Azure SDK's own LRO polling (vault, storage) otherwise waits 30 s between polls; the simulator answers at once.
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(10));
        temporal = TemporalDevServer.start(TemporalDevServer.Options.builder()
                .binary(TemporalCli.forProject().binary()).stateDir(Files.createDirectories(dir.resolve("temporal"))).port(FreePorts.next())
                .uiPort(FreePorts.next()).headless(true).searchAttributes(CmkSearchAttributes.cliTypes())
                .startTimeout(Duration.ofSeconds(60)));
        serviceBus = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(QueueDefinition.withDefaults(REQUESTS), QueueDefinition.withDefaults(STATUS)))
                .sharedAccessKey(StandInOptions.EMULATOR_KEY_NAME, StandInOptions.EMULATOR_KEY_VALUE)
                .build());
        arm = ArmSimulator.start(ArmSimulatorOptions.defaults().withWorkspaceOperationDuration(Duration.ofMillis(200)));
        // As in Azure, the request's resource group exists before the run.
        arm.state().resourceGroup(SUBSCRIPTION, GROUP, "eastus2");

        settings = new HashMap<>();
        settings.put("cmkflow.temporal.address", temporal.target());
        settings.put("cmkflow.servicebus.connection-string", serviceBus.connectionString());
        settings.put("cmkflow.servicebus.request-queue", REQUESTS);
        settings.put("cmkflow.servicebus.status-queue", STATUS);
        settings.putAll(CmkStack.azureSettings(arm, arm.writeCertificate(dir.resolve("arm-simulator.pem"))));
        settings.put("cmkflow.azure.scope", "AzureCloud/" + TestRequests.TENANT + "/" + SUBSCRIPTION + "/" + GROUP);

        ServiceBusClientBuilder clients = new ServiceBusClientBuilder().connectionString(serviceBus.connectionString());
        upstream = clients.sender().queueName(REQUESTS).buildClient();
        status = new StatusInbox(clients, STATUS);
    }

    @AfterAll
    static void stopTheStandIns() {
        status.close();
        upstream.close();
        serviceBus.close();
        arm.close();
        temporal.close();
    }

    @Test
    void serveWithEveryRoleRunsARequestThroughEachConfiguredEndpoint() {
        try (ApplicationContext serve = serve(Map.of())) {
            assertThat(serve.containsBean(ServiceBusStandIn.class)).isFalse();
            assertThat(serve.containsBean(ArmSimulator.class)).isFalse();
            ObjectNode outside = TestRequests.json("req-serve-outside", "mlw-serve-outside");
            outside.put("resourceGroup", "rg-finance");

            ObjectNode request = TestRequests.json("req-serve-all-roles", "mlw-serve-all");
            publish(request);
            publish(outside);

            runSucceeded(request);
            ReceivedEvent rejected = status.awaitType("req-serve-outside", StatusEvent.Type.rejected, RUN_TIMEOUT);
            assertThat(rejected.event().message()).as("refused by the configured scope").contains("/resourceGroup", "scope");
        }
    }

    @Test
    void serveSplitIntoAnIntakeAndAWorkerProcessRunsARequest() {
        try (ApplicationContext intake = serve(Map.of("cmkflow.worker.enabled", false));
             ApplicationContext worker = serve(Map.of("cmkflow.intake.enabled", false))) {
            assertThat(intake.containsBean(RequestIntake.class)).isTrue();
            assertThat(intake.containsBean(WorkerRole.class)).isFalse();
            assertThat(worker.containsBean(WorkerRole.class)).isTrue();
            assertThat(worker.containsBean(RequestIntake.class)).isFalse();
            ObjectNode request = TestRequests.json("req-serve-split-roles", "mlw-serve-split");

            publish(request);

            runSucceeded(request);
        }
    }

    /** What {@code cmkflow serve} starts: the default wiring, no environment, the settings plus {@code roles}. */
    private static ApplicationContext serve(Map<String, Object> roles) {
        Map<String, Object> all = new HashMap<>(settings);
        all.putAll(roles);
        return ApplicationContext.builder().deduceEnvironment(false).properties(all).start();
    }

    private static void publish(ObjectNode request) {
        upstream.sendMessage(new ServiceBusMessage(BinaryData.fromBytes(TestRequests.bytes(request)))
                .setMessageId(request.get("requestId").asText()).setContentType("application/json"));
    }

    /** The request ended succeeded on the status queue, its run completed on the dev server, its workspace in the simulator. */
    private static void runSucceeded(ObjectNode request) {
        String requestId = request.get("requestId").asText();
        status.awaitType(requestId, StatusEvent.Type.succeeded, RUN_TIMEOUT);

        assertThat(status.of(requestId)).extracting(e -> e.event().type()).startsWith(StatusEvent.Type.accepted)
                .endsWith(StatusEvent.Type.succeeded);
        assertThat(status.of(requestId)).allSatisfy(e -> assertThat(e.schemaErrors()).isEmpty());
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(temporal.target()).build());
        try {
            WorkflowStub run = WorkflowClient.newInstance(stubs)
                    .newUntypedWorkflowStub(TestRequests.workflowId(request), Optional.empty(), Optional.empty());
            // The succeeded event is the run's last activity; the run completes just after it.
            await().atMost(RUN_TIMEOUT).until(() -> run.describe().getRawDescription().getWorkflowExecutionInfo().getStatus(),
                    WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED::equals);
        } finally {
            stubs.shutdownNow();
        }
        assertThat(arm.state().workspaces()).extracting(ArmState.WorkspaceView::name)
                .contains(request.get("workspace").get("name").asText());
    }
}
