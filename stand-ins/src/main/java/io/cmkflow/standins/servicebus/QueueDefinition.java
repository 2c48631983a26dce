package io.cmkflow.standins.servicebus;

import java.time.Duration;
import java.util.Objects;

/**
 * One queue the stand-in serves, with the properties of the official emulator's Config.json that it honours.
 *
 * @param name                                the queue name clients address
 * @param lockDuration                        how long a peek-lock holds a message
 * @param maxDeliveryCount                    deliveries after which an abandon or lock expiry dead-letters it
 * @param defaultMessageTimeToLive            time to live of a message that sets none (a shorter one wins)
 * @param deadLetteringOnMessageExpiration    whether an expired message goes to the dead-letter queue
 * @param requiresDuplicateDetection          whether a MessageId seen within the window is dropped
 * @param duplicateDetectionHistoryTimeWindow how long a MessageId is remembered for duplicate detection
 */
public record QueueDefinition(
        String name,
        Duration lockDuration,
        int maxDeliveryCount,
        Duration defaultMessageTimeToLive,
        boolean deadLetteringOnMessageExpiration,
        boolean requiresDuplicateDetection,
        Duration duplicateDetectionHistoryTimeWindow) {

    /** Service Bus defaults, and the emulator's one-hour cap on time to live. */
    public static final Duration DEFAULT_LOCK_DURATION = Duration.ofMinutes(1);
    public static final int DEFAULT_MAX_DELIVERY_COUNT = 10;
    public static final Duration DEFAULT_TIME_TO_LIVE = Duration.ofHours(1);
    public static final Duration DEFAULT_DUPLICATE_DETECTION_WINDOW = Duration.ofMinutes(10);

    public QueueDefinition {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(lockDuration, "lockDuration");
        Objects.requireNonNull(defaultMessageTimeToLive, "defaultMessageTimeToLive");
        Objects.requireNonNull(duplicateDetectionHistoryTimeWindow, "duplicateDetectionHistoryTimeWindow");
        requirePositive(name, lockDuration, "lockDuration");
        requirePositive(name, defaultMessageTimeToLive, "defaultMessageTimeToLive");
        requirePositive(name, duplicateDetectionHistoryTimeWindow, "duplicateDetectionHistoryTimeWindow");
        if (maxDeliveryCount < 1) {
            throw new IllegalArgumentException("maxDeliveryCount: must be at least 1, was " + maxDeliveryCount
                    + " (queue " + name + ")");
        }
    }

    private static void requirePositive(String queue, Duration value, String field) {
        if (value.isZero() || value.isNegative()) {
            throw new IllegalArgumentException(
                    field + ": must be longer than zero, was " + value + " (queue " + queue + ")");
        }
    }

    /** A queue with Service Bus defaults: lock PT1M, 10 deliveries, PT1H time to live, no duplicate detection. */
    public static QueueDefinition withDefaults(String name) {
        return new QueueDefinition(name, DEFAULT_LOCK_DURATION, DEFAULT_MAX_DELIVERY_COUNT, DEFAULT_TIME_TO_LIVE,
                false, false, DEFAULT_DUPLICATE_DETECTION_WINDOW);
    }

    /** This queue with another lock duration. */
    public QueueDefinition withLockDuration(Duration value) {
        return new QueueDefinition(name, value, maxDeliveryCount, defaultMessageTimeToLive,
                deadLetteringOnMessageExpiration, requiresDuplicateDetection, duplicateDetectionHistoryTimeWindow);
    }

    /** This queue with another MaxDeliveryCount. */
    public QueueDefinition withMaxDeliveryCount(int value) {
        return new QueueDefinition(name, lockDuration, value, defaultMessageTimeToLive,
                deadLetteringOnMessageExpiration, requiresDuplicateDetection, duplicateDetectionHistoryTimeWindow);
    }

    /** This queue with another default time to live, dead-lettering expired messages or not. */
    public QueueDefinition withTimeToLive(Duration value, boolean deadLetterOnExpiration) {
        return new QueueDefinition(name, lockDuration, maxDeliveryCount, value,
                deadLetterOnExpiration, requiresDuplicateDetection, duplicateDetectionHistoryTimeWindow);
    }

    /** This queue with duplicate detection over the given window. */
    public QueueDefinition withDuplicateDetection(Duration window) {
        return new QueueDefinition(name, lockDuration, maxDeliveryCount, defaultMessageTimeToLive,
                deadLetteringOnMessageExpiration, true, window);
    }
}
