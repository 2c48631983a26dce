package io.cmkflow.standins.servicebus;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.Data;
import org.apache.qpid.proton.message.Message;

/**
 * A snapshot of one message held by the stand-in, for test assertions.
 *
 * @param sequenceNumber        the broker-assigned sequence number
 * @param messageId             the sender's MessageId, or null
 * @param body                  the body bytes (a Data section, or the UTF-8 of a string value); empty otherwise
 * @param deliveryCount         how many times it was delivered to a receiver
 * @param locked                whether a receiver holds its lock now
 * @param deferred              whether a receiver deferred it
 * @param applicationProperties the sender's application properties plus those the broker added (dead-letter reason)
 */
public record QueuedMessage(long sequenceNumber, String messageId, byte[] body, int deliveryCount, boolean locked,
                            boolean deferred, Map<String, Object> applicationProperties) {

    public QueuedMessage {
        body = body.clone();
        applicationProperties = Map.copyOf(applicationProperties);
    }

    @Override
    public byte[] body() {
        return body.clone();
    }

    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    /** Service Bus's DeadLetterReason property, or null for a message that was not dead-lettered. */
    public String deadLetterReason() {
        return (String) applicationProperties.get(DeadLetterReasons.REASON_PROPERTY);
    }

    /** Service Bus's DeadLetterErrorDescription property, or null. */
    public String deadLetterErrorDescription() {
        return (String) applicationProperties.get(DeadLetterReasons.DESCRIPTION_PROPERTY);
    }

    static QueuedMessage of(BrokeredMessage stored) {
        Message message = stored.original();
        byte[] body = new byte[0];
        if (message.getBody() instanceof Data data) {
            Binary binary = data.getValue();
            body = new byte[binary.getLength()];
            System.arraycopy(binary.getArray(), binary.getArrayOffset(), body, 0, body.length);
        } else if (message.getBody() instanceof AmqpValue value && value.getValue() instanceof String text) {
            body = text.getBytes(StandardCharsets.UTF_8);
        }
        Map<String, Object> properties = new LinkedHashMap<>();
        if (message.getApplicationProperties() != null && message.getApplicationProperties().getValue() != null) {
            message.getApplicationProperties().getValue().forEach((key, value) -> {
                if (value != null) {
                    properties.put(key, value);
                }
            });
        }
        stored.addedProperties().forEach((key, value) -> {
            if (value != null) {
                properties.put(key, value);
            }
        });
        return new QueuedMessage(stored.sequenceNumber(), stored.messageId(), body, stored.deliveryCount(),
                stored.isLocked(), stored.isDeferred(), properties);
    }
}
