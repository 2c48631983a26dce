package io.cmkflow.request;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.StatusInbox;
import io.cmkflow.testing.TestRequests;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.workflow.CmkSearchAttributes;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Every connection dropped twice while a batch flows: the clients reconnect and every message ends as a run or a dead-letter. */
class IntakeReconnectTest {
    private static final int BATCH = 50;

    // A settlement cut off by a drop can go unanswered by the client; the intake gives it up after settle-timeout,
    // its lock lapses and the broker redelivers the message (then a duplicate, completed). Short limits keep
    // that wait short; max-lock-renewal stays at its default, so only giving up releases such a message.
    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().worker(false)
            .requestQueue(QueueDefinition.withDefaults(CmkStack.REQUESTS).withDuplicateDetection(Duration.ofMinutes(10))
                    .withLockDuration(Duration.ofSeconds(2)).withMaxDeliveryCount(5))
            .property("cmkflow.servicebus.settle-timeout", "PT2S")
            .build();

    @Test
    void aBatchInterruptedByDroppedConnectionsEndsWithEveryMessageARunOrADeadLetter() {
        StatusInbox events = stack.status();
        // Every fifth request is invalid (key size 2048), so both outcomes cross the drops.
        List<ObjectNode> requests = IntStream.rangeClosed(1, BATCH).mapToObj(n -> {
            ObjectNode request = TestRequests.json("req-drop-" + n, "mlw-drop-" + n);
            if (n % 5 == 0) {
                ((ObjectNode) request.get("key")).put("size", 2048);
            }
            return request;
        }).toList();
        List<ObjectNode> valid = requests.stream().filter(r -> r.get("key").get("size").asInt() != 2048).toList();
        List<ObjectNode> invalid = requests.stream().filter(r -> r.get("key").get("size").asInt() == 2048).toList();
        int connectionsBefore = stack.serviceBus().connectionsAccepted();

        requests.forEach(stack::send);
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> stack.requestQueue().activeCount() <= BATCH * 3 / 4);
        stack.serviceBus().dropAllConnections();
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(10))
                .until(() -> stack.requestQueue().activeCount() <= BATCH / 3);
        stack.serviceBus().dropAllConnections();

        // Done once no message is left, neither waiting nor locked (a message held by a dropped connection is locked
        // until its lock lapses, then delivered again on the new connection).
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.requestQueue().activeCount() == 0
                && stack.requestQueue().lockedCount() == 0);
        // At least the application's own connection (shared by its processor and senders) came back after each drop.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(stack.serviceBus().connectionsAccepted()).isGreaterThanOrEqualTo(connectionsBefore + 2));
        assertThat(valid).allSatisfy(request -> assertThat(stack.run(TestRequests.workflowId(request)))
                .hasValueSatisfying(run -> assertThat(run.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID))
                        .isEqualTo(request.get("requestId").asText())));
        List<QueuedMessage> deadLetters = stack.requestQueue().deadLetters();
        assertThat(deadLetters).extracting(QueuedMessage::messageId)
                .containsExactlyInAnyOrderElementsOf(invalid.stream().map(r -> r.get("requestId").asText()).toList());
        assertThat(deadLetters).allSatisfy(m -> assertThat(m.deadLetterReason()).isEqualTo("SchemaViolation"));
        // One rejected event per invalid request, and no other event (the worker is off); a rejection interrupted after
        // its event was sent sends the same event id again, which duplicate detection drops. An event is either taken
        // by the test's inbox or still on the status queue: the inbox's own settlement can be cut by a drop and hang.
        String[] expected = invalid.stream().map(r -> "rejected-" + r.get("requestId").asText()).toArray(String[]::new);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<String> published = new ArrayList<>(events.all().stream().map(ReceivedEvent::messageId).toList());
            stack.serviceBus().queue(CmkStack.STATUS).activeMessages().forEach(m -> published.add(m.messageId()));
            assertThat(published).containsOnly(expected);
        });
        assertThat(stack.serviceBus().queue(CmkStack.STATUS).activeMessages()).extracting(QueuedMessage::messageId)
                .doesNotHaveDuplicates();
        assertThat(stack.app().getBean(RequestIntake.class).isRunning()).isTrue();
    }
}
