package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** Resource groups (PUT/GET/HEAD/PATCH/DELETE/list) and the resources listed in a group. */
final class ResourceGroupRoutes implements Route.Family {
    private final ResourceGroupStore groups;
    private final ResourceStore resources;

    ResourceGroupRoutes(ResourceGroupStore groups, ResourceStore resources) {
        this.groups = groups;
        this.resources = resources;
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
                    groups.inSubscription(subscription))));
        }
        if (r.size() == 4) {
            String name = r.segment(3);
            return switch (method) {
                case "PUT" -> new Route("ResourceGroups_CreateOrUpdate", () -> put(r, subscription, name));
                case "GET" -> new Route("ResourceGroups_Get", () -> ArmResponse.ok(groups.require(subscription, name)));
                case "HEAD" -> new Route("ResourceGroups_CheckExistence", () -> ArmResponse.empty(
                        groups.exists(subscription, name) ? 204 : 404));
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

    private ArmResponse put(ArmRequest r, String subscription, String name) {
        ObjectNode body = r.jsonBody();
        String location = JsonDocuments.text(body, "location");
        if (location == null || location.isBlank()) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        ObjectNode current = groups.get(subscription, name);
        if (current != null) {
            if (!current.get("location").asText().equalsIgnoreCase(location)) {
                throw ArmError.conflict("InvalidResourceGroupLocation", "Invalid resource group location '" + location
                        + "'. The Resource group already exists in location '" + current.get("location").asText()
                        + "' in resource group '" + name + "'. A resource group cannot change location.");
            }
            return ArmResponse.ok(groups.updateTags(current, body));
        }
        ObjectNode group = groups.create(subscription, name, location, JsonDocuments.text(body, "managedBy"),
                JsonDocuments.tags(body));
        return ArmResponse.status(201, group);
    }

    private ArmResponse patch(ArmRequest r, String subscription, String name) {
        ObjectNode group = groups.require(subscription, name);
        return ArmResponse.ok(groups.updateTags(group, r.jsonBody()));
    }

    private ArmResponse delete(String subscription, String name) {
        if (!groups.delete(subscription, name)) {
            throw ResourceGroupStore.notFound(name);
        }
        return ArmResponse.ok(null);
    }

    private ArmResponse listResources(String subscription, String group) {
        List<ObjectNode> items = new ArrayList<>();
        for (JsonNode resource : resources.inGroup(subscription, group)) {
            ObjectNode item = JsonDocuments.object();
            for (String field : List.of("id", "name", "type", "location", "kind", "tags", "managedBy")) {
                if (resource.has(field)) {
                    item.set(field, resource.get(field));
                }
            }
            items.add(item);
        }
        return ArmResponse.ok(JsonDocuments.list(items));
    }
}
