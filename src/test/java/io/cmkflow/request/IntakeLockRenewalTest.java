package io.cmkflow.request;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.standins.servicebus.EmulatorConfig;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.standins.servicebus.QueueView;
import io.cmkflow.standins.servicebus.ServiceBusStandIn;
import io.cmkflow.standins.servicebus.StandInOptions;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.testserver.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A handler slower than the queue's lock keeps its message: the intake's processor renews the lock, so the message is
 * handled once and completed, not redelivered to a second handler.
 */
class IntakeLockRenewalTest {
    private static final Duration LOCK = Duration.ofSeconds(2);

    private final int temporalPort = FreePorts.next();
    private final TestServer.PortBoundTestServer temporal = TestServer.createPortBoundServer(temporalPort);
    private final WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
            WorkflowServiceStubsOptions.newBuilder().setTarget("localhost:" + temporalPort).build());
    private final ServiceBusStandIn serviceBus = ServiceBusStandIn.start(StandInOptions.builder()
            .port(0)
            .config(EmulatorConfig.of(QueueDefinition.withDefaults(CmkStack.REQUESTS).withLockDuration(LOCK),
                    QueueDefinition.withDefaults(CmkStack.STATUS)))
            .sharedAccessKey(StandInOptions.EMULATOR_KEY_NAME, StandInOptions.EMULATOR_KEY_VALUE)
            .build());
    private RequestIntake intake;
    private StatusEventSender events;
    private IntakeCircuit circuit;

    @AfterEach
    void stop() {
        if (intake != null) {
            intake.close();
        }
        if (events != null) {
            events.close();
        }
        if (circuit != null) {
            circuit.close();
        }
        serviceBus.close();
        stubs.shutdown();
        temporal.close();
    }

    @Test
    void aStartSlowerThanTheLockIsHandledOnceAndCompleted() {
        registerSearchAttributes();
        WorkflowClient client = WorkflowClient.newInstance(stubs);
        QueueView requests = serviceBus.queue(CmkStack.REQUESTS);
        AtomicInteger starts = new AtomicInteger();
        // Holds each start until the broker has renewed the lock three times (the lock would have run out by then).
        CmkWorkflowStarter slowStarter = new CmkWorkflowStarter(client, CmkWorkflowWorker.TASK_QUEUE) {
            @Override
            public StartResult start(CmkWorkflowInput input) {
                starts.incrementAndGet();
                await().atMost(Duration.ofSeconds(20)).until(() -> requests.lockRenewals() >= 3);
                return super.start(input);
            }
        };
        IntakeSettings settings = new IntakeSettings(serviceBus.connectionString(), null, CmkStack.REQUESTS, CmkStack.STATUS,
                4, 0, 262_144, Duration.ofMinutes(5), Duration.ofSeconds(30), Duration.ofSeconds(30), 10, null, null);
        ServiceBusClientBuilder clients = new ServiceBusClientBuilder().connectionString(serviceBus.connectionString());
        ObjectMapper mapper = new ObjectMapper();
        events = new StatusEventSender(clients, settings, mapper);
        IntakeMetrics metrics = new IntakeMetrics(new SimpleMeterRegistry());
        circuit = new IntakeCircuit(stubs, new CircuitSettings(Duration.ofSeconds(1), Duration.ofSeconds(5)), metrics);
        intake = new RequestIntake(clients, settings, new IntakeService(new RequestValidator(mapper, AuthorizationScope.everything()),
                slowStarter, events, settings, mapper), circuit, metrics);
        intake.start();
        ObjectNode request = TestRequests.json("req-slow-1", "mlw-slow");

        try (ServiceBusSenderClient sender = clients.sender().queueName(CmkStack.REQUESTS).buildClient()) {
            sender.sendMessage(new ServiceBusMessage(BinaryData.fromBytes(TestRequests.bytes(request)))
                    .setMessageId("req-slow-1").setContentType("application/json"));
        }

        await().atMost(Duration.ofSeconds(30)).until(() -> requests.activeCount() == 0);
        assertThat(starts).hasValue(1);
        assertThat(requests.lockRenewals()).isGreaterThanOrEqualTo(3);
        assertThat(requests.deadLetterCount()).isZero();
        assertThat(describe(client, TestRequests.workflowId(request))).hasValue("req-slow-1");
    }

    private Optional<String> describe(WorkflowClient client, String workflowId) {
        try {
            return Optional.of(client.newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty()).describe()
                    .getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID));
        } catch (WorkflowNotFoundException notFound) {
            return Optional.empty();
        }
    }

    private void registerSearchAttributes() {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel()).validateAndBuildWithDefaults());
        try {
            CmkSearchAttributes.register(operator, "default");
        } finally {
            operator.shutdown();
        }
    }
}
