package io.cmkflow.crash;

import io.cmkflow.dev.DevTemporal;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.client.WorkflowClient;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The crash tests' workers, on top of {@link CmkStack}: the stack ({@link #stack()}: the Temporal dev server, the ARM
 * simulator and the Service Bus stand-in in the test JVM, no worker there) outlives the workers the tests kill; each
 * worker runs in a child JVM ({@link CrashWorkerMain}) reaching the simulator as any ARM endpoint of its own
 * ({@link CmkStack#azureSettings()}). A {@link CmkStack.Part} of the stack: it starts the first worker once the stack is up and
 * kills the last one before the stack closes.
 */
final class CrashWorkers implements CmkStack.Part {
    /** Every crash test's runs notice a dead worker within this (instead of the production minutes). */
    static final Duration ACTIVITY_TIMEOUT_CAP = Duration.ofSeconds(8);

    private CmkStack stack;
    private final AtomicInteger workers = new AtomicInteger();
    /** The worker JVM running now, or null. */
    private ChildJvm worker;

    /**
     * The stack the crash tests share, with these workers: the real dev server, the simulator creating resource groups
     * on demand, no worker in the test JVM.
     */
    CmkStack stack() {
        return CmkStack.builder().temporalServer(DevTemporal::start).worker(false).intake(false)
                .arm(ArmSimulatorOptions.defaults().withAutoCreateResourceGroups(true)
                        .withWorkspaceOperationDuration(Duration.ofMillis(200)))
                .resetBeforeEach().part(this).build();
    }

    @Override
    public void start(CmkStack started) {
        this.stack = started;
        startWorker();
    }

    @Override
    public void close() {
        if (worker != null) {
            worker.close();
            worker = null;
        }
    }

    /** The dev server's state directory: its SQLite file, the simulator's certificate, the workers' logs. */
    private Path dir() {
        return DevTemporal.devServer(stack).options().stateDir();
    }

    /** A new worker JVM (the current one, if any, must be dead); returns once its application context is up. */
    ChildJvm startWorker() {
        int n = workers.incrementAndGet();
        Map<String, String> properties = new LinkedHashMap<>();
        properties.put("cmkflow.temporal.address", DevTemporal.devServer(stack).target());
        properties.put("cmkflow.intake.enabled", "false");
        properties.putAll(stack.azureSettings());
        properties.put("cmkflow.servicebus.connection-string", stack.serviceBus().connectionString());
        worker = ChildJvm.start(CrashWorkerMain.class.getName(), List.of(), properties, Map.of(),
                dir().resolve("worker-" + n + ".log"));
        return worker.awaitLog(CrashWorkerMain.READY, Duration.ofSeconds(90));
    }

    ChildJvm worker() {
        return worker;
    }

    /** Starts a run for {@code request} with its {@code operation} calls held {@code hold} in ARM; returns once one is. */
    String startHeld(CmkRequest request, String operation, String activityType, Duration hold) {
        stack.arm().latency().forOperation(operation, hold);
        assertThat(stack.starter().start(new CmkWorkflowInput(request)
                .withActivityTimeoutCap(ACTIVITY_TIMEOUT_CAP)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        String workflowId = workflowId(request);
        awaitInFlight(workflowId, operation, activityType);
        return workflowId;
    }

    /** The activity types the run is waiting for (describe's pending activities). */
    List<String> pendingActivities(String workflowId) {
        WorkflowClient client = stack.client();
        return client.getWorkflowServiceStubs().blockingStub().describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(client.getOptions().getNamespace())
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId)).build())
                .getPendingActivitiesList().stream().map(PendingActivityInfo::getActivityType)
                .map(type -> type.getName()).toList();
    }

    /** Waits until the run's pending activity is {@code activityType} and its {@code operation} call is held in ARM. */
    void awaitInFlight(String workflowId, String operation, String activityType) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                stack.arm().operationsInFlight().contains(operation)
                        && pendingActivities(workflowId).stream().anyMatch(activityType::equalsIgnoreCase));
    }

    static String workflowId(CmkRequest request) {
        return WorkflowIds.forRequest(request);
    }
}
