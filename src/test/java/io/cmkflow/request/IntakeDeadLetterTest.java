package io.cmkflow.request;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.TestRequests;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every request the intake dead-letters gets a `rejected` event with its reason: when the status queue refuses the
 * event (SendDisabled) the intake retries it for status-event-timeout and then dead-letters saying the event is
 * missing; and a request that cannot be started through its last delivery is dead-lettered by the intake, with its
 * event, instead of by the broker without one. Temporal is unreachable here (nothing listens on its port).
 */
class IntakeDeadLetterTest {
    @RegisterExtension
    static CmkStack stack = CmkStack.builder().worker(false)
            .requestQueue(QueueDefinition.withDefaults(CmkStack.REQUESTS).withMaxDeliveryCount(2))
            .property("cmkflow.temporal.address", "localhost:" + FreePorts.next())
            .property("cmkflow.temporal.rpc-retry-expiration", "PT1S")
            .property("cmkflow.servicebus.max-delivery-count", 2)
            .property("cmkflow.servicebus.max-lock-renewal", "PT3S")
            .property("cmkflow.servicebus.settle-timeout", "PT1S")
            .property("cmkflow.servicebus.status-event-timeout", "PT3S")
            .property("cmkflow.intake.circuit.probe-initial-backoff", "PT0.5S")
            .property("cmkflow.intake.circuit.probe-max-backoff", "PT1S")
            .build();

    @AfterEach
    void enableStatusQueue() {
        stack.serviceBus().sendDisabled(CmkStack.STATUS, false);
    }

    @Test
    void aRejectedEventTheStatusQueueRefusesPastTheBoundLeavesADeadLetterSayingSo() {
        stack.serviceBus().sendDisabled(CmkStack.STATUS, true);

        send("not-json-refused", "this is not JSON");

        QueuedMessage dead = awaitDeadLetter("not-json-refused");
        assertThat(dead.deadLetterReason()).isEqualTo(RejectionReason.MalformedJson.name());
        assertThat(dead.deadLetterErrorDescription())
                .contains("the rejected event could not be sent to the status queue within PT3S")
                .contains("disabled for Send operations");
        assertThat(stack.serviceBus().queue(CmkStack.STATUS).refusedSends()).isGreaterThan(1);
        assertThat(stack.status().of("not-json-refused")).isEmpty();
    }

    @Test
    void aRejectedEventIsSentOnceTheStatusQueueTakesItAgainWithinTheBound() {
        stack.serviceBus().sendDisabled(CmkStack.STATUS, true);
        int refusedBefore = stack.serviceBus().queue(CmkStack.STATUS).refusedSends();

        send("not-json-late", "still not JSON");
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.serviceBus().queue(CmkStack.STATUS).refusedSends() > refusedBefore);
        stack.serviceBus().sendDisabled(CmkStack.STATUS, false);

        ReceivedEvent rejected = stack.status().awaitType("not-json-late", StatusEvent.Type.rejected, Duration.ofSeconds(10));
        assertThat(rejected.event().message()).startsWith(RejectionReason.MalformedJson.name());
        QueuedMessage dead = awaitDeadLetter("not-json-late");
        assertThat(dead.deadLetterReason()).isEqualTo(RejectionReason.MalformedJson.name());
        assertThat(dead.deadLetterErrorDescription()).doesNotContain("could not be sent");
    }

    @Test
    void aRequestTemporalNeverAnsweredForIsDeadLetteredOnItsLastDeliveryWithARejectedEvent() {
        MeterRegistry metrics = stack.app().getBean(MeterRegistry.class);

        stack.send(TestRequests.json("req-never-started", "mlw-never-started"));

        QueuedMessage dead = awaitDeadLetter("req-never-started");
        assertThat(dead.deadLetterReason()).isEqualTo(RejectionReason.TemporalUnavailable.name());
        assertThat(dead.deliveryCount()).isEqualTo(2);
        assertThat(dead.deadLetterErrorDescription()).contains("Temporal stayed unreachable").contains("on delivery 2 of 2");
        ReceivedEvent rejected = stack.status().awaitType("req-never-started", StatusEvent.Type.rejected, Duration.ofSeconds(10));
        assertThat(rejected.event().message()).startsWith(RejectionReason.TemporalUnavailable.name());
        assertThat(metrics.get(IntakeMetrics.MESSAGES).tag("outcome", "abandoned").counter().count()).isEqualTo(1.0);
        assertThat(metrics.get(IntakeMetrics.MESSAGES).tags("outcome", "dead_lettered", "reason", "TemporalUnavailable")
                .counter().count()).isEqualTo(1.0);
    }

    private static void send(String messageId, String body) {
        stack.send(new ServiceBusMessage(BinaryData.fromString(body)).setMessageId(messageId).setContentType("application/json"));
    }

    private static QueuedMessage awaitDeadLetter(String messageId) {
        return await().atMost(Duration.ofSeconds(30)).until(() -> find(messageId), Optional::isPresent).orElseThrow();
    }

    private static Optional<QueuedMessage> find(String messageId) {
        return stack.requestQueue().deadLetters().stream().filter(m -> messageId.equals(m.messageId())).findFirst();
    }
}
