package io.cmkflow.crash;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.local.FreePorts;
import io.cmkflow.local.TemporalCli;
import io.cmkflow.local.TemporalDevServer;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.local.arm.JournalEntry;
import io.cmkflow.local.servicebus.EmulatorConfig;
import io.cmkflow.local.servicebus.ServiceBusStandIn;
import io.cmkflow.local.servicebus.StandInOptions;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What outlives the workers the crash tests kill, all in the test JVM: the Temporal CLI's dev server (SQLite file under
 * target/), the ARM simulator (its journal is the evidence) and the Service Bus stand-in. Workers run in child JVMs
 * ({@link CrashWorkerMain}) reaching the simulator through {@code cmkflow.local.arm-endpoint} and its certificate file.
 */
final class CrashStack implements AutoCloseable {
    /** Every crash test's runs notice a dead worker within this (instead of the production minutes). */
    static final Duration ACTIVITY_TIMEOUT_CAP = Duration.ofSeconds(8);

    final Path dir;
    final TemporalDevServer server;
    final ArmSimulator arm;
    final Path armCertificate;
    final ServiceBusStandIn serviceBus;
    final WorkflowServiceStubs stubs;
    final WorkflowClient client;
    final CmkWorkflowStarter starter;
    private final AtomicInteger workers = new AtomicInteger();
    /** The worker JVM running now, or null. */
    private ChildJvm worker;

    private CrashStack(Path dir, TemporalDevServer server, ArmSimulator arm, ServiceBusStandIn serviceBus) {
        this.dir = dir;
        this.server = server;
        this.arm = arm;
        this.serviceBus = serviceBus;
        this.armCertificate = arm.writeCertificate(dir.resolve("arm-simulator.pem"));
        this.stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget(server.target()).build());
        this.client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace("default").build());
        this.starter = new CmkWorkflowStarter(client, CmkWorkflowWorker.TASK_QUEUE);
    }

    static CrashStack start(String name) {
        Path dir;
        try {
            dir = Files.createDirectories(Path.of("target", name, UUID.randomUUID().toString()).toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Map<String, String> attributes = new LinkedHashMap<>();
        CmkSearchAttributes.ALL.forEach(key -> attributes.put(key.getName(), "Keyword"));
        TemporalDevServer server = TemporalDevServer.start(TemporalDevServer.Options.builder()
                .binary(TemporalCli.forProject().binary()).stateDir(dir).port(FreePorts.next()).uiPort(FreePorts.next())
                .headless(true).searchAttributes(attributes).startTimeout(Duration.ofSeconds(60)));
        ArmSimulator arm = ArmSimulator.start(ArmSimulatorOptions.defaults().withAutoCreateResourceGroups(true)
                .withWorkspaceOperationDuration(Duration.ofMillis(200)));
        ServiceBusStandIn serviceBus = ServiceBusStandIn.start(StandInOptions.builder().port(FreePorts.next())
                .config(EmulatorConfig.loadDefault())
                .sharedAccessKey(StandInOptions.EMULATOR_KEY_NAME, StandInOptions.EMULATOR_KEY_VALUE).build());
        return new CrashStack(dir, server, arm, serviceBus);
    }

    /** A new worker JVM (the current one, if any, must be dead); returns once its application context is up. */
    ChildJvm startWorker() {
        int n = workers.incrementAndGet();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("cmkflow.temporal.address", server.target());
        properties.put("cmkflow.intake.enabled", "false");
        properties.put("cmkflow.local.arm-endpoint", arm.endpoint().toString());
        properties.put("cmkflow.local.arm-certificate", armCertificate.toString());
        properties.put("cmkflow.servicebus.connection-string", serviceBus.connectionString());
        worker = ChildJvm.start(CrashWorkerMain.class.getName(), List.of(), properties, Map.of(),
                dir.resolve("worker-" + n + ".log"));
        return worker.awaitLog(CrashWorkerMain.READY, Duration.ofSeconds(90));
    }

    ChildJvm worker() {
        return worker;
    }

    /** Starts a run for {@code request} with its {@code operation} calls held {@code hold} in ARM; returns once one is. */
    String startHeld(CmkRequest request, String operation, String activityType, Duration hold) {
        arm.latency().forOperation(operation, hold);
        org.assertj.core.api.Assertions.assertThat(starter.start(new CmkWorkflowInput(request)
                .withActivityTimeoutCap(ACTIVITY_TIMEOUT_CAP)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        String workflowId = workflowId(request);
        awaitInFlight(workflowId, operation, activityType);
        return workflowId;
    }

    /** The activity types the run is waiting for (describe's pending activities). */
    List<String> pendingActivities(String workflowId) {
        return stubs.blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace("default").setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId)).build())
                .getPendingActivitiesList().stream().map(PendingActivityInfo::getActivityType)
                .map(type -> type.getName()).toList();
    }

    /** Waits until the run's pending activity is {@code activityType} and its {@code operation} call is held in ARM. */
    void awaitInFlight(String workflowId, String operation, String activityType) {
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                arm.operationsInFlight().contains(operation)
                        && pendingActivities(workflowId).stream().anyMatch(activityType::equalsIgnoreCase));
    }

    /** Journal entries of {@code operation} whose path names {@code resourceName} (a path segment). */
    List<JournalEntry> journal(String operation, String resourceName) {
        String wanted = "/" + resourceName.toLowerCase(Locale.ROOT);
        return arm.journal().byOperation(operation).stream()
                .filter(e -> {
                    String path = e.path().toLowerCase(Locale.ROOT);
                    return path.contains(wanted + "/") || path.endsWith(wanted);
                }).toList();
    }

    static String workflowId(CmkRequest request) {
        return WorkflowIds.forRequest(request);
    }

    @Override
    public void close() {
        try {
            if (worker != null) {
                worker.close();
            }
            stubs.shutdownNow();
        } finally {
            try {
                serviceBus.close();
            } finally {
                try {
                    arm.close();
                } finally {
                    server.close();
                }
            }
        }
    }
}
