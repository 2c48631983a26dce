package io.cmkflow.workflow;

import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import io.cmkflow.azure.AzureClients;
import io.cmkflow.azure.AzureCompensationActivities;
import io.cmkflow.azure.AzurePostureActivities;
import io.cmkflow.azure.AzureProvisioningActivities;
import io.cmkflow.azure.ManagedGroupRegistry;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.azure.TransientFaultRetryStrategy;
import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestServerInFlightRuns;
import io.temporal.client.WorkflowClient;
import io.temporal.worker.WorkerOptions;
import io.temporal.testing.TestWorkflowEnvironment;

import java.time.Duration;

/**
 * What a test class of the workflow against the ARM simulator shares: the simulator (cmkflow's least-privilege role
 * as its caller, role assignments applying after a second), the real SDK clients and activities, and the Temporal test
 * server (time skipping) with the worker; its posture scheduling is the test's, the test server having no Schedule API.
 */
record SimulatedAzureWorker(ArmSimulator sim, AzureClients clients, TestWorkflowEnvironment env, WorkflowClient client,
                            CmkWorkflowStarter starter, RecordingStatusPublisher statusSink) implements AutoCloseable {

    static final PollingPolicy FAST = new PollingPolicy(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(20));

    static SimulatedAzureWorker start(String subscription, String group, String location, PostureScheduling scheduling) {
        // The SDK's own long-running-operation polling (vault, storage) otherwise waits 30 s between polls.
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(10));
        ArmSimulator sim = ArmSimulator.start(ArmSimulatorOptions.defaults().withCallerRole(CmkStack.LEAST_PRIVILEGE)
                .withRoleAssignmentDelay(Duration.ofSeconds(1)));
        // cmkflow's own SDK retry policy, with quick delays: the simulator answers in milliseconds.
        AzureClients clients = new AzureClients(CmkStack.connectionTo(sim), new ManagedGroupRegistry(),
                new TransientFaultRetryStrategy(2, Duration.ofMillis(10), Duration.ofMillis(50)));
        sim.state().resourceGroup(subscription, group, location);
        TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance();
        CmkSearchAttributes.register(env.getOperatorServiceStubs(), env.getNamespace());
        RecordingStatusPublisher statusSink = new RecordingStatusPublisher();
        TestServerInFlightRuns inFlight = new TestServerInFlightRuns(env.getWorkflowClient());
        CmkWorkflowWorker.register(env.getWorkerFactory(), WorkerOptions.getDefaultInstance(), new AzureProvisioningActivities(clients, FAST, AuthorizationScope.everything(), inFlight),
                new AzureCompensationActivities(clients, FAST, AuthorizationScope.everything(), inFlight), statusSink, scheduling,
                new AzurePostureActivities(clients, FAST, AuthorizationScope.everything()));
        env.start();
        WorkflowClient client = env.getWorkflowClient();
        return new SimulatedAzureWorker(sim, clients, env, client, new CmkWorkflowStarter(client, CmkWorkflowWorker.TASK_QUEUE),
                statusSink);
    }

    @Override
    public void close() {
        env.close();
        sim.close();
    }
}
