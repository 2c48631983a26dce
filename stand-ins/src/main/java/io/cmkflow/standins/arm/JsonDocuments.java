package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Collection;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** The JSON tree model the simulator keeps resources in, and small accessors over it. */
final class JsonDocuments {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonDocuments() {
    }

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static ArrayNode array() {
        return MAPPER.createArrayNode();
    }

    static ArrayNode arrayOf(Collection<String> values) {
        ArrayNode array = array();
        values.forEach(array::add);
        return array;
    }

    static Stream<JsonNode> stream(JsonNode array) {
        return StreamSupport.stream(array.spliterator(), false);
    }

    /** {@code {"value":[...]}} as ARM lists answer. */
    static ObjectNode list(Iterable<? extends JsonNode> items) {
        ObjectNode page = object();
        ArrayNode value = page.putArray("value");
        items.forEach(value::add);
        return page;
    }

    static String text(JsonNode node, String... path) {
        JsonNode current = node;
        for (String p : path) {
            if (current == null) {
                return null;
            }
            current = current.get(p);
        }
        return current == null || current.isNull() ? null : current.asText();
    }

    static boolean flag(JsonNode node, String... path) {
        JsonNode current = node;
        for (String p : path) {
            if (current == null) {
                return false;
            }
            current = current.get(p);
        }
        return current != null && current.asBoolean(false);
    }

    static ObjectNode objectAt(ObjectNode node, String field) {
        JsonNode child = node.get(field);
        if (child instanceof ObjectNode o) {
            return o;
        }
        return node.putObject(field);
    }

    static Map<String, String> tags(JsonNode resource) {
        Map<String, String> tags = new LinkedHashMap<>();
        JsonNode node = resource == null ? null : resource.get("tags");
        if (node != null && node.isObject()) {
            Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> e = fields.next();
                tags.put(e.getKey(), e.getValue().asText());
            }
        }
        return tags;
    }

    static ObjectNode tagsNode(Map<String, String> tags) {
        ObjectNode node = object();
        if (tags != null) {
            tags.forEach(node::put);
        }
        return node;
    }
}
