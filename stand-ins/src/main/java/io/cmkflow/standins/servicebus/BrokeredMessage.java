package io.cmkflow.standins.servicebus;

import java.time.Instant;
import java.util.Date;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.Symbol;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.amqp.messaging.Header;
import org.apache.qpid.proton.amqp.messaging.MessageAnnotations;
import org.apache.qpid.proton.message.Message;

/** A message held by the stand-in, with the broker-side state Service Bus keeps for it. Reactor thread only. */
final class BrokeredMessage {

    static final Symbol SEQUENCE_NUMBER = Symbol.valueOf("x-opt-sequence-number");
    static final Symbol ENQUEUED_TIME = Symbol.valueOf("x-opt-enqueued-time");
    static final Symbol LOCKED_UNTIL = Symbol.valueOf("x-opt-locked-until");
    static final Symbol LOCK_TOKEN = Symbol.valueOf("x-opt-lock-token");
    static final Symbol MESSAGE_STATE = Symbol.valueOf("x-opt-message-state");
    static final Symbol SCHEDULED_ENQUEUE_TIME = Symbol.valueOf("x-opt-scheduled-enqueue-time");
    private static final int STATE_ACTIVE = 0;
    private static final int STATE_DEFERRED = 1;
    private static final int STATE_SCHEDULED = 2;

    private final long sequenceNumber;
    private final byte[] payload;
    private final String messageId;
    private final Instant enqueuedTime;
    private final Instant expiresAt;
    private final Map<String, Object> addedProperties;
    private final Map<Symbol, Object> addedAnnotations;
    private int deliveryCount;
    private boolean deferred;
    private boolean scheduled;
    private UUID lockToken;
    private Instant lockedUntil;

    BrokeredMessage(long sequenceNumber, byte[] payload, String messageId, Instant enqueuedTime, Instant expiresAt) {
        this(sequenceNumber, payload, messageId, enqueuedTime, expiresAt, 0, Map.of(), Map.of());
    }

    private BrokeredMessage(long sequenceNumber, byte[] payload, String messageId, Instant enqueuedTime,
                            Instant expiresAt, int deliveryCount, Map<String, Object> addedProperties,
                            Map<Symbol, Object> addedAnnotations) {
        this.sequenceNumber = sequenceNumber;
        this.payload = payload;
        this.messageId = messageId;
        this.enqueuedTime = enqueuedTime;
        this.expiresAt = expiresAt;
        this.deliveryCount = deliveryCount;
        this.addedProperties = new LinkedHashMap<>(addedProperties);
        this.addedAnnotations = new LinkedHashMap<>(addedAnnotations);
    }

    /** The copy that goes to the dead-letter queue: same message, reason and description as application properties. */
    BrokeredMessage deadLettered(String reason, String description, Map<String, Object> propertiesToModify) {
        Map<String, Object> properties = new LinkedHashMap<>(addedProperties);
        properties.putAll(propertiesToModify);
        if (reason != null) {
            properties.put(DeadLetterReasons.REASON_PROPERTY, reason);
        }
        if (description != null) {
            properties.put(DeadLetterReasons.DESCRIPTION_PROPERTY, description);
        }
        // A dead-lettered message never expires, as in Service Bus.
        return new BrokeredMessage(sequenceNumber, payload, messageId, enqueuedTime, null, deliveryCount, properties,
                addedAnnotations);
    }

    long sequenceNumber() {
        return sequenceNumber;
    }

    String messageId() {
        return messageId;
    }

    Instant expiresAt() {
        return expiresAt;
    }

    int deliveryCount() {
        return deliveryCount;
    }

    boolean isDeferred() {
        return deferred;
    }

    /** Held until its scheduled enqueue time: peekable, but neither active nor receivable yet. */
    boolean isScheduled() {
        return scheduled;
    }

    void setScheduled(boolean value) {
        scheduled = value;
    }

    boolean isLocked() {
        return lockToken != null;
    }

    UUID lockToken() {
        return lockToken;
    }

    Instant lockedUntil() {
        return lockedUntil;
    }

    Map<String, Object> addedProperties() {
        return addedProperties;
    }

    void lock(UUID token, Instant until) {
        lockToken = token;
        lockedUntil = until;
        countDelivery();
    }

    void countDelivery() {
        deliveryCount++;
    }

    void renewLock(Instant until) {
        lockedUntil = until;
    }

    void unlock() {
        lockToken = null;
        lockedUntil = null;
    }

    /** The client released the message without handing it to the application, so that delivery does not count. */
    void uncountDelivery() {
        deliveryCount = Math.max(0, deliveryCount - 1);
    }

    void setDeferred(boolean value) {
        deferred = value;
    }

    void annotate(Map<String, Object> annotations) {
        annotations.forEach((key, value) -> addedAnnotations.put(Symbol.valueOf(key), value));
    }

    void addProperties(Map<String, Object> properties) {
        addedProperties.putAll(properties);
    }

    /** The message as sent, with the sender's sections intact. */
    Message original() {
        return MessageCodec.decode(payload);
    }

    /**
     * The message as the client receives it, with broker annotations and delivery count; a delivery (as opposed to
     * a peek) also carries its lock.
     */
    byte[] encodeForClient(boolean delivery) {
        Message message = MessageCodec.decode(payload);
        if (message.getHeader() == null) {
            // The client reads header fields unconditionally; Service Bus always sends a header.
            message.setHeader(new Header());
        }
        // The AMQP header counts earlier deliveries: the client shows 0 on the first one.
        message.setDeliveryCount(delivery ? deliveryCount - 1L : deliveryCount);
        Map<Symbol, Object> annotations = new HashMap<>();
        if (message.getMessageAnnotations() != null && message.getMessageAnnotations().getValue() != null) {
            annotations.putAll(message.getMessageAnnotations().getValue());
        }
        annotations.putAll(addedAnnotations);
        annotations.put(SEQUENCE_NUMBER, sequenceNumber);
        annotations.put(ENQUEUED_TIME, Date.from(enqueuedTime));
        annotations.put(MESSAGE_STATE, deferred ? STATE_DEFERRED : scheduled ? STATE_SCHEDULED : STATE_ACTIVE);
        if (delivery && isLocked()) {
            annotations.put(LOCKED_UNTIL, Date.from(lockedUntil));
            annotations.put(LOCK_TOKEN, lockToken);
        }
        message.setMessageAnnotations(new MessageAnnotations(annotations));
        if (!addedProperties.isEmpty()) {
            Map<String, Object> properties = new LinkedHashMap<>();
            if (message.getApplicationProperties() != null && message.getApplicationProperties().getValue() != null) {
                properties.putAll(message.getApplicationProperties().getValue());
            }
            properties.putAll(addedProperties);
            message.setApplicationProperties(new ApplicationProperties(properties));
        }
        return MessageCodec.encodeWithBody(message, MessageCodec.bodyAndFooter(payload));
    }
}
