package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Microsoft.KeyVault vaults on the management plane (api-version 2024-11-01): create (and recover), get, update,
 * delete to a soft-deleted vault, deleted vaults, purge, name availability, access policy add/remove/replace. Keys
 * below a vault are {@link KeyRoutes}'.
 */
final class VaultRoutes implements Route.Family {
    private static final Pattern VAULT_NAME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$");
    private static final String DELETED_STATE_MESSAGE = "A vault with the same name already exists in deleted state. "
            + "You need to either recover or purge existing key vault. Follow this link "
            + "https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.";

    private final ArmState state;
    private final KeyRoutes keys;

    VaultRoutes(ArmState state) {
        this.state = state;
        this.keys = new KeyRoutes(state);
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions")) {
            return null;
        }
        String method = r.method.toUpperCase(Locale.ROOT);
        String subscription = r.segment(1);
        if (r.is(2, "providers") && r.is(3, "Microsoft.KeyVault")) {
            if (r.size() == 5 && r.is(4, "checkNameAvailability") && method.equals("POST")) {
                return new Route("Vaults_CheckNameAvailability", () -> checkName(r));
            }
            if (r.size() == 5 && r.is(4, "deletedVaults") && method.equals("GET")) {
                return new Route("Vaults_ListDeleted", () -> listDeleted(subscription));
            }
            if (r.size() >= 8 && r.is(4, "locations") && r.is(6, "deletedVaults")) {
                String location = r.segment(5);
                String name = r.segment(7);
                if (r.size() == 8 && method.equals("GET")) {
                    return new Route("Vaults_GetDeleted", () -> ArmResponse.ok(
                            deletedDocument(deleted(subscription, location, name))));
                }
                if (r.size() == 9 && r.is(8, "purge") && method.equals("POST")) {
                    return new Route("Vaults_PurgeDeleted", () -> purge(subscription, location, name));
                }
            }
            return null;
        }
        if (!(r.is(2, "resourceGroups") && r.is(4, "providers") && r.is(5, "Microsoft.KeyVault")
                && r.is(6, "vaults"))) {
            return null;
        }
        String group = r.segment(3);
        if (r.size() == 7 && method.equals("GET")) {
            return new Route("Vaults_ListByResourceGroup", () -> ArmResponse.ok(JsonDocuments.list(
                    state.ofType(ArmState.VAULT_TYPE).stream().filter(v -> group.equalsIgnoreCase(
                            ResourceIds.after(v.get("id").asText(), "resourceGroups"))).toList())));
        }
        if (r.size() < 8) {
            return null;
        }
        String name = r.segment(7);
        String id = ResourceIds.resource(subscription, group, "Microsoft.KeyVault", "vaults", name);
        if (r.size() == 8) {
            return switch (method) {
                case "PUT" -> new Route("Vaults_CreateOrUpdate", () -> createOrUpdate(r, subscription, group, name));
                case "GET" -> new Route("Vaults_Get", () -> ArmResponse.ok(existing(id)));
                case "PATCH" -> new Route("Vaults_Update", () -> update(r, id));
                case "DELETE" -> new Route("Vaults_Delete", () -> delete(id));
                case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                        state.resources.containsKey(ResourceIds.key(id)) ? 204 : 404));
                default -> null;
            };
        }
        if (r.size() == 10 && r.is(8, "accessPolicies") && method.equals("PUT")) {
            return new Route("Vaults_UpdateAccessPolicy", () -> updateAccessPolicy(r, id, r.segment(9)));
        }
        if (r.is(8, "keys")) {
            return keys.match(r, id, method);
        }
        return null;
    }

    ObjectNode existing(String id) {
        ObjectNode vault = state.resources.get(ResourceIds.key(id));
        if (vault == null) {
            throw ArmError.notFound(ArmState.VAULT_TYPE + "/" + ResourceIds.name(id),
                    ResourceIds.after(id, "resourceGroups"));
        }
        return vault;
    }

    private ArmResponse createOrUpdate(ArmRequest r, String subscription, String group, String name) {
        ObjectNode body = r.jsonBody();
        if (!VAULT_NAME.matcher(name).matches() || name.contains("--")) {
            throw ArmError.badRequest("VaultNameNotValid", "The vault name '" + name + "' is invalid. A vault's name "
                    + "must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a "
                    + "letter or digit, and not contain consecutive hyphens.");
        }
        String location = JsonDocuments.text(body, "location");
        if (location == null || location.isBlank()) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'location'.");
        }
        JsonNode properties = body.get("properties");
        if (!(properties instanceof ObjectNode props)) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'properties'.");
        }
        String id = ResourceIds.resource(subscription, group, "Microsoft.KeyVault", "vaults", name);
        String lowerName = name.toLowerCase(Locale.ROOT);
        ArmState.DeletedVault deleted = state.deletedVaults.get(lowerName);
        if ("recover".equalsIgnoreCase(JsonDocuments.text(props, "createMode"))) {
            if (deleted == null) {
                throw new ArmError(404, "ResourceNotFound", "No deleted vault named '" + name
                        + "' exists in the subscription to recover.");
            }
            state.deletedVaults.remove(lowerName);
            ObjectNode recovered = deleted.vault.deepCopy();
            recovered.put("id", id);
            ObjectNode recoveredProps = (ObjectNode) recovered.get("properties");
            recoveredProps.put("provisioningState", "Succeeded");
            recoveredProps.put("vaultUri", state.vaultUri(name));
            if (body.has("tags")) {
                recovered.set("tags", body.get("tags"));
            }
            rekeyKeys(deleted.vault.get("id").asText(), id);
            state.resources.put(ResourceIds.key(id), recovered);
            return ArmResponse.ok(recovered);
        }
        if (deleted != null) {
            throw ArmError.conflict("ConflictError", DELETED_STATE_MESSAGE);
        }
        for (ObjectNode other : state.ofType(ArmState.VAULT_TYPE)) {
            if (other.get("name").asText().equalsIgnoreCase(name) && !other.get("id").asText().equalsIgnoreCase(id)) {
                throw ArmError.conflict("VaultAlreadyExists", "The vault name '" + name + "' is already in use. Vault "
                        + "names are globally unique so it is possible that the name is already taken. If you are "
                        + "sure that the vault name was not taken then it is possible that a vault with the same "
                        + "name was recently deleted but not purged after being placed in a recoverable state.");
            }
        }
        requireTenantAndSku(props);
        ObjectNode current = state.resources.get(ResourceIds.key(id));
        if (current != null) {
            ObjectNode currentProps = (ObjectNode) current.get("properties");
            guardIrreversible(currentProps, props);
            ObjectNode merged = props.deepCopy();
            if (JsonDocuments.flag(currentProps, "enablePurgeProtection")) {
                merged.put("enablePurgeProtection", true);
            }
            ObjectNode replaced = vaultDocument(state, subscription, group, name, location, JsonDocuments.tags(body),
                    merged);
            state.resources.put(ResourceIds.key(id), replaced);
            return ArmResponse.ok(replaced);
        }
        ObjectNode created = vaultDocument(state, subscription, group, name, location, JsonDocuments.tags(body), props);
        state.resources.put(ResourceIds.key(id), created);
        return ArmResponse.status(201, created);
    }

    private static void requireTenantAndSku(JsonNode props) {
        if (JsonDocuments.text(props, "tenantId") == null) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'properties.tenantId'.");
        }
        if (!props.has("sku")) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'properties.sku'.");
        }
    }

    private static void guardIrreversible(JsonNode current, JsonNode requested) {
        if (JsonDocuments.flag(current, "enablePurgeProtection") && requested.has("enablePurgeProtection")
                && !requested.get("enablePurgeProtection").isNull()
                && !requested.get("enablePurgeProtection").asBoolean()) {
            throw ArmError.badRequest("BadRequest", "The property \"enablePurgeProtection\" cannot be set to false. "
                    + "Enabling the purge protection for a vault is an irreversible action.");
        }
        if (JsonDocuments.flag(current, "enableSoftDelete") && requested.has("enableSoftDelete")
                && !requested.get("enableSoftDelete").isNull() && !requested.get("enableSoftDelete").asBoolean()) {
            throw ArmError.badRequest("BadRequest", "The property \"enableSoftDelete\" cannot be set to false. "
                    + "Enabling the soft delete for a vault is an irreversible action.");
        }
    }

    private ArmResponse update(ArmRequest r, String id) {
        ObjectNode vault = existing(id);
        ObjectNode body = r.jsonBody();
        ObjectNode props = (ObjectNode) vault.get("properties");
        if (body.get("properties") instanceof ObjectNode patch) {
            guardIrreversible(props, patch);
            Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
            while (fields.hasNext()) {
                Map.Entry<String, JsonNode> f = fields.next();
                if (!f.getValue().isNull()) {
                    props.set(f.getKey(), f.getValue());
                }
            }
        }
        if (body.has("tags")) {
            vault.set("tags", body.get("tags"));
        }
        return ArmResponse.ok(vault);
    }

    private ArmResponse delete(String id) {
        ObjectNode vault = state.resources.get(ResourceIds.key(id));
        if (vault == null) {
            return ArmResponse.empty(204);
        }
        if (JsonDocuments.flag(vault, "properties", "enableSoftDelete")) {
            softDelete(state, vault);
        } else {
            state.resources.remove(ResourceIds.key(id));
            removeKeys(id);
        }
        return ArmResponse.empty(200);
    }

    /** Moves a vault to the deleted vaults; its keys stay stored under its id, so a recovery brings them back. */
    static ArmState.DeletedVault softDelete(ArmState state, ObjectNode vault) {
        state.resources.remove(ResourceIds.key(vault.get("id").asText()));
        Instant now = ArmState.now();
        ArmState.DeletedVault deleted = new ArmState.DeletedVault(vault.deepCopy(), now,
                now.plus(ArmState.retention(vault)));
        state.deletedVaults.put(vault.get("name").asText().toLowerCase(Locale.ROOT), deleted);
        return deleted;
    }

    private void removeKeys(String vaultId) {
        String prefix = ResourceIds.key(vaultId) + "|";
        state.keys.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private void rekeyKeys(String oldVaultId, String newVaultId) {
        if (ResourceIds.key(oldVaultId).equals(ResourceIds.key(newVaultId))) {
            return;
        }
        String prefix = ResourceIds.key(oldVaultId) + "|";
        List<ArmState.StoredKey> moved = new ArrayList<>();
        state.keys.entrySet().removeIf(e -> {
            if (e.getKey().startsWith(prefix)) {
                moved.add(e.getValue());
                return true;
            }
            return false;
        });
        for (ArmState.StoredKey old : moved) {
            ArmState.StoredKey copy = new ArmState.StoredKey(newVaultId, old.vaultName, old.name);
            copy.kty = old.kty;
            copy.keySize = old.keySize;
            copy.keyOps = old.keyOps;
            copy.tags = old.tags;
            copy.versions.addAll(old.versions);
            copy.deletedAt = old.deletedAt;
            state.keys.put(KeyRoutes.keyKey(newVaultId, old.name), copy);
        }
    }

    private ArmState.DeletedVault deleted(String subscription, String location, String name) {
        ArmState.DeletedVault d = state.deletedVaults.get(name.toLowerCase(Locale.ROOT));
        if (d == null || !subscription.equalsIgnoreCase(ResourceIds.after(d.vault.get("id").asText(), "subscriptions"))
                || !normalLocation(location).equals(normalLocation(JsonDocuments.text(d.vault, "location")))) {
            throw new ArmError(404, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/deletedVaults/" + name
                    + "' under location '" + location + "' was not found.");
        }
        return d;
    }

    private static String normalLocation(String location) {
        return location == null ? "" : location.replace(" ", "").toLowerCase(Locale.ROOT);
    }

    private ArmResponse listDeleted(String subscription) {
        List<ObjectNode> items = state.deletedVaults.values().stream()
                .filter(d -> subscription.equalsIgnoreCase(ResourceIds.after(d.vault.get("id").asText(),
                        "subscriptions"))).map(VaultRoutes::deletedDocument).toList();
        return ArmResponse.ok(JsonDocuments.list(items));
    }

    private ArmResponse purge(String subscription, String location, String name) {
        ArmState.DeletedVault d = deleted(subscription, location, name);
        if (JsonDocuments.flag(d.vault, "properties", "enablePurgeProtection")) {
            // What Azure answers (seen in az CLI / SDK output): 405 MethodNotAllowed.
            throw new ArmError(405, "MethodNotAllowed", "Operation 'DeletedVaultPurge' is not allowed.");
        }
        state.deletedVaults.remove(name.toLowerCase(Locale.ROOT));
        removeKeys(d.vault.get("id").asText());
        return ArmResponse.empty(200);
    }

    static String deletedVaultId(String subscription, String location, String name) {
        return "/subscriptions/" + subscription + "/providers/Microsoft.KeyVault/locations/" + location
                + "/deletedVaults/" + name;
    }

    static ObjectNode deletedDocument(ArmState.DeletedVault d) {
        ObjectNode v = d.vault;
        String name = v.get("name").asText();
        String location = JsonDocuments.text(v, "location");
        ObjectNode doc = JsonDocuments.object();
        doc.put("id", deletedVaultId(ResourceIds.after(v.get("id").asText(), "subscriptions"), location, name));
        doc.put("name", name);
        doc.put("type", "Microsoft.KeyVault/deletedVaults");
        ObjectNode p = doc.putObject("properties");
        p.put("vaultId", v.get("id").asText());
        p.put("location", location);
        p.set("tags", v.has("tags") ? v.get("tags").deepCopy() : JsonDocuments.object());
        p.put("deletionDate", d.deletionDate.toString());
        p.put("scheduledPurgeDate", d.scheduledPurgeDate.toString());
        p.put("purgeProtectionEnabled", JsonDocuments.flag(v, "properties", "enablePurgeProtection"));
        return doc;
    }

    private ArmResponse checkName(ArmRequest r) {
        ObjectNode body = r.jsonBody();
        String name = JsonDocuments.text(body, "name");
        if (name == null) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'name'.");
        }
        ObjectNode answer = JsonDocuments.object();
        if (!VAULT_NAME.matcher(name).matches()) {
            answer.put("nameAvailable", false).put("reason", "AccountNameInvalid")
                    .put("message", "Vault name '" + name + "' is invalid.");
        } else if (state.deletedVaults.containsKey(name.toLowerCase(Locale.ROOT))) {
            answer.put("nameAvailable", false).put("reason", "AlreadyExists").put("message", DELETED_STATE_MESSAGE);
        } else if (state.ofType(ArmState.VAULT_TYPE).stream().anyMatch(v -> v.get("name").asText()
                .equalsIgnoreCase(name))) {
            answer.put("nameAvailable", false).put("reason", "AlreadyExists")
                    .put("message", "The vault name '" + name + "' is already in use.");
        } else {
            answer.put("nameAvailable", true);
        }
        return ArmResponse.ok(answer);
    }

    private ArmResponse updateAccessPolicy(ArmRequest r, String vaultId, String kind) {
        ObjectNode vault = existing(vaultId);
        ObjectNode body = r.jsonBody();
        JsonNode requested = body.path("properties").path("accessPolicies");
        if (!requested.isArray()) {
            throw ArmError.badRequest("BadRequest",
                    "The request is missing the required property 'properties.accessPolicies'.");
        }
        ObjectNode props = JsonDocuments.objectAt(vault, "properties");
        ArrayNode current = props.has("accessPolicies") && props.get("accessPolicies").isArray()
                ? (ArrayNode) props.get("accessPolicies") : props.putArray("accessPolicies");
        String operation = kind.toLowerCase(Locale.ROOT);
        if (!List.of("add", "remove", "replace").contains(operation)) {
            throw ArmError.badRequest("BadRequest", "The operationKind '" + kind
                    + "' is invalid: it must be one of add, remove, replace.");
        }
        for (JsonNode entry : requested) {
            String objectId = JsonDocuments.text(entry, "objectId");
            if (objectId == null || JsonDocuments.text(entry, "tenantId") == null) {
                throw ArmError.badRequest("BadRequest",
                        "An access policy entry must have 'tenantId' and 'objectId'.");
            }
            ObjectNode existingEntry = find(current, objectId);
            switch (operation) {
                case "add" -> {
                    if (existingEntry == null) {
                        current.add(normalisedEntry(entry));
                    } else {
                        for (String kindName : List.of("keys", "secrets", "certificates", "storage")) {
                            Set<String> merged = new LinkedHashSet<>(ArmState.textSet(existingEntry.path("permissions")
                                    .path(kindName)));
                            merged.addAll(ArmState.textSet(entry.path("permissions").path(kindName)));
                            permissions(existingEntry).set(kindName, ArmState.arrayOf(merged));
                        }
                    }
                }
                case "remove" -> {
                    if (existingEntry != null) {
                        boolean empty = true;
                        for (String kindName : List.of("keys", "secrets", "certificates", "storage")) {
                            Set<String> left = new LinkedHashSet<>(ArmState.textSet(existingEntry.path("permissions")
                                    .path(kindName)));
                            Set<String> removing = lower(ArmState.textSet(entry.path("permissions").path(kindName)));
                            left.removeIf(p -> removing.contains(p.toLowerCase(Locale.ROOT)));
                            permissions(existingEntry).set(kindName, ArmState.arrayOf(left));
                            empty &= left.isEmpty();
                        }
                        if (empty) {
                            removeEntry(current, objectId);
                        }
                    }
                }
                default -> {
                    removeEntry(current, objectId);
                    current.add(normalisedEntry(entry));
                }
            }
        }
        ObjectNode answer = JsonDocuments.object();
        answer.put("id", vaultId + "/accessPolicies/");
        answer.put("type", "Microsoft.KeyVault/vaults/accessPolicies");
        answer.putObject("properties").set("accessPolicies", requested.deepCopy());
        return ArmResponse.ok(answer);
    }

    private static Set<String> lower(Set<String> values) {
        Set<String> lowered = new LinkedHashSet<>();
        values.forEach(v -> lowered.add(v.toLowerCase(Locale.ROOT)));
        return lowered;
    }

    private static ObjectNode normalisedEntry(JsonNode entry) {
        ObjectNode copy = entry.deepCopy();
        ObjectNode perms = permissions(copy);
        for (String kindName : List.of("keys", "secrets", "certificates")) {
            if (!perms.has(kindName)) {
                perms.putArray(kindName);
            }
        }
        return copy;
    }

    private static ObjectNode permissions(ObjectNode entry) {
        return JsonDocuments.objectAt(entry, "permissions");
    }

    private static ObjectNode find(ArrayNode entries, String objectId) {
        for (JsonNode e : entries) {
            if (objectId.equalsIgnoreCase(JsonDocuments.text(e, "objectId"))) {
                return (ObjectNode) e;
            }
        }
        return null;
    }

    private static void removeEntry(ArrayNode entries, String objectId) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (objectId.equalsIgnoreCase(JsonDocuments.text(entries.get(i), "objectId"))) {
                entries.remove(i);
            }
        }
    }

    /** A vault as Azure answers it, from the request's (or a seed's) properties. */
    static ObjectNode vaultDocument(ArmState state, String subscription, String group, String name, String location,
                                    Map<String, String> tags, ObjectNode requestedProperties) {
        ObjectNode vault = JsonDocuments.object();
        vault.put("id", ResourceIds.resource(subscription, group, "Microsoft.KeyVault", "vaults", name));
        vault.put("name", name);
        vault.put("type", ArmState.VAULT_TYPE);
        vault.put("location", location);
        vault.set("tags", JsonDocuments.tagsNode(tags));
        ObjectNode systemData = vault.putObject("systemData");
        systemData.put("createdBy", "cmkflow-simulator");
        systemData.put("createdByType", "Application");
        systemData.put("createdAt", ArmState.now().toString());
        ObjectNode props = requestedProperties.deepCopy();
        props.remove("createMode");
        if (!props.has("accessPolicies") || !props.get("accessPolicies").isArray()) {
            props.putArray("accessPolicies");
        }
        if (!props.has("enableSoftDelete") || props.get("enableSoftDelete").isNull()) {
            props.put("enableSoftDelete", true);
        }
        if (!props.has("softDeleteRetentionInDays") || props.get("softDeleteRetentionInDays").isNull()) {
            props.put("softDeleteRetentionInDays", 90);
        }
        if (!props.has("enableRbacAuthorization") || props.get("enableRbacAuthorization").isNull()) {
            props.put("enableRbacAuthorization", false);
        }
        if (props.has("enablePurgeProtection") && !props.get("enablePurgeProtection").asBoolean(false)) {
            // Azure never reports purge protection as false: it is either on or absent.
            props.remove("enablePurgeProtection");
        }
        if (!props.has("publicNetworkAccess")) {
            props.put("publicNetworkAccess", "Enabled");
        }
        props.put("vaultUri", state.vaultUri(name));
        props.put("provisioningState", "Succeeded");
        vault.set("properties", props);
        return vault;
    }
}
