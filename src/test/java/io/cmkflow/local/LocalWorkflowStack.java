package io.cmkflow.local;

import io.cmkflow.azure.ArmConnection;
import io.cmkflow.azure.AzureClients;
import io.cmkflow.azure.AzureCompensationActivities;
import io.cmkflow.azure.AzureProvisioningActivities;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.workflow.StatusPublisher;
import io.temporal.client.WorkflowClient;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.testserver.TestServer;
import io.temporal.worker.WorkerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * The parts a run goes through, as the local default wires them: the Temporal test server bound to a port (real
 * time) reached over gRPC by a normal client and worker, the Azure activities with the real SDK against the ARM
 * simulator, and the starter the intake uses. Status events are kept in memory: users of this stack (the workflow
 * benchmark, visibility tests) are about the workflow, not Service Bus.
 */
public final class LocalWorkflowStack implements AutoCloseable {


    /** Status events as published, in arrival order. */
    public static final class PublishedEvents implements StatusPublisher {
        public final List<StatusEvent> events = new CopyOnWriteArrayList<>();

        @Override
        public void publish(StatusEvent event) {
            events.add(event);
        }
    }

    public final ArmSimulator arm;
    public final WorkflowClient client;
    public final CmkWorkflowStarter starter;
    public final PublishedEvents events = new PublishedEvents();
    private final TestServer.PortBoundTestServer temporalServer;
    private final WorkflowServiceStubs stubs;
    private final WorkerFactory workers;

    private LocalWorkflowStack(ArmSimulatorOptions armOptions, PollingPolicy polling) {
        arm = ArmSimulator.start(armOptions);
        int port = FreePorts.next();
        temporalServer = TestServer.createPortBoundServer(port);
        stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder().setTarget("localhost:" + port).build());
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel()).validateAndBuildWithDefaults());
        CmkSearchAttributes.register(operator, "default");
        operator.shutdown();
        client = WorkflowClient.newInstance(stubs);
        workers = WorkerFactory.newInstance(client);
        AzureClients azure = new AzureClients(ArmConnection.simulator(arm.azureEnvironment(), arm.sslContext()));
        CmkWorkflowWorker.register(workers, new AzureProvisioningActivities(azure, polling),
                new AzureCompensationActivities(azure, polling), events);
        workers.start();
        starter = new CmkWorkflowStarter(client, CmkWorkflowWorker.TASK_QUEUE);
    }

    public static LocalWorkflowStack start(ArmSimulatorOptions armOptions, PollingPolicy polling) {
        return new LocalWorkflowStack(armOptions, polling);
    }

    @Override
    public void close() throws InterruptedException {
        workers.shutdownNow();
        workers.awaitTermination(10, TimeUnit.SECONDS);
        stubs.shutdownNow();
        temporalServer.close();
        arm.close();
    }

}
