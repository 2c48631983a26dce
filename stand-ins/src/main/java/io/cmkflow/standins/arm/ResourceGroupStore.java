package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Resource groups by subscription and name; deleting one deletes what is in it. Callers hold the ArmState lock. */
final class ResourceGroupStore {
    private final Map<String, ObjectNode> byKey = new LinkedHashMap<>();
    private final ResourceStore resources;

    ResourceGroupStore(ResourceStore resources) {
        this.resources = resources;
    }

    /** Creates or replaces a group; {@code managedBy} is the id of the resource owning a managed group, or null. */
    ObjectNode create(String subscription, String name, String location, String managedBy, Map<String, String> tags) {
        ObjectNode group = JsonDocuments.object();
        group.put("id", ResourceIds.group(subscription, name));
        group.put("name", name);
        group.put("type", "Microsoft.Resources/resourceGroups");
        group.put("location", location);
        if (managedBy != null) {
            group.put("managedBy", managedBy);
        }
        group.set("tags", JsonDocuments.tagsNode(tags));
        group.putObject("properties").put("provisioningState", "Succeeded");
        byKey.put(ResourceIds.groupKey(subscription, name), group);
        return group;
    }

    /** Replaces the group's tags with the request's, when it carries them. */
    ObjectNode updateTags(ObjectNode group, JsonNode request) {
        if (request.has("tags")) {
            group.set("tags", request.get("tags"));
        }
        return group;
    }

    /** Creates the group in {@code location} unless it exists. */
    void ensure(String subscription, String name, String location) {
        if (!exists(subscription, name)) {
            create(subscription, name, location, null, Map.of());
        }
    }

    /** The group, or null. */
    ObjectNode get(String subscription, String name) {
        return byKey.get(ResourceIds.groupKey(subscription, name));
    }

    ObjectNode require(String subscription, String name) {
        ObjectNode group = get(subscription, name);
        if (group == null) {
            throw notFound(name);
        }
        return group;
    }

    boolean exists(String subscription, String name) {
        return byKey.containsKey(ResourceIds.groupKey(subscription, name));
    }

    List<ObjectNode> all() {
        return List.copyOf(byKey.values());
    }

    List<ObjectNode> inSubscription(String subscription) {
        return byKey.values().stream()
                .filter(g -> subscription.equalsIgnoreCase(ResourceIds.after(g.get("id").asText(), "subscriptions")))
                .toList();
    }

    /** Removes the group and every resource in it; false when there was no such group. */
    boolean delete(String subscription, String name) {
        if (byKey.remove(ResourceIds.groupKey(subscription, name)) == null) {
            return false;
        }
        resources.removeGroupContents(subscription, name);
        return true;
    }

    /** The managed group (one with {@code managedBy}) that {@code lowerPath} is or lies in, or null. */
    ObjectNode managedGroupContaining(String lowerPath) {
        for (Map.Entry<String, ObjectNode> e : byKey.entrySet()) {
            if (e.getValue().hasNonNull("managedBy")
                    && (lowerPath.equals(e.getKey()) || lowerPath.startsWith(e.getKey() + "/"))) {
                return e.getValue();
            }
        }
        return null;
    }

    /** The groups as stored, for a snapshot. */
    ArrayNode export() {
        ArrayNode all = JsonDocuments.array();
        byKey.values().forEach(all::add);
        return all;
    }

    /** Adds the groups of a snapshot {@link #export()} wrote (their contents are the resource table's). */
    void load(JsonNode exported) {
        exported.forEach(g -> byKey.put(ResourceIds.key(g.get("id").asText()), (ObjectNode) g));
    }

    static ArmError notFound(String name) {
        return new ArmError(404, "ResourceGroupNotFound", "Resource group '" + name + "' could not be found.");
    }

    static ArmState.ResourceGroupView view(ObjectNode g) {
        String id = g.get("id").asText();
        return new ArmState.ResourceGroupView(id, ResourceIds.after(id, "subscriptions"), g.get("name").asText(),
                JsonDocuments.text(g, "location"), JsonDocuments.text(g, "managedBy"), JsonDocuments.tags(g));
    }
}
