package io.cmkflow.request;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.StatusInbox;
import io.cmkflow.testing.TestRequests;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.local.FreePorts;
import io.cmkflow.local.servicebus.QueueDefinition;
import io.cmkflow.local.servicebus.QueuedMessage;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** While Temporal is unreachable the intake abandons every request; once it is back each becomes a run, none lost. */
class IntakeTemporalOutageTest {
    private final int temporalPort = FreePorts.next();
    private TestServer.PortBoundTestServer temporal = startTemporal();
    @RegisterExtension
    final CmkStack stack = CmkStack.builder().worker(false)
            .requestQueue(QueueDefinition.withDefaults(CmkStack.REQUESTS).withMaxDeliveryCount(1000))
            .property("cmkflow.temporal.address", "localhost:" + temporalPort)
            .property("cmkflow.temporal.rpc-retry-expiration", "PT1S")
            .property("cmkflow.servicebus.max-concurrent-calls", 8)
            .build();

    @AfterEach
    void stopTemporal() {
        temporal.close();
    }

    @Test
    void requestsSentWhileTemporalIsDownAreAbandonedAndAllRunOnceItIsBack() {
        ObjectNode before = TestRequests.json("req-before-outage", "mlw-before-outage");
        stack.send(before);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.run(TestRequests.workflowId(before)).isPresent());
        List<ObjectNode> requests = IntStream.rangeClosed(1, 5)
                .mapToObj(n -> TestRequests.json("req-outage-" + n, "mlw-outage-" + n)).toList();

        temporal.close();
        requests.forEach(stack::send);

        // Each message comes back after a failed start: abandoned, not dead-lettered, and redelivered.
        await().atMost(Duration.ofSeconds(30)).until(() -> {
            List<QueuedMessage> waiting = stack.requestQueue().activeMessages();
            return waiting.size() == requests.size() && waiting.stream().allMatch(m -> m.deliveryCount() >= 2);
        });
        assertThat(stack.requestQueue().deadLetterCount()).isZero();

        temporal = startTemporal();

        await().atMost(Duration.ofSeconds(60)).until(() -> stack.requestQueue().activeCount() == 0);
        assertThat(stack.requestQueue().deadLetterCount()).isZero();
        assertThat(requests).allSatisfy(request -> assertThat(stack.run(TestRequests.workflowId(request)))
                .hasValueSatisfying(run -> assertThat(run.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID))
                        .isEqualTo(request.get("requestId").asText())));
        assertThat(stack.status().all()).isEmpty();
        assertThat(stack.app().getBean(RequestIntake.class).isRunning()).isTrue();
    }

    /** A fresh server knows no custom search attributes: register them, as a real cluster's administrator would have. */
    private TestServer.PortBoundTestServer startTemporal() {
        TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(temporalPort);
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setTarget("localhost:" + temporalPort).validateAndBuildWithDefaults());
        try {
            CmkSearchAttributes.register(operator, "default");
        } finally {
            operator.shutdown();
        }
        return server;
    }
}
