package io.cmkflow.standins.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.azure.core.amqp.AmqpRetryMode;
import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusErrorContext;
import com.azure.messaging.servicebus.ServiceBusException;
import com.azure.messaging.servicebus.ServiceBusFailureReason;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessageContext;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusMessageState;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import com.azure.messaging.servicebus.models.SubQueue;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The real azure-messaging-servicebus client against the stand-in, one test per exchange of docs/servicebus-wire-contract.md, so
 * the stand-in cannot drift from what the client needs; scheduled messages too (the management node's schedule and
 * cancel, and the send annotation).
 */
class ServiceBusStandInConformanceTest {

    private static final Duration TRY_TIMEOUT = Duration.ofSeconds(5);
    private static ServiceBusStandIn standIn;

    private final List<AutoCloseable> clients = new ArrayList<>();

    @BeforeAll
    static void startStandIn() {
        standIn = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(
                        QueueDefinition.withDefaults("auth"),
                        QueueDefinition.withDefaults("single"),
                        QueueDefinition.withDefaults("batch"),
                        QueueDefinition.withDefaults("processor"),
                        QueueDefinition.withDefaults("abandon").withMaxDeliveryCount(3),
                        QueueDefinition.withDefaults("dead-letter"),
                        QueueDefinition.withDefaults("defer"),
                        QueueDefinition.withDefaults("lock-expiry").withLockDuration(Duration.ofSeconds(1)),
                        QueueDefinition.withDefaults("renew").withLockDuration(Duration.ofSeconds(2)),
                        QueueDefinition.withDefaults("peek"),
                        QueueDefinition.withDefaults("dedup").withDuplicateDetection(Duration.ofMinutes(1)),
                        QueueDefinition.withDefaults("expiry").withTimeToLive(Duration.ofMinutes(1), true),
                        QueueDefinition.withDefaults("receive-and-delete"),
                        QueueDefinition.withDefaults("scheduled"),
                        QueueDefinition.withDefaults("annotated")))
                .sharedAccessKey("RootManageSharedAccessKey", "test-key-value")
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
    void aTokenSignedWithTheWrongKeyIsRefusedAndTheClientReportsUnauthorized() {
        int refusedBefore = standIn.refusedTokens();
        String wrongKey = standIn.connectionString().replace("test-key-value", "not-the-key");
        ServiceBusSenderClient sender = track(builder(wrongKey).sender().queueName("auth").buildClient());

        assertThatThrownBy(() -> sender.sendMessage(new ServiceBusMessage("never stored")))
                .isInstanceOfSatisfying(ServiceBusException.class,
                        e -> assertThat(e.getReason()).isEqualTo(ServiceBusFailureReason.UNAUTHORIZED));
        assertThat(standIn.refusedTokens()).isGreaterThan(refusedBefore);
        assertThat(standIn.queue("auth").activeCount()).isZero();
    }

    @Test
    void aSingleMessageArrivesWithItsPropertiesAndBrokerAnnotationsAndIsCompleted() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("single").buildClient());
        ServiceBusMessage sent = new ServiceBusMessage("{\"requestId\":\"r-1\"}")
                .setMessageId("r-1").setSubject("cmk-request").setContentType("application/json");
        sent.getApplicationProperties().put("schemaVersion", "1");
        sender.sendMessage(sent);

        assertThat(standIn.queue("single").activeMessages()).singleElement()
                .satisfies(m -> assertThat(m.messageId()).isEqualTo("r-1"));
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("single").buildClient());
        ServiceBusReceivedMessage received = receiveOne(receiver);

        assertThat(received.getBody().toString()).isEqualTo("{\"requestId\":\"r-1\"}");
        assertThat(received.getMessageId()).isEqualTo("r-1");
        assertThat(received.getSubject()).isEqualTo("cmk-request");
        assertThat(received.getContentType()).isEqualTo("application/json");
        assertThat(received.getApplicationProperties()).containsEntry("schemaVersion", "1");
        assertThat(received.getDeliveryCount()).isZero();
        assertThat(received.getSequenceNumber()).isPositive();
        assertThat(received.getEnqueuedTime()).isNotNull();
        assertThat(received.getLockedUntil()).isAfter(OffsetDateTime.now().plusSeconds(30));
        assertThat(standIn.queue("single").lockedCount()).isEqualTo(1);

        receiver.complete(received);

        assertThat(standIn.queue("single").activeCount()).isZero();
    }

    @Test
    void aBatchIsStoredAsSeparateMessagesInOrder() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("batch").buildClient());
        ServiceBusMessageBatch batch = sender.createMessageBatch();
        for (int i = 1; i <= 3; i++) {
            assertThat(batch.tryAddMessage(new ServiceBusMessage("item-" + i).setMessageId("b-" + i))).isTrue();
        }

        sender.sendMessages(batch);

        assertThat(standIn.queue("batch").activeMessages())
                .extracting(QueuedMessage::messageId, QueuedMessage::bodyAsString)
                .containsExactly(
                        tuple("b-1", "item-1"),
                        tuple("b-2", "item-2"),
                        tuple("b-3", "item-3"));
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("batch").buildClient());
        List<String> bodies = new ArrayList<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            receiver.receiveMessages(3, Duration.ofSeconds(1)).forEach(m -> {
                bodies.add(m.getBody().toString());
                receiver.complete(m);
            });
            return bodies.size() == 3;
        });
        assertThat(bodies).containsExactly("item-1", "item-2", "item-3");
    }

    @Test
    void aProcessorReceivesInPeekLockAndCompletesEveryMessage() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("processor").buildClient());
        IntStream.rangeClosed(1, 5).forEach(i -> sender.sendMessage(new ServiceBusMessage("p-" + i)));
        Map<String, Integer> handled = new ConcurrentHashMap<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();

        startProcessor("processor", 2, Duration.ZERO, context -> {
            handled.merge(context.getMessage().getBody().toString(), 1, Integer::sum);
            context.complete();
        }, errors);

        await().atMost(Duration.ofSeconds(10)).until(() -> standIn.queue("processor").activeCount() == 0);
        assertThat(handled).containsOnlyKeys("p-1", "p-2", "p-3", "p-4", "p-5").allSatisfy((k, v) -> assertThat(v)
                .isEqualTo(1));
        assertThat(errors).isEmpty();
    }

    @Test
    void abandonRedeliversWithDeliveryCountPlusOneUntilMaxDeliveryCountDeadLettersIt() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("abandon").buildClient());
        sender.sendMessage(new ServiceBusMessage("poison").setMessageId("poison-1"));
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("abandon").buildClient());

        for (int attempt = 0; attempt < 3; attempt++) {
            ServiceBusReceivedMessage received = receiveOne(receiver);
            assertThat(received.getMessageId()).isEqualTo("poison-1");
            assertThat(received.getDeliveryCount()).isEqualTo(attempt);
            receiver.abandon(received);
        }

        assertThat(standIn.queue("abandon").activeCount()).isZero();
        assertThat(standIn.queue("abandon").deadLetters()).singleElement().satisfies(m -> {
            assertThat(m.messageId()).isEqualTo("poison-1");
            assertThat(m.deadLetterReason()).isEqualTo("MaxDeliveryCountExceeded");
        });
        ServiceBusReceiverClient deadLetters = track(builder().receiver().queueName("abandon")
                .subQueue(SubQueue.DEAD_LETTER_QUEUE).buildClient());
        ServiceBusReceivedMessage deadLettered = receiveOne(deadLetters);
        assertThat(deadLettered.getMessageId()).isEqualTo("poison-1");
        assertThat(deadLettered.getDeadLetterReason()).isEqualTo("MaxDeliveryCountExceeded");
        deadLetters.complete(deadLettered);
        assertThat(standIn.queue("abandon").deadLetterCount()).isZero();
    }

    @Test
    void anExplicitDeadLetterKeepsReasonAndDescriptionForTheDeadLetterReceiver() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("dead-letter").buildClient());
        sender.sendMessage(new ServiceBusMessage("{\"subscriptionId\":\"nope\"}").setMessageId("bad-1"));
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("dead-letter").buildClient());

        receiver.deadLetter(receiveOne(receiver), new DeadLetterOptions()
                .setDeadLetterReason("InvalidRequest")
                .setDeadLetterErrorDescription("subscriptionId: must be a GUID"));

        assertThat(standIn.queue("dead-letter").activeCount()).isZero();
        ServiceBusReceiverClient deadLetters = track(builder().receiver().queueName("dead-letter")
                .subQueue(SubQueue.DEAD_LETTER_QUEUE).buildClient());
        ServiceBusReceivedMessage deadLettered = receiveOne(deadLetters);
        assertThat(deadLettered.getMessageId()).isEqualTo("bad-1");
        assertThat(deadLettered.getBody().toString()).isEqualTo("{\"subscriptionId\":\"nope\"}");
        assertThat(deadLettered.getDeadLetterReason()).isEqualTo("InvalidRequest");
        assertThat(deadLettered.getDeadLetterErrorDescription()).isEqualTo("subscriptionId: must be a GUID");
    }

    @Test
    void aDeferredMessageIsSkippedByReceiversUntilReceivedBySequenceNumber() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("defer").buildClient());
        sender.sendMessage(new ServiceBusMessage("later").setMessageId("d-1"));
        sender.sendMessage(new ServiceBusMessage("now").setMessageId("d-2"));
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("defer").buildClient());

        ServiceBusReceivedMessage first = receiveOne(receiver);
        assertThat(first.getMessageId()).isEqualTo("d-1");
        receiver.defer(first);
        ServiceBusReceivedMessage next = receiveOne(receiver);
        assertThat(next.getMessageId()).isEqualTo("d-2");
        receiver.complete(next);

        assertThat(standIn.queue("defer").deferredMessages()).singleElement()
                .satisfies(m -> assertThat(m.messageId()).isEqualTo("d-1"));
        ServiceBusReceivedMessage deferred = receiver.receiveDeferredMessage(first.getSequenceNumber());
        assertThat(deferred.getBody().toString()).isEqualTo("later");
        receiver.complete(deferred);
        assertThat(standIn.queue("defer").deferredCount()).isZero();
        assertThat(standIn.queue("defer").activeCount()).isZero();
    }

    @Test
    void anExpiredLockRedeliversTheMessageAndSettlingTheStaleCopyReportsLockLost() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("lock-expiry").buildClient());
        sender.sendMessage(new ServiceBusMessage("slow").setMessageId("e-1"));
        // The receiver renews locks by default; switched off, the 1 s lock runs out while the message is held.
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("lock-expiry")
                .maxAutoLockRenewDuration(Duration.ZERO).buildClient());

        ServiceBusReceivedMessage stale = receiveOne(receiver);
        await().atMost(Duration.ofSeconds(5)).until(() -> standIn.queue("lock-expiry").lockedCount() == 0);
        ServiceBusReceivedMessage redelivered = receiveOne(receiver);

        assertThat(redelivered.getMessageId()).isEqualTo("e-1");
        assertThat(redelivered.getDeliveryCount()).isEqualTo(1);
        assertThat(redelivered.getLockToken()).isNotEqualTo(stale.getLockToken());
        assertThatThrownBy(() -> receiver.complete(stale)).isInstanceOfSatisfying(ServiceBusException.class,
                e -> assertThat(e.getReason()).isEqualTo(ServiceBusFailureReason.MESSAGE_LOCK_LOST));
        receiver.complete(redelivered);
        assertThat(standIn.queue("lock-expiry").activeCount()).isZero();
    }

    @Test
    void autoLockRenewalKeepsTheLockOfAHandlerSlowerThanTheLockDuration() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("renew").buildClient());
        sender.sendMessage(new ServiceBusMessage("slow work").setMessageId("renew-1"));
        AtomicInteger deliveries = new AtomicInteger();
        AtomicInteger completions = new AtomicInteger();
        List<OffsetDateTime> firstLockEnds = new CopyOnWriteArrayList<>();
        List<Throwable> errors = new CopyOnWriteArrayList<>();

        // The handler holds the message until the client has renewed its 2 s lock three times (about 1 s apart),
        // so it outlives the lock it was given; only the renewals let its completion succeed.
        startProcessor("renew", 2, Duration.ofSeconds(30), context -> {
            deliveries.incrementAndGet();
            firstLockEnds.add(context.getMessage().getLockedUntil());
            await().atMost(Duration.ofSeconds(10)).until(() -> standIn.queue("renew").lockRenewals() >= 3);
            context.complete();
            completions.incrementAndGet();
        }, errors);

        await().atMost(Duration.ofSeconds(15)).until(() -> completions.get() == 1);
        assertThat(OffsetDateTime.now()).isAfter(firstLockEnds.get(0));
        assertThat(deliveries.get()).isEqualTo(1);
        assertThat(errors).isEmpty();
        assertThat(standIn.queue("renew").activeCount()).isZero();
        assertThat(standIn.queue("renew").deadLetterCount()).isZero();
    }

    @Test
    void peekReadsMessagesInOrderWithoutLockingThem() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("peek").buildClient());
        IntStream.rangeClosed(1, 3).forEach(i -> sender.sendMessage(new ServiceBusMessage("peek-" + i)));
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("peek").buildClient());

        List<ServiceBusReceivedMessage> peeked = receiver.peekMessages(3).stream().toList();

        assertThat(peeked).extracting(m -> m.getBody().toString()).containsExactly("peek-1", "peek-2", "peek-3");
        assertThat(peeked).extracting(ServiceBusReceivedMessage::getSequenceNumber).isSorted().doesNotHaveDuplicates();
        assertThat(receiver.peekMessage()).as("nothing after the last peeked message").isNull();
        assertThat(standIn.queue("peek").lockedCount()).isZero();
        assertThat(standIn.queue("peek").activeCount()).isEqualTo(3);
    }

    @Test
    void anUnknownQueueFailsQuicklyWithEntityNotFound() {
        ServiceBusSenderClient sender = track(builder(standIn.connectionString(), Duration.ofSeconds(20))
                .sender().queueName("no-such-queue").buildClient());

        long start = System.nanoTime();
        assertThatThrownBy(() -> sender.sendMessage(new ServiceBusMessage("lost")))
                .isInstanceOfSatisfying(ServiceBusException.class, e -> assertThat(e.getReason())
                        .isEqualTo(ServiceBusFailureReason.MESSAGING_ENTITY_NOT_FOUND));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).as("well before the 20 s try timeout")
                .isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aSecondMessageWithTheSameMessageIdWithinTheWindowIsDropped() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("dedup").buildClient());

        sender.sendMessage(new ServiceBusMessage("first").setMessageId("same-id"));
        sender.sendMessage(new ServiceBusMessage("resend").setMessageId("same-id"));
        sender.sendMessage(new ServiceBusMessage("other").setMessageId("other-id"));

        assertThat(standIn.queue("dedup").activeMessages())
                .extracting(QueuedMessage::messageId, QueuedMessage::bodyAsString)
                .containsExactly(tuple("same-id", "first"),
                        tuple("other-id", "other"));
    }

    @Test
    void aMessagePastItsTimeToLiveIsDeadLetteredWhenTheQueueSaysSo() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("expiry").buildClient());

        sender.sendMessage(new ServiceBusMessage("stale").setMessageId("ttl-1").setTimeToLive(Duration.ofMillis(300)));

        await().atMost(Duration.ofSeconds(5)).until(() -> standIn.queue("expiry").deadLetterCount() == 1);
        assertThat(standIn.queue("expiry").activeCount()).isZero();
        assertThat(standIn.queue("expiry").deadLetters()).singleElement().satisfies(m -> {
            assertThat(m.messageId()).isEqualTo("ttl-1");
            assertThat(m.deadLetterReason()).isEqualTo("TTLExpiredException");
        });
    }

    @Test
    void receiveAndDeleteRemovesTheMessageOnDelivery() {
        ServiceBusSenderClient sender = track(builder().sender().queueName("receive-and-delete").buildClient());
        sender.sendMessage(new ServiceBusMessage("once"));
        ServiceBusReceiverClient receiver = track(builder().receiver().queueName("receive-and-delete")
                .receiveMode(ServiceBusReceiveMode.RECEIVE_AND_DELETE).buildClient());

        ServiceBusReceivedMessage received = receiveOne(receiver);

        assertThat(received.getBody().toString()).isEqualTo("once");
        assertThat(standIn.queue("receive-and-delete").activeCount()).isZero();
        assertThat(standIn.queue("receive-and-delete").lockedCount()).isZero();
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

    private void startProcessor(String queue, int concurrency, Duration lockRenewal,
                                Consumer<ServiceBusReceivedMessageContext> handler, List<Throwable> errors) {
        ServiceBusProcessorClient processor = builder().processor().queueName(queue)
                .receiveMode(ServiceBusReceiveMode.PEEK_LOCK)
                .disableAutoComplete()
                .maxConcurrentCalls(concurrency)
                .maxAutoLockRenewDuration(lockRenewal)
                .processMessage(handler)
                .processError((ServiceBusErrorContext context) -> errors.add(context.getException()))
                .buildProcessorClient();
        processor.start();
        clients.add(processor);
    }

    private <T extends AutoCloseable> T track(T client) {
        clients.add(client);
        return client;
    }

    private static ServiceBusClientBuilder builder() {
        return builder(standIn.connectionString());
    }

    private static ServiceBusClientBuilder builder(String connectionString) {
        return builder(connectionString, TRY_TIMEOUT);
    }

    static ServiceBusClientBuilder builder(String connectionString, Duration tryTimeout) {
        return new ServiceBusClientBuilder()
                .connectionString(connectionString)
                .retryOptions(new AmqpRetryOptions()
                        .setMode(AmqpRetryMode.FIXED)
                        .setTryTimeout(tryTimeout)
                        .setDelay(Duration.ofMillis(200))
                        .setMaxRetries(5));
    }
}
