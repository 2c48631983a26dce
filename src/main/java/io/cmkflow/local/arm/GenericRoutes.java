package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Iterator;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Any other resource in a resource group, by id, as {@code azure.genericResources()} reaches it: create/replace, get,
 * existence, patch, delete. Application Insights components get their generated properties; the managed group's
 * Cosmos DB / storage / search resources and user-assigned identities ({@link ArmState#userAssignedIdentity}) are
 * served from the same store.
 */
final class GenericRoutes implements Route.Family {
    private final ArmState state;

    GenericRoutes(ArmState state) {
        this.state = state;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!(r.is(0, "subscriptions") && r.is(2, "resourceGroups") && r.is(4, "providers")) || r.size() < 8
                || r.size() % 2 != 0) {
            return null;
        }
        String namespace = ProviderCatalog.canonicalName(r.segment(5));
        StringBuilder typeBuilder = new StringBuilder(namespace);
        StringBuilder idBuilder = new StringBuilder(ResourceIds.group(r.segment(1), r.segment(3)) + "/providers/"
                + namespace);
        for (int i = 6; i < r.size(); i += 2) {
            typeBuilder.append('/').append(r.segment(i));
            idBuilder.append('/').append(r.segment(i)).append('/').append(r.segment(i + 1));
        }
        String type = r.size() == 8 ? ProviderCatalog.canonicalType(namespace, r.segment(6)) : typeBuilder.toString();
        String id = idBuilder.toString();
        String family = operationFamily(type);
        return switch (r.method.toUpperCase(Locale.ROOT)) {
            case "PUT" -> new Route(family + "_CreateOrUpdate", () -> put(r, id, type));
            case "GET" -> new Route(family + "_Get", () -> ArmResponse.ok(existing(id, type)));
            case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                    state.resources.containsKey(ResourceIds.key(id)) ? 204 : 404));
            case "PATCH" -> new Route(family + "_Update", () -> patch(r, id, type));
            case "DELETE" -> new Route(family + "_Delete", () -> delete(id));
            default -> null;
        };
    }

    private static String operationFamily(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "microsoft.insights/components" -> "Components";
            case "microsoft.documentdb/databaseaccounts" -> "DatabaseAccounts";
            case "microsoft.search/searchservices" -> "Services";
            case "microsoft.managedidentity/userassignedidentities" -> "UserAssignedIdentities";
            default -> "Resources";
        };
    }

    private ObjectNode existing(String id, String type) {
        ObjectNode resource = state.resources.get(ResourceIds.key(id));
        if (resource == null) {
            throw ArmError.notFound(type + "/" + ResourceIds.name(id), ResourceIds.after(id, "resourceGroups"));
        }
        return resource;
    }

    private ArmResponse put(ArmRequest r, String id, String type) {
        ObjectNode body = r.jsonBody();
        ObjectNode current = state.resources.get(ResourceIds.key(id));
        if (current == null && JsonDocuments.text(body, "location") == null) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        ObjectNode resource = body.deepCopy();
        resource.put("id", id);
        resource.put("name", ResourceIds.name(id));
        resource.put("type", type);
        if (!resource.has("location") && current != null) {
            resource.set("location", current.get("location"));
        }
        if (!resource.has("tags")) {
            resource.putObject("tags");
        }
        ObjectNode props = JsonDocuments.objectAt(resource, "properties");
        props.put("provisioningState", "Succeeded");
        if (type.equalsIgnoreCase(ArmState.COMPONENT_TYPE)) {
            if (current != null) {
                copyGenerated(current, resource);
            }
            completeComponent(resource);
        }
        state.resources.put(ResourceIds.key(id), resource);
        return ArmResponse.status(current == null ? 201 : 200, resource);
    }

    private static void copyGenerated(ObjectNode from, ObjectNode to) {
        for (String field : new String[]{"AppId", "InstrumentationKey", "ConnectionString", "CreationDate"}) {
            JsonNode value = from.path("properties").get(field);
            if (value != null) {
                JsonDocuments.objectAt(to, "properties").set(field, value);
            }
        }
    }

    /** Fills what Azure generates for an Application Insights component (ids, instrumentation key). */
    static void completeComponent(ObjectNode component) {
        ObjectNode props = JsonDocuments.objectAt(component, "properties");
        if (!props.has("InstrumentationKey")) {
            String key = UUID.randomUUID().toString();
            props.put("AppId", UUID.randomUUID().toString());
            props.put("InstrumentationKey", key);
            props.put("ConnectionString", "InstrumentationKey=" + key);
            props.put("CreationDate", ArmState.now().toString());
        }
        if (!props.has("Application_Type")) {
            props.put("Application_Type", "web");
        }
        props.put("Name", component.get("name").asText());
    }

    private ArmResponse patch(ArmRequest r, String id, String type) {
        ObjectNode resource = existing(id, type);
        ObjectNode body = r.jsonBody();
        if (body.has("tags")) {
            resource.set("tags", body.get("tags"));
        }
        if (body.get("properties") instanceof ObjectNode patch) {
            ObjectNode props = JsonDocuments.objectAt(resource, "properties");
            Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                props.set(f.getKey(), f.getValue());
            }
        }
        return ArmResponse.ok(resource);
    }

    private ArmResponse delete(String id) {
        if (state.resources.remove(ResourceIds.key(id)) == null) {
            return ArmResponse.empty(204);
        }
        return ArmResponse.empty(200);
    }
}
