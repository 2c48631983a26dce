package io.cmkflow.standins.servicebus;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.message.Message;

/** Reads the loosely typed fields of node requests (AMQP arrays arrive as primitive or object arrays). */
final class RequestFields {

    private RequestFields() {
    }

    static Map<String, Object> applicationProperties(Message request) {
        if (request.getApplicationProperties() == null || request.getApplicationProperties().getValue() == null) {
            return Map.of();
        }
        return request.getApplicationProperties().getValue();
    }

    /** The request body as a map with string keys; empty when the body is absent or not a map. */
    static Map<String, Object> body(Message request) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (request.getBody() instanceof AmqpValue value && value.getValue() instanceof Map<?, ?> map) {
            map.forEach((key, entry) -> result.put(String.valueOf(key), entry));
        }
        return result;
    }

    /** A map whose keys may be symbols or strings, with string keys; empty for null. */
    static Map<String, Object> stringKeys(Map<?, ?> map) {
        Map<String, Object> result = new LinkedHashMap<>();
        if (map != null) {
            map.forEach((key, value) -> result.put(String.valueOf(key), value));
        }
        return result;
    }

    static List<Long> longs(Object value) {
        List<Long> result = new ArrayList<>();
        if (value instanceof long[] array) {
            for (long element : array) {
                result.add(element);
            }
        } else {
            for (Object element : elements(value)) {
                if (element instanceof Number number) {
                    result.add(number.longValue());
                }
            }
        }
        return result;
    }

    static List<UUID> uuids(Object value) {
        List<UUID> result = new ArrayList<>();
        for (Object element : elements(value)) {
            if (element instanceof UUID uuid) {
                result.add(uuid);
            }
        }
        return result;
    }

    /** An AMQP list or array as a list; empty for anything else. */
    static List<?> list(Object value) {
        return elements(value);
    }

    private static List<?> elements(Object value) {
        if (value instanceof Object[] array) {
            return Arrays.asList(array);
        }
        if (value instanceof List<?> list) {
            return list;
        }
        return List.of();
    }
}
