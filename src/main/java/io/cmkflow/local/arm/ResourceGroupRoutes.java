package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** Resource groups (PUT/GET/HEAD/PATCH/DELETE/list) and the resources listed in a group. */
final class ResourceGroupRoutes implements Route.Family {
    private final ArmState state;

    ResourceGroupRoutes(ArmState state) {
        this.state = state;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions") || !r.is(2, "resourceGroups")) {
            return null;
        }
        String subscription = r.segment(1);
        String method = r.method.toUpperCase();
        if (r.size() == 3 && method.equals("GET")) {
            return new Route("ResourceGroups_List", () -> ArmResponse.ok(JsonDocuments.list(
                    state.groups.values().stream()
                            .filter(g -> subscription.equalsIgnoreCase(ResourceIds.after(g.get("id").asText(),
                                    "subscriptions"))).toList())));
        }
        if (r.size() == 4) {
            String name = r.segment(3);
            return switch (method) {
                case "PUT" -> new Route("ResourceGroups_CreateOrUpdate", () -> put(r, subscription, name));
                case "GET" -> new Route("ResourceGroups_Get", () -> ArmResponse.ok(existing(subscription, name)));
                case "HEAD" -> new Route("ResourceGroups_CheckExistence", () -> ArmResponse.empty(
                        state.groups.containsKey(ResourceIds.groupKey(subscription, name)) ? 204 : 404));
                case "PATCH" -> new Route("ResourceGroups_Update", () -> patch(r, subscription, name));
                case "DELETE" -> new Route("ResourceGroups_Delete", () -> delete(subscription, name));
                default -> null;
            };
        }
        if (r.size() == 5 && r.is(4, "resources") && method.equals("GET")) {
            return new Route("Resources_ListByResourceGroup", () -> listResources(subscription, r.segment(3)));
        }
        return null;
    }

    private ObjectNode existing(String subscription, String name) {
        ObjectNode group = state.groups.get(ResourceIds.groupKey(subscription, name));
        if (group == null) {
            throw new ArmError(404, "ResourceGroupNotFound", "Resource group '" + name + "' could not be found.");
        }
        return group;
    }

    private ArmResponse put(ArmRequest r, String subscription, String name) {
        ObjectNode body = r.jsonBody();
        String location = JsonDocuments.text(body, "location");
        if (location == null || location.isBlank()) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        ObjectNode current = state.groups.get(ResourceIds.groupKey(subscription, name));
        if (current != null) {
            if (!current.get("location").asText().equalsIgnoreCase(location)) {
                throw ArmError.conflict("InvalidResourceGroupLocation", "Invalid resource group location '" + location
                        + "'. The Resource group already exists in location '" + current.get("location").asText()
                        + "' in resource group '" + name + "'. A resource group cannot change location.");
            }
            if (body.has("tags")) {
                current.set("tags", body.get("tags"));
            }
            return ArmResponse.ok(current);
        }
        ObjectNode group = state.putGroup(subscription, name, location, JsonDocuments.text(body, "managedBy"),
                JsonDocuments.tags(body));
        return ArmResponse.status(201, group);
    }

    private ArmResponse patch(ArmRequest r, String subscription, String name) {
        ObjectNode group = existing(subscription, name);
        ObjectNode body = r.jsonBody();
        if (body.has("tags")) {
            group.set("tags", body.get("tags"));
        }
        return ArmResponse.ok(group);
    }

    private ArmResponse delete(String subscription, String name) {
        String key = ResourceIds.groupKey(subscription, name);
        if (state.groups.remove(key) == null) {
            throw new ArmError(404, "ResourceGroupNotFound", "Resource group '" + name + "' could not be found.");
        }
        state.resources.keySet().removeIf(id -> id.startsWith(key + "/"));
        return ArmResponse.ok(null);
    }

    private ArmResponse listResources(String subscription, String group) {
        String prefix = ResourceIds.groupKey(subscription, group) + "/";
        List<ObjectNode> items = new ArrayList<>();
        for (var e : state.resources.entrySet()) {
            if (e.getKey().startsWith(prefix)) {
                JsonNode resource = e.getValue();
                ObjectNode item = JsonDocuments.object();
                for (String field : List.of("id", "name", "type", "location", "kind", "tags", "managedBy")) {
                    if (resource.has(field)) {
                        item.set(field, resource.get(field));
                    }
                }
                items.add(item);
            }
        }
        return ArmResponse.ok(JsonDocuments.list(items));
    }
}
