package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * One request as the routes see it: the path already normalised (no empty segments, so {@code //} and a leading
 * {@code //} are gone), its decoded segments, and the decoded query.
 */
final class ArmRequest {
    final String method;
    final String path;
    final List<String> segments;
    final Map<String, String> query;
    final String body;
    final Map<String, List<String>> headers;
    /** Set by the router once it knows which operation this is; the journal records it. */
    String operation = "Unknown";
    /** The actions (or Key Vault data actions) this request was authorized with, linked checks included. */
    final List<String> actions = new java.util.ArrayList<>();
    String subscription;

    ArmRequest(String method, String path, List<String> segments, Map<String, String> query, String body,
               Map<String, List<String>> headers) {
        this.method = method;
        this.path = path;
        this.segments = segments;
        this.query = query;
        this.body = body;
        this.headers = headers;
    }

    String segment(int index) {
        return index < segments.size() ? segments.get(index) : null;
    }

    /** Case-insensitive comparison of segment {@code index} with {@code expected}. */
    boolean is(int index, String expected) {
        String s = segment(index);
        return s != null && s.equalsIgnoreCase(expected);
    }

    int size() {
        return segments.size();
    }

    String query(String name) {
        for (Map.Entry<String, String> e : query.entrySet()) {
            if (e.getKey().equalsIgnoreCase(name)) {
                return e.getValue();
            }
        }
        return null;
    }

    String header(String name) {
        for (Map.Entry<String, List<String>> e : headers.entrySet()) {
            if (e.getKey() != null && e.getKey().equalsIgnoreCase(name) && !e.getValue().isEmpty()) {
                return e.getValue().get(0);
            }
        }
        return null;
    }

    boolean isWrite() {
        String m = method.toUpperCase(Locale.ROOT);
        return !(m.equals("GET") || m.equals("HEAD"));
    }

    /** The body as a JSON object; a missing body is an empty object, a malformed one a 400 naming the problem. */
    ObjectNode jsonBody() {
        if (body == null || body.isBlank()) {
            return JsonDocuments.object();
        }
        try {
            JsonNode node = JsonDocuments.MAPPER.readTree(body);
            if (!(node instanceof ObjectNode object)) {
                throw ArmError.badRequest("InvalidRequestContent", "The request content must be a JSON object.");
            }
            return object;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw ArmError.badRequest("InvalidRequestContent",
                    "The request content was invalid and could not be deserialized: " + e.getOriginalMessage());
        }
    }
}
