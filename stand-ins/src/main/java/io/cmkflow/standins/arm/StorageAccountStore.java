package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/** Storage accounts (in the resource table); their names are unique across Azure. Callers hold the ArmState lock. */
final class StorageAccountStore {
    static final String TYPE = "Microsoft.Storage/storageAccounts";

    private final ResourceStore resources;

    StorageAccountStore(ResourceStore resources) {
        this.resources = resources;
    }

    static String id(String subscription, String group, String name) {
        return ResourceIds.resource(subscription, group, "Microsoft.Storage", "storageAccounts", name);
    }

    ObjectNode require(String id) {
        return resources.require(id, TYPE);
    }

    List<ObjectNode> all() {
        return resources.ofType(TYPE);
    }

    boolean isNameTaken(String name) {
        return all().stream().anyMatch(a -> a.get("name").asText().equalsIgnoreCase(name));
    }

    /** Refuses a name another account (anywhere) has. */
    void requireNameFree(String id, String name) {
        for (ObjectNode other : all()) {
            if (other.get("name").asText().equalsIgnoreCase(name) && !other.get("id").asText().equalsIgnoreCase(id)) {
                throw ArmError.conflict("StorageAccountAlreadyTaken", "The storage account named " + name
                        + " is already taken.");
            }
        }
    }

    /** Creates or replaces an account; {@code request} supplies sku, kind and properties. */
    ObjectNode create(String subscription, String group, String name, String location, Map<String, String> tags,
                      JsonNode request) {
        return resources.put(document(subscription, group, name, location, tags, request));
    }

    ObjectNode update(String id, JsonNode request) {
        ObjectNode account = require(id);
        ResourceStore.patch(account, request);
        return account;
    }

    /** False when there was no such account. */
    boolean delete(String id) {
        return resources.remove(id) != null;
    }

    /** A storage account as Azure answers it. */
    private static ObjectNode document(String subscription, String group, String name, String location,
                                       Map<String, String> tags, JsonNode request) {
        ObjectNode account = JsonDocuments.object();
        account.put("id", id(subscription, group, name));
        account.put("name", name);
        account.put("type", TYPE);
        account.put("location", location);
        account.put("kind", request.path("kind").asText("StorageV2"));
        account.set("sku", request.has("sku") ? request.get("sku").deepCopy()
                : JsonDocuments.object().put("name", "Standard_LRS").put("tier", "Standard"));
        account.set("tags", JsonDocuments.tagsNode(tags));
        ObjectNode props = request.get("properties") instanceof ObjectNode p ? p.deepCopy() : JsonDocuments.object();
        props.put("provisioningState", "Succeeded");
        props.put("creationTime", Instant.now().toString());
        props.put("primaryLocation", location);
        props.put("statusOfPrimary", "available");
        ObjectNode endpoints = props.putObject("primaryEndpoints");
        for (String service : new String[]{"blob", "queue", "table", "file", "dfs", "web"}) {
            endpoints.put(service, "https://" + name + "." + service + ".core.windows.net/");
        }
        account.set("properties", props);
        return account;
    }
}
