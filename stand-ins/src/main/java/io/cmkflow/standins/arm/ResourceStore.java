package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every resource inside a resource group (vaults, workspaces, storage accounts, components, identities, the managed
 * group's resources, ...) by id, as ARM's own resource table: the typed stores keep their resources here so that
 * group listing, group deletion, existence checks and scopes see all of them. Not locked itself: callers hold the
 * {@link ArmState} lock.
 */
final class ResourceStore {
    private final Map<String, ObjectNode> byId = new LinkedHashMap<>();

    /** The resource, or null. */
    ObjectNode get(String id) {
        return byId.get(ResourceIds.key(id));
    }

    /** The resource, or ARM's 404 naming it as {@code type/name}. */
    ObjectNode require(String id, String type) {
        ObjectNode resource = get(id);
        if (resource == null) {
            throw ArmError.notFound(type + "/" + ResourceIds.name(id), ResourceIds.after(id, "resourceGroups"));
        }
        return resource;
    }

    boolean exists(String id) {
        return byId.containsKey(ResourceIds.key(id));
    }

    /** Stores (or replaces) a resource under its {@code id}. */
    ObjectNode put(ObjectNode resource) {
        byId.put(ResourceIds.key(resource.get("id").asText()), resource);
        return resource;
    }

    /** The removed resource, or null when there was none. */
    ObjectNode remove(String id) {
        return byId.remove(ResourceIds.key(id));
    }

    List<ObjectNode> ofType(String type) {
        return byId.values().stream().filter(r -> type.equalsIgnoreCase(r.path("type").asText())).toList();
    }

    List<ObjectNode> inGroup(String subscription, String group) {
        String prefix = ResourceIds.groupKey(subscription, group) + "/";
        return byId.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).toList();
    }

    void removeGroupContents(String subscription, String group) {
        String prefix = ResourceIds.groupKey(subscription, group) + "/";
        byId.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** The resources as stored (not copies: the caller serialises them under the lock), for a snapshot. */
    ArrayNode export() {
        ArrayNode all = JsonDocuments.array();
        byId.values().forEach(all::add);
        return all;
    }

    /** Adds the resources of a snapshot {@link #export()} wrote. */
    void load(JsonNode exported) {
        exported.forEach(r -> put((ObjectNode) r));
    }

    /** Sets {@code tags} when the request carries them and copies the requested properties onto the resource. */
    static void patch(ObjectNode resource, JsonNode request) {
        if (request.has("tags")) {
            resource.set("tags", request.get("tags"));
        }
        if (request.get("properties") instanceof ObjectNode patch) {
            ObjectNode props = JsonDocuments.objectAt(resource, "properties");
            patch.fields().forEachRemaining(f -> props.set(f.getKey(), f.getValue()));
        }
    }
}
