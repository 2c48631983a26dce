package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** Application Insights components: what Azure generates for them (ids, instrumentation key) and keeps on a replace. */
final class ComponentDocuments {
    static final String TYPE = "microsoft.insights/components";
    private static final String[] GENERATED = {"AppId", "InstrumentationKey", "ConnectionString", "CreationDate"};

    private ComponentDocuments() {
    }

    /** A web component as a seed describes it. */
    static ObjectNode seed(String subscription, String group, String name, String location, Map<String, String> tags) {
        ObjectNode component = JsonDocuments.object();
        component.put("id", ResourceIds.resource(subscription, group, "microsoft.insights", "components", name));
        component.put("name", name);
        component.put("type", TYPE);
        component.put("location", location);
        component.put("kind", "web");
        component.set("tags", JsonDocuments.tagsNode(tags));
        ObjectNode properties = component.putObject("properties");
        properties.put("Application_Type", "web");
        properties.put("provisioningState", "Succeeded");
        complete(component);
        return component;
    }

    /** Keeps what Azure generated for {@code from} on its replacement {@code to}. */
    static void copyGenerated(ObjectNode from, ObjectNode to) {
        for (String field : GENERATED) {
            JsonNode value = from.path("properties").get(field);
            if (value != null) {
                JsonDocuments.objectAt(to, "properties").set(field, value);
            }
        }
    }

    /** Fills what Azure generates for a component that has none yet. */
    static void complete(ObjectNode component) {
        ObjectNode props = JsonDocuments.objectAt(component, "properties");
        if (!props.has("InstrumentationKey")) {
            String key = UUID.randomUUID().toString();
            props.put("AppId", UUID.randomUUID().toString());
            props.put("InstrumentationKey", key);
            props.put("ConnectionString", "InstrumentationKey=" + key);
            props.put("CreationDate", Instant.now().toString());
        }
        if (!props.has("Application_Type")) {
            props.put("Application_Type", "web");
        }
        props.put("Name", component.get("name").asText());
    }
}
