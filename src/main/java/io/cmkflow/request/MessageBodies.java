package io.cmkflow.request;

import com.azure.core.amqp.models.AmqpAnnotatedMessage;
import com.azure.core.amqp.models.AmqpMessageBody;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;

import java.nio.charset.StandardCharsets;

/**
 * The request bytes of a message, whatever body section the publisher's SDK used: a data section (Java, .NET, Node.js
 * and Python by default) or an AMQP value holding a string or binary (what some SDKs send for a string body). The Java
 * client's {@code getBody()} throws for value and sequence bodies, so the raw AMQP message is read instead.
 */
final class MessageBodies {

    /** A body the intake cannot read as a request; the message is dead-lettered with this reason. */
    static final class UnreadableBody extends Exception {
        UnreadableBody(String message) {
            super(message);
        }
    }

    private MessageBodies() {
    }

    static byte[] requestBytes(ServiceBusReceivedMessage message) throws UnreadableBody {
        AmqpAnnotatedMessage raw = message.getRawAmqpMessage();
        AmqpMessageBody body = raw.getBody();
        switch (body.getBodyType()) {
            case DATA:
                return body.getFirstData();
            case VALUE:
                Object value = body.getValue();
                if (value instanceof String text) {
                    return text.getBytes(StandardCharsets.UTF_8);
                }
                if (value instanceof byte[] bytes) {
                    return bytes;
                }
                throw new UnreadableBody("an AMQP value body holding " + (value == null ? "null" : value.getClass().getSimpleName())
                        + "; send the JSON request as a data section or a string");
            default:
                throw new UnreadableBody("an AMQP " + body.getBodyType() + " body; send the JSON request as a data section or a string");
        }
    }
}
