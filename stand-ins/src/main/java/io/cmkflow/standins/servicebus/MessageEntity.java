package io.cmkflow.standins.servicebus;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.qpid.proton.message.Message;

/**
 * A queue, or a queue's dead-letter sub-queue, with Service Bus peek-lock semantics. Reactor thread only.
 */
final class MessageEntity {

    /** Suffix of a queue's dead-letter sub-queue path. */
    static final String DEAD_LETTER_SUFFIX = "/$deadletterqueue";

    /** What a receiver asked to happen to a locked message. */
    enum Settlement { COMPLETE, ABANDON, DEFER, DEAD_LETTER, RELEASE }

    private final String path;
    private final QueueDefinition definition;
    private final MessageEntity deadLetterQueue;
    private final TreeMap<Long, BrokeredMessage> messages = new TreeMap<>();
    private final TreeMap<Long, BrokeredMessage> available = new TreeMap<>();
    private final Map<UUID, BrokeredMessage> locks = new HashMap<>();
    private final Map<String, Instant> recentMessageIds = new HashMap<>();
    /** Scheduled messages by sequence number with their scheduled enqueue time. */
    private final TreeMap<Long, Instant> scheduled = new TreeMap<>();
    private long lastSequenceNumber;
    private int lockRenewals;
    private boolean sendDisabled;
    private int refusedSends;

    private MessageEntity(String path, QueueDefinition definition, MessageEntity deadLetterQueue) {
        this.path = path;
        this.definition = definition;
        this.deadLetterQueue = deadLetterQueue;
    }

    static MessageEntity queue(QueueDefinition definition) {
        MessageEntity deadLetters = new MessageEntity(definition.name() + DEAD_LETTER_SUFFIX, definition, null);
        return new MessageEntity(definition.name(), definition, deadLetters);
    }

    String path() {
        return path;
    }

    /** The entity's status is SendDisabled: sends are refused, receiving goes on. */
    boolean sendDisabled() {
        return sendDisabled;
    }

    void sendDisabled(boolean value) {
        sendDisabled = value;
    }

    void refuseSend() {
        refusedSends++;
    }

    int refusedSends() {
        return refusedSends;
    }

    boolean isDeadLetterQueue() {
        return deadLetterQueue == null;
    }

    /** The dead-letter sub-queue; null for a dead-letter queue itself. */
    MessageEntity deadLetterQueue() {
        return deadLetterQueue;
    }

    /**
     * Stores a sent message; one whose {@code x-opt-scheduled-enqueue-time} annotation lies ahead is held until then.
     *
     * @return false when duplicate detection dropped it (the sender is still told it was accepted, as Service Bus does)
     */
    boolean enqueue(byte[] payload, Message message, Instant now) {
        return store(payload, message, now) != null;
    }

    /**
     * Stores a message sent through the management node's schedule-message: like {@link #enqueue}, but answers the
     * sequence number, which the client needs to cancel it.
     *
     * @return the sequence number; for a duplicate that detection dropped, 0
     */
    long schedule(byte[] payload, Message message, Instant now) {
        BrokeredMessage stored = store(payload, message, now);
        return stored == null ? 0 : stored.sequenceNumber();
    }

    /** Removes scheduled messages before their time; unknown or already enqueued sequence numbers are skipped. */
    void cancelScheduled(List<Long> sequenceNumbers) {
        for (Long sequenceNumber : sequenceNumbers) {
            if (scheduled.remove(sequenceNumber) != null) {
                messages.remove(sequenceNumber);
            }
        }
    }

    private BrokeredMessage store(byte[] payload, Message message, Instant now) {
        String messageId = message.getMessageId() == null ? null : message.getMessageId().toString();
        if (definition.requiresDuplicateDetection() && messageId != null) {
            Instant firstSeen = recentMessageIds.get(messageId);
            if (firstSeen != null && now.isBefore(firstSeen.plus(definition.duplicateDetectionHistoryTimeWindow()))) {
                return null;
            }
            recentMessageIds.put(messageId, now);
        }
        Instant enqueueAt = scheduledEnqueueTime(message);
        boolean later = enqueueAt != null && enqueueAt.isAfter(now);
        Instant enqueuedTime = later ? enqueueAt : now;
        Duration timeToLive = definition.defaultMessageTimeToLive();
        // A sender's time to live only shortens the queue's default, never extends it.
        if (message.getTtl() > 0 && message.getTtl() < timeToLive.toMillis()) {
            timeToLive = Duration.ofMillis(message.getTtl());
        }
        // Service Bus counts a scheduled message's time to live from its enqueue time.
        BrokeredMessage stored = new BrokeredMessage(++lastSequenceNumber, payload, messageId, enqueuedTime,
                enqueuedTime.plus(timeToLive));
        messages.put(stored.sequenceNumber(), stored);
        if (later) {
            stored.setScheduled(true);
            scheduled.put(stored.sequenceNumber(), enqueueAt);
        } else {
            available.put(stored.sequenceNumber(), stored);
        }
        return stored;
    }

    private static Instant scheduledEnqueueTime(Message message) {
        if (message.getMessageAnnotations() == null || message.getMessageAnnotations().getValue() == null) {
            return null;
        }
        Object value = message.getMessageAnnotations().getValue().get(BrokeredMessage.SCHEDULED_ENQUEUE_TIME);
        return value instanceof Date date ? date.toInstant() : null;
    }

    /** Locks the oldest available message for a peek-lock receiver; null when none is available. */
    BrokeredMessage lockNext(Instant now) {
        BrokeredMessage next = pollAvailable(now);
        if (next != null) {
            lock(next, now);
        }
        return next;
    }

    /** Removes the oldest available message for a receive-and-delete receiver; null when none is available. */
    BrokeredMessage removeNext(Instant now) {
        BrokeredMessage next = pollAvailable(now);
        if (next != null) {
            messages.remove(next.sequenceNumber());
            next.countDelivery();
        }
        return next;
    }

    /**
     * Applies a receiver's settlement.
     *
     * @return false when the lock is unknown or has expired (the client is told the lock was lost)
     */
    boolean settle(UUID lockToken, Settlement settlement, String deadLetterReason, String deadLetterDescription,
                   Map<String, Object> propertiesToModify, Instant now) {
        BrokeredMessage message = locks.get(lockToken);
        if (message == null) {
            return false;
        }
        if (!now.isBefore(message.lockedUntil())) {
            expireLock(message);
            return false;
        }
        locks.remove(lockToken);
        message.unlock();
        switch (settlement) {
            case COMPLETE -> messages.remove(message.sequenceNumber());
            case ABANDON -> {
                message.annotate(propertiesToModify);
                returnOrDeadLetter(message);
            }
            case RELEASE -> {
                message.uncountDelivery();
                makeAvailableUnlessDeferred(message);
            }
            case DEFER -> {
                message.annotate(propertiesToModify);
                message.setDeferred(true);
            }
            case DEAD_LETTER -> deadLetter(message, deadLetterReason, deadLetterDescription, propertiesToModify);
        }
        return true;
    }

    /** Extends a lock by the lock duration from now; null when the lock is unknown or has expired. */
    Instant renewLock(UUID lockToken, Instant now) {
        BrokeredMessage message = locks.get(lockToken);
        if (message == null || !now.isBefore(message.lockedUntil())) {
            return null;
        }
        Instant until = now.plus(definition.lockDuration());
        message.renewLock(until);
        lockRenewals++;
        return until;
    }

    /** Messages from a sequence number on, locked or not, without locking them. */
    List<BrokeredMessage> peek(long fromSequenceNumber, int count) {
        List<BrokeredMessage> result = new ArrayList<>();
        for (BrokeredMessage message : messages.tailMap(fromSequenceNumber, true).values()) {
            if (result.size() >= count) {
                break;
            }
            result.add(message);
        }
        return result;
    }

    /** Locks the deferred messages with these sequence numbers; unknown or already locked ones are left out. */
    List<BrokeredMessage> lockDeferred(List<Long> sequenceNumbers, Instant now) {
        List<BrokeredMessage> result = new ArrayList<>();
        for (Long sequenceNumber : sequenceNumbers) {
            BrokeredMessage message = messages.get(sequenceNumber);
            if (message != null && message.isDeferred() && !message.isLocked()) {
                lock(message, now);
                result.add(message);
            }
        }
        return result;
    }

    /** Ends expired locks, expires messages past their time to live, and forgets old message ids. */
    void sweep(Instant now) {
        enqueueDue(now);
        List<BrokeredMessage> expiredLocks = new ArrayList<>();
        for (BrokeredMessage message : locks.values()) {
            if (!now.isBefore(message.lockedUntil())) {
                expiredLocks.add(message);
            }
        }
        expiredLocks.forEach(this::expireLock);
        if (!isDeadLetterQueue()) {
            List<BrokeredMessage> expired = new ArrayList<>();
            for (BrokeredMessage message : messages.values()) {
                if (!message.isLocked() && isExpired(message, now)) {
                    expired.add(message);
                }
            }
            expired.forEach(this::expire);
            Duration window = definition.duplicateDetectionHistoryTimeWindow();
            recentMessageIds.values().removeIf(firstSeen -> !now.isBefore(firstSeen.plus(window)));
        }
    }

    List<BrokeredMessage> activeMessages() {
        return messages.values().stream().filter(m -> !m.isDeferred() && !m.isScheduled()).toList();
    }

    List<BrokeredMessage> scheduledMessages() {
        return messages.values().stream().filter(BrokeredMessage::isScheduled).toList();
    }

    /** Scheduled messages whose time has come become available, in sequence order. */
    private void enqueueDue(Instant now) {
        Iterator<Map.Entry<Long, Instant>> due = scheduled.entrySet().iterator();
        while (due.hasNext()) {
            Map.Entry<Long, Instant> entry = due.next();
            if (now.isBefore(entry.getValue())) {
                continue;
            }
            due.remove();
            BrokeredMessage message = messages.get(entry.getKey());
            if (message != null) {
                message.setScheduled(false);
                available.put(message.sequenceNumber(), message);
            }
        }
    }

    List<BrokeredMessage> deferredMessages() {
        return messages.values().stream().filter(BrokeredMessage::isDeferred).toList();
    }

    int lockedCount() {
        return locks.size();
    }

    int lockRenewals() {
        return lockRenewals;
    }

    private BrokeredMessage pollAvailable(Instant now) {
        Iterator<BrokeredMessage> candidates = available.values().iterator();
        while (candidates.hasNext()) {
            BrokeredMessage candidate = candidates.next();
            candidates.remove();
            if (isExpired(candidate, now)) {
                expire(candidate);
            } else {
                return candidate;
            }
        }
        return null;
    }

    private void lock(BrokeredMessage message, Instant now) {
        UUID token = UUID.randomUUID();
        message.lock(token, now.plus(definition.lockDuration()));
        locks.put(token, message);
    }

    private void expireLock(BrokeredMessage message) {
        locks.remove(message.lockToken());
        message.unlock();
        returnOrDeadLetter(message);
    }

    private void returnOrDeadLetter(BrokeredMessage message) {
        if (!isDeadLetterQueue() && message.deliveryCount() >= definition.maxDeliveryCount()) {
            deadLetter(message, DeadLetterReasons.MAX_DELIVERY_COUNT_EXCEEDED,
                    "Message could not be consumed after " + definition.maxDeliveryCount() + " delivery attempts.",
                    Map.of());
        } else {
            makeAvailableUnlessDeferred(message);
        }
    }

    private void makeAvailableUnlessDeferred(BrokeredMessage message) {
        if (!message.isDeferred()) {
            available.put(message.sequenceNumber(), message);
        }
    }

    private void deadLetter(BrokeredMessage message, String reason, String description, Map<String, Object> properties) {
        if (isDeadLetterQueue()) {
            // Service Bus keeps a message that is dead-lettered again in the dead-letter queue.
            message.addProperties(properties);
            makeAvailableUnlessDeferred(message);
            return;
        }
        messages.remove(message.sequenceNumber());
        available.remove(message.sequenceNumber());
        deadLetterQueue.accept(message.deadLettered(reason, description, properties));
    }

    private void accept(BrokeredMessage deadLettered) {
        messages.put(deadLettered.sequenceNumber(), deadLettered);
        available.put(deadLettered.sequenceNumber(), deadLettered);
    }

    private void expire(BrokeredMessage message) {
        messages.remove(message.sequenceNumber());
        available.remove(message.sequenceNumber());
        if (definition.deadLetteringOnMessageExpiration()) {
            deadLetterQueue.accept(message.deadLettered(DeadLetterReasons.TTL_EXPIRED,
                    "The message expired and was dead lettered.", Map.of()));
        }
    }

    private static boolean isExpired(BrokeredMessage message, Instant now) {
        return message.expiresAt() != null && !now.isBefore(message.expiresAt());
    }
}
