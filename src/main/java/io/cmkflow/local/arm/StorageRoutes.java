package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Microsoft.Storage storage accounts as the SDK's storage module sends them: create (answered at once with the
 * account, which its long-running-operation poller accepts), get, update, delete, list keys, name availability.
 */
final class StorageRoutes implements Route.Family {
    private static final Pattern ACCOUNT_NAME = Pattern.compile("^[a-z0-9]{3,24}$");

    private final ArmState state;

    StorageRoutes(ArmState state) {
        this.state = state;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions")) {
            return null;
        }
        String method = r.method.toUpperCase(Locale.ROOT);
        if (r.size() == 5 && r.is(2, "providers") && r.is(3, "Microsoft.Storage") && r.is(4, "checkNameAvailability")
                && method.equals("POST")) {
            return new Route("StorageAccounts_CheckNameAvailability", () -> checkName(r));
        }
        if (!(r.is(2, "resourceGroups") && r.is(4, "providers") && r.is(5, "Microsoft.Storage")
                && r.is(6, "storageAccounts")) || r.size() < 8) {
            return null;
        }
        String subscription = r.segment(1);
        String group = r.segment(3);
        String name = r.segment(7);
        String id = ResourceIds.resource(subscription, group, "Microsoft.Storage", "storageAccounts", name);
        if (r.size() == 8) {
            return switch (method) {
                case "PUT" -> new Route("StorageAccounts_Create", () -> create(r, subscription, group, name));
                case "GET" -> new Route("StorageAccounts_GetProperties", () -> ArmResponse.ok(existing(id)));
                case "PATCH" -> new Route("StorageAccounts_Update", () -> update(r, id));
                case "DELETE" -> new Route("StorageAccounts_Delete", () -> ArmResponse.empty(
                        state.resources.remove(ResourceIds.key(id)) == null ? 204 : 200));
                case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                        state.resources.containsKey(ResourceIds.key(id)) ? 204 : 404));
                default -> null;
            };
        }
        if (r.size() == 9 && r.is(8, "listKeys") && method.equals("POST")) {
            return new Route("StorageAccounts_ListKeys", () -> {
                existing(id);
                ObjectNode answer = JsonDocuments.object();
                var keys = answer.putArray("keys");
                keys.addObject().put("keyName", "key1").put("value", "c2ltdWxhdGVkLWtleS0x").put("permissions", "FULL");
                keys.addObject().put("keyName", "key2").put("value", "c2ltdWxhdGVkLWtleS0y").put("permissions", "FULL");
                return ArmResponse.ok(answer);
            });
        }
        return null;
    }

    private ObjectNode existing(String id) {
        ObjectNode account = state.resources.get(ResourceIds.key(id));
        if (account == null) {
            throw ArmError.notFound(ArmState.STORAGE_TYPE + "/" + ResourceIds.name(id),
                    ResourceIds.after(id, "resourceGroups"));
        }
        return account;
    }

    private ArmResponse create(ArmRequest r, String subscription, String group, String name) {
        if (!ACCOUNT_NAME.matcher(name).matches()) {
            throw ArmError.badRequest("AccountNameInvalid", name + " is not a valid storage account name. Storage "
                    + "account name must be between 3 and 24 characters in length and use numbers and lower-case "
                    + "letters only.");
        }
        String id = ResourceIds.resource(subscription, group, "Microsoft.Storage", "storageAccounts", name);
        for (ObjectNode other : state.ofType(ArmState.STORAGE_TYPE)) {
            if (other.get("name").asText().equalsIgnoreCase(name) && !other.get("id").asText().equalsIgnoreCase(id)) {
                throw ArmError.conflict("StorageAccountAlreadyTaken", "The storage account named " + name
                        + " is already taken.");
            }
        }
        ObjectNode body = r.jsonBody();
        String location = JsonDocuments.text(body, "location");
        if (location == null) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        ObjectNode account = accountDocument(state, subscription, group, name, location, JsonDocuments.tags(body),
                body);
        state.resources.put(ResourceIds.key(id), account);
        return ArmResponse.ok(account);
    }

    private ArmResponse update(ArmRequest r, String id) {
        ObjectNode account = existing(id);
        ObjectNode body = r.jsonBody();
        if (body.has("tags")) {
            account.set("tags", body.get("tags"));
        }
        if (body.get("properties") instanceof ObjectNode patch) {
            ObjectNode props = JsonDocuments.objectAt(account, "properties");
            patch.fields().forEachRemaining(f -> props.set(f.getKey(), f.getValue()));
        }
        return ArmResponse.ok(account);
    }

    /** A storage account as Azure answers it; {@code request} supplies sku, kind and properties. */
    static ObjectNode accountDocument(ArmState state, String subscription, String group, String name, String location,
                                      Map<String, String> tags, JsonNode request) {
        ObjectNode account = JsonDocuments.object();
        account.put("id", ResourceIds.resource(subscription, group, "Microsoft.Storage", "storageAccounts", name));
        account.put("name", name);
        account.put("type", ArmState.STORAGE_TYPE);
        account.put("location", location);
        account.put("kind", request.path("kind").asText("StorageV2"));
        account.set("sku", request.has("sku") ? request.get("sku").deepCopy()
                : JsonDocuments.object().put("name", "Standard_LRS").put("tier", "Standard"));
        account.set("tags", JsonDocuments.tagsNode(tags));
        ObjectNode props = request.get("properties") instanceof ObjectNode p ? p.deepCopy() : JsonDocuments.object();
        props.put("provisioningState", "Succeeded");
        props.put("creationTime", ArmState.now().toString());
        props.put("primaryLocation", location);
        props.put("statusOfPrimary", "available");
        ObjectNode endpoints = props.putObject("primaryEndpoints");
        for (String service : new String[]{"blob", "queue", "table", "file", "dfs", "web"}) {
            endpoints.put(service, "https://" + name + "." + service + ".core.windows.net/");
        }
        account.set("properties", props);
        return account;
    }

    private ArmResponse checkName(ArmRequest r) {
        String name = JsonDocuments.text(r.jsonBody(), "name");
        if (name == null) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'name'.");
        }
        ObjectNode answer = JsonDocuments.object();
        if (!ACCOUNT_NAME.matcher(name).matches()) {
            answer.put("nameAvailable", false).put("reason", "AccountNameInvalid")
                    .put("message", name + " is not a valid storage account name.");
        } else if (state.ofType(ArmState.STORAGE_TYPE).stream().anyMatch(a -> a.get("name").asText()
                .equalsIgnoreCase(name))) {
            answer.put("nameAvailable", false).put("reason", "AlreadyExists")
                    .put("message", "The storage account named " + name + " is already taken.");
        } else {
            answer.put("nameAvailable", true);
        }
        return ArmResponse.ok(answer);
    }
}
