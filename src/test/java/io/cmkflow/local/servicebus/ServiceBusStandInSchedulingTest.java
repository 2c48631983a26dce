package io.cmkflow.local.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.ServiceBusMessageState;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Scheduled messages with the Java client: the management node's schedule and cancel, and the send annotation. */
class ServiceBusStandInSchedulingTest {

    private static ServiceBusStandIn standIn;
    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startStandIn() {
        standIn = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(QueueDefinition.withDefaults("scheduled"),
                        QueueDefinition.withDefaults("annotated")))
                .build());
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @AfterEach
    void closeClients() throws Exception {
        for (AutoCloseable client : clients) {
            client.close();
        }
    }

    @Test
    void aScheduledMessageIsHeldUntilItsTimeAndACancelledOneNeverArrives() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("scheduled").buildClient());
        OffsetDateTime at = OffsetDateTime.now().plusSeconds(2).truncatedTo(ChronoUnit.MILLIS);

        long kept = sender.scheduleMessage(new ServiceBusMessage("on time").setMessageId("s-1"), at);
        long cancelled = sender.scheduleMessage(new ServiceBusMessage("never").setMessageId("s-2"), at.plusHours(1));

        assertThat(cancelled).isGreaterThan(kept);
        assertThat(standIn.queue("scheduled").scheduledCount()).isEqualTo(2);
        assertThat(standIn.queue("scheduled").activeCount()).isZero();
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("scheduled").buildClient());
        assertThat(receiver.peekMessages(2)).extracting(ServiceBusReceivedMessage::getState)
                .containsOnly(ServiceBusMessageState.SCHEDULED);
        sender.cancelScheduledMessage(cancelled);
        assertThat(standIn.queue("scheduled").scheduledMessages()).extracting(QueuedMessage::messageId)
                .containsExactly("s-1");

        ServiceBusReceivedMessage received = receiveOne(receiver);

        assertThat(OffsetDateTime.now()).isAfterOrEqualTo(at.minusNanos(100_000_000));
        assertThat(received.getSequenceNumber()).isEqualTo(kept);
        assertThat(received.getBody().toString()).isEqualTo("on time");
        assertThat(received.getScheduledEnqueueTime().toInstant()).isEqualTo(at.toInstant());
        receiver.complete(received);
        assertThat(standIn.queue("scheduled").scheduledCount()).isZero();
        assertThat(standIn.queue("scheduled").activeCount()).isZero();
    }

    @Test
    void aMessageSentWithAScheduledEnqueueTimeIsHeldLikeAScheduledOne() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("annotated").buildClient());

        sender.sendMessage(new ServiceBusMessage("later").setMessageId("a-1")
                .setScheduledEnqueueTime(OffsetDateTime.now().plusSeconds(1)));

        assertThat(standIn.queue("annotated").scheduledCount()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> standIn.queue("annotated").activeCount() == 1);
        assertThat(standIn.queue("annotated").scheduledCount()).isZero();
    }

    private ServiceBusReceivedMessage receiveOne(ServiceBusReceiverClient receiver) {
        List<ServiceBusReceivedMessage> received = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            receiver.receiveMessages(1, Duration.ofSeconds(1)).forEach(received::add);
            return !received.isEmpty();
        });
        return received.get(0);
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    private static com.azure.messaging.servicebus.ServiceBusClientBuilder builder() {
        return ServiceBusStandInConformanceTest.builder(standIn.connectionString(), Duration.ofSeconds(5));
    }
}
