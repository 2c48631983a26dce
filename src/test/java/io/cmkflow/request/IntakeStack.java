package io.cmkflow.request;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.local.FreePorts;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.servicebus.EmulatorConfig;
import io.cmkflow.local.servicebus.QueueDefinition;
import io.cmkflow.local.servicebus.QueueView;
import io.cmkflow.local.servicebus.ServiceBusStandIn;
import io.cmkflow.local.servicebus.StandInOptions;
import io.micronaut.context.ApplicationContext;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The application as it runs in production, in-process: the Micronaut context with its real intake, reached by the
 * real Service Bus client through a test-owned stand-in (so the test chooses the queues' lock duration and max
 * delivery count), with the embedded Temporal server (or a given address) and the ARM simulator.
 */
final class IntakeStack implements AutoCloseable {
    static final String REQUESTS = "cmk-requests";
    static final String STATUS = "cmk-status";
    static final String REPLIES = "cmk-replies";

    final ServiceBusStandIn serviceBus;
    final ApplicationContext app;
    private final ServiceBusClientBuilder clients;
    private final ServiceBusSenderClient sender;
    private StatusInbox status;
    private StatusInbox replies;

    private IntakeStack(ServiceBusStandIn serviceBus, ApplicationContext app) {
        this.serviceBus = serviceBus;
        this.app = app;
        this.clients = new ServiceBusClientBuilder().connectionString(serviceBus.connectionString());
        this.sender = clients.sender().queueName(REQUESTS).buildClient();
    }

    static Builder builder() {
        return new Builder();
    }

    /** Sends a request with MessageId = its requestId and content type application/json, as upstream does. */
    void send(ObjectNode request) {
        send(new ServiceBusMessage(BinaryData.fromBytes(TestRequests.bytes(request)))
                .setMessageId(request.get("requestId").asText())
                .setContentType("application/json"));
    }

    void send(ServiceBusMessage message) {
        sender.sendMessage(message);
    }

    /** Creates the request's resource group in the simulated Azure, as it must exist before a run. */
    void seedResourceGroup(ObjectNode request) {
        arm().state().resourceGroup(request.get("subscriptionId").asText(), request.get("resourceGroup").asText(),
                request.get("location").asText());
    }

    QueueView requestQueue() {
        return serviceBus.queue(REQUESTS);
    }

    synchronized StatusInbox status() {
        if (status == null) {
            status = new StatusInbox(clients, STATUS);
        }
        return status;
    }

    synchronized StatusInbox replies() {
        if (replies == null) {
            replies = new StatusInbox(clients, REPLIES);
        }
        return replies;
    }

    ArmSimulator arm() {
        return app.getBean(ArmSimulator.class);
    }

    /** The run Temporal knows under {@code workflowId} (its latest), or empty. */
    Optional<WorkflowExecutionDescription> run(String workflowId) {
        try {
            return Optional.of(app.getBean(WorkflowClient.class)
                    .newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty()).describe());
        } catch (WorkflowNotFoundException notFound) {
            return Optional.empty();
        }
    }

    @Override
    public void close() {
        if (status != null) {
            status.close();
        }
        if (replies != null) {
            replies.close();
        }
        sender.close();
        app.close();
        serviceBus.close();
    }


    static final class Builder {
        private QueueDefinition requestQueue = QueueDefinition.withDefaults(REQUESTS)
                .withDuplicateDetection(Duration.ofMinutes(10)).withMaxDeliveryCount(5);
        private final Map<String, Object> properties = new HashMap<>();

        private Builder() {
            properties.put("cmkflow.local.workspace-operation-duration", "PT0.2S");
        }

        Builder requestQueue(QueueDefinition definition) {
            this.requestQueue = definition;
            return this;
        }

        /** Without the worker, started runs stay open: nothing executes them. */
        Builder worker(boolean enabled) {
            properties.put("cmkflow.worker.enabled", enabled);
            return this;
        }

        Builder property(String name, Object value) {
            properties.put(name, value);
            return this;
        }

        IntakeStack start() {
            ServiceBusStandIn serviceBus = ServiceBusStandIn.start(StandInOptions.builder()
                    .port(0)
                    .config(EmulatorConfig.of(requestQueue,
                            // A short lock: an event whose delivery a dropped connection cut off comes back in seconds.
                            QueueDefinition.withDefaults(STATUS).withDuplicateDetection(Duration.ofMinutes(10))
                                    .withLockDuration(Duration.ofSeconds(2)),
                            QueueDefinition.withDefaults(REPLIES).withDuplicateDetection(Duration.ofMinutes(10))))
                    .sharedAccessKey(StandInOptions.EMULATOR_KEY_NAME, StandInOptions.EMULATOR_KEY_VALUE)
                    .build());
            Map<String, Object> all = new HashMap<>(properties);
            all.put("cmkflow.servicebus.connection-string", serviceBus.connectionString());
            if (!all.containsKey("cmkflow.temporal.address")) {
                all.put("cmkflow.temporal.embedded-port", FreePorts.next());
            }
            try {
                return new IntakeStack(serviceBus, ApplicationContext.builder().deduceEnvironment(false).properties(all).start());
            } catch (RuntimeException e) {
                serviceBus.close();
                throw e;
            }
        }
    }
}
