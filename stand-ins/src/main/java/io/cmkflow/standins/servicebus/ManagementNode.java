package io.cmkflow.standins.servicebus;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.Binary;
import org.apache.qpid.proton.message.Message;

/**
 * The {@code <entity>/$management} node: the operations the Service Bus client uses on a queue that cannot travel
 * on a link (lock renewal, peek, settlement without the receiving link, deferred messages).
 */
final class ManagementNode {

    /** Suffix of a management node address. */
    static final String SUFFIX = "/$management";

    static final String LOCK_LOST = "com.microsoft:message-lock-lost";
    private static final String MESSAGE_NOT_FOUND = "com.microsoft:message-not-found";
    private static final String LOCK_LOST_DESCRIPTION = "The lock supplied is invalid. Either the lock expired, "
            + "or the message has already been removed from the queue.";

    private ManagementNode() {
    }

    static Message handle(Message request, MessageEntity entity, Instant now) {
        Object operation = RequestFields.applicationProperties(request).get("operation");
        Map<String, Object> body = RequestFields.body(request);
        if (!(operation instanceof String name)) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "operation: application property is required");
        }
        return switch (name) {
            case "com.microsoft:renew-lock" -> renewLock(entity, body, now);
            case "com.microsoft:peek-message" -> peek(entity, body);
            case "com.microsoft:update-disposition" -> updateDisposition(entity, body, now);
            case "com.microsoft:receive-by-sequence-number" -> receiveDeferred(entity, body, now);
            case "com.microsoft:schedule-message" -> schedule(entity, body, now);
            case "com.microsoft:cancel-scheduled-message" -> cancelScheduled(entity, body);
            default -> NodeResponse.failure(NodeResponse.NOT_IMPLEMENTED, "amqp:not-implemented",
                    "operation " + name + " is not supported by the Service Bus stand-in");
        };
    }

    private static Message renewLock(MessageEntity entity, Map<String, Object> body, Instant now) {
        List<UUID> tokens = RequestFields.uuids(body.get("lock-tokens"));
        if (tokens.isEmpty()) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "lock-tokens: at least one lock token is required");
        }
        Date[] expirations = new Date[tokens.size()];
        for (int i = 0; i < tokens.size(); i++) {
            Instant until = entity.renewLock(tokens.get(i), now);
            if (until == null) {
                return NodeResponse.failure(NodeResponse.GONE, LOCK_LOST, LOCK_LOST_DESCRIPTION);
            }
            expirations[i] = Date.from(until);
        }
        return NodeResponse.success(NodeResponse.OK, Map.of("expirations", expirations));
    }

    private static Message peek(MessageEntity entity, Map<String, Object> body) {
        if (!(body.get("from-sequence-number") instanceof Number from)
                || !(body.get("message-count") instanceof Number count)) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "from-sequence-number and message-count: both are required numbers");
        }
        List<BrokeredMessage> peeked = entity.peek(from.longValue(), count.intValue());
        if (peeked.isEmpty()) {
            return NodeResponse.success(NodeResponse.NO_CONTENT, null);
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        for (BrokeredMessage message : peeked) {
            messages.add(Map.of("message", new Binary(message.encodeForClient(false))));
        }
        return NodeResponse.success(NodeResponse.OK, Map.of("messages", messages));
    }

    private static Message updateDisposition(MessageEntity entity, Map<String, Object> body, Instant now) {
        List<UUID> tokens = RequestFields.uuids(body.get("lock-tokens"));
        Object status = body.get("disposition-status");
        MessageEntity.Settlement settlement;
        if ("completed".equals(status)) {
            settlement = MessageEntity.Settlement.COMPLETE;
        } else if ("abandoned".equals(status)) {
            settlement = MessageEntity.Settlement.ABANDON;
        } else if ("defered".equals(status)) {
            // Sic: the client spells it this way on the wire.
            settlement = MessageEntity.Settlement.DEFER;
        } else if ("suspended".equals(status)) {
            settlement = MessageEntity.Settlement.DEAD_LETTER;
        } else if ("released".equals(status)) {
            settlement = MessageEntity.Settlement.RELEASE;
        } else {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "disposition-status: must be completed, abandoned, defered, suspended or released, was " + status);
        }
        if (tokens.isEmpty()) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "lock-tokens: at least one lock token is required");
        }
        Map<String, Object> propertiesToModify = body.get("properties-to-modify") instanceof Map<?, ?> map
                ? RequestFields.stringKeys(map) : Map.of();
        String reason = body.get("deadletter-reason") instanceof String text ? text : null;
        String description = body.get("deadletter-description") instanceof String text ? text : null;
        for (UUID token : tokens) {
            if (!entity.settle(token, settlement, reason, description, propertiesToModify, now)) {
                return NodeResponse.failure(NodeResponse.GONE, LOCK_LOST, LOCK_LOST_DESCRIPTION);
            }
        }
        return NodeResponse.success(NodeResponse.OK, null);
    }

    /** Body {@code {messages: [{message-id, message: binary}]}}; the time is the message's own annotation. */
    private static Message schedule(MessageEntity entity, Map<String, Object> body, Instant now) {
        if (entity.isDeadLetterQueue()) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:not-allowed",
                    "Cannot schedule messages on the dead-letter queue " + entity.path() + ".");
        }
        List<Map<String, Object>> entries = new ArrayList<>();
        for (Object element : RequestFields.list(body.get("messages"))) {
            if (element instanceof Map<?, ?> map) {
                entries.add(RequestFields.stringKeys(map));
            }
        }
        if (entries.isEmpty()) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "messages: at least one message is required");
        }
        // An Object array: proton-j encodes Long[] as an AMQP array of long, but cannot encode a long[].
        Long[] sequenceNumbers = new Long[entries.size()];
        for (int i = 0; i < entries.size(); i++) {
            if (!(entries.get(i).get("message") instanceof Binary binary)) {
                return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                        "messages[" + i + "].message: must be the encoded message as binary");
            }
            byte[] payload = new byte[binary.getLength()];
            System.arraycopy(binary.getArray(), binary.getArrayOffset(), payload, 0, payload.length);
            sequenceNumbers[i] = entity.schedule(payload, MessageCodec.decode(payload), now);
        }
        return NodeResponse.success(NodeResponse.OK, Map.of("sequence-numbers", sequenceNumbers));
    }

    private static Message cancelScheduled(MessageEntity entity, Map<String, Object> body) {
        List<Long> sequenceNumbers = RequestFields.longs(body.get("sequence-numbers"));
        if (sequenceNumbers.isEmpty()) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "sequence-numbers: at least one sequence number is required");
        }
        entity.cancelScheduled(sequenceNumbers);
        return NodeResponse.success(NodeResponse.OK, null);
    }

    private static Message receiveDeferred(MessageEntity entity, Map<String, Object> body, Instant now) {
        List<Long> sequenceNumbers = RequestFields.longs(body.get("sequence-numbers"));
        if (sequenceNumbers.isEmpty()) {
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "sequence-numbers: at least one sequence number is required");
        }
        List<BrokeredMessage> locked = entity.lockDeferred(sequenceNumbers, now);
        if (locked.isEmpty()) {
            return NodeResponse.failure(NodeResponse.NOT_FOUND, MESSAGE_NOT_FOUND,
                    "No deferred message with sequence number(s) " + sequenceNumbers + " was found.");
        }
        List<Map<String, Object>> messages = new ArrayList<>();
        for (BrokeredMessage message : locked) {
            messages.add(Map.of("message", new Binary(message.encodeForClient(true)),
                    "lock-token", message.lockToken()));
        }
        return NodeResponse.success(NodeResponse.OK, Map.of("messages", messages));
    }
}
