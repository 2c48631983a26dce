package io.cmkflow.standins.servicebus;

import java.util.List;
import java.util.function.Function;

/**
 * Read access to one queue of a running stand-in, for tests. Each call takes a consistent snapshot on the reactor
 * thread, so it is safe from any thread and never sees a half-applied settlement.
 */
public final class QueueView {

    private final String name;
    private final ServiceBusStandIn standIn;

    QueueView(String name, ServiceBusStandIn standIn) {
        this.name = name;
        this.standIn = standIn;
    }

    public String name() {
        return name;
    }

    /** Messages available or locked, as Service Bus counts ActiveMessageCount (deferred ones are not active). */
    public int activeCount() {
        return onQueue(queue -> queue.activeMessages().size());
    }

    /** Messages a receiver holds the lock of now. */
    public int lockedCount() {
        return onQueue(MessageEntity::lockedCount);
    }

    /** Successful renew-lock requests since start. */
    public int lockRenewals() {
        return onQueue(MessageEntity::lockRenewals);
    }

    /** Sends refused since start because the queue was SendDisabled ({@link ServiceBusStandIn#sendDisabled}). */
    public int refusedSends() {
        return onQueue(MessageEntity::refusedSends);
    }

    public int deferredCount() {
        return onQueue(queue -> queue.deferredMessages().size());
    }

    /** Messages scheduled for a later enqueue time and not yet enqueued (not counted as active). */
    public int scheduledCount() {
        return onQueue(queue -> queue.scheduledMessages().size());
    }

    public int deadLetterCount() {
        return onQueue(queue -> queue.deadLetterQueue().activeMessages().size());
    }

    /** Scheduled messages in sequence order. */
    public List<QueuedMessage> scheduledMessages() {
        return onQueue(queue -> queue.scheduledMessages().stream().map(QueuedMessage::of).toList());
    }

    /** Active messages in sequence order. */
    public List<QueuedMessage> activeMessages() {
        return onQueue(queue -> queue.activeMessages().stream().map(QueuedMessage::of).toList());
    }

    public List<QueuedMessage> deferredMessages() {
        return onQueue(queue -> queue.deferredMessages().stream().map(QueuedMessage::of).toList());
    }

    /** The dead-letter sub-queue's messages, with their DeadLetterReason and DeadLetterErrorDescription. */
    public List<QueuedMessage> deadLetters() {
        return onQueue(queue -> queue.deadLetterQueue().activeMessages().stream().map(QueuedMessage::of).toList());
    }

    private <T> T onQueue(Function<MessageEntity, T> read) {
        return standIn.onReactor(broker -> read.apply(broker.entity(name)));
    }
}
