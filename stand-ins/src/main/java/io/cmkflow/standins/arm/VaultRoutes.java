package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;

/**
 * Microsoft.KeyVault vaults on the management plane (api-version 2024-11-01): create (and recover), get, update,
 * delete to a soft-deleted vault, deleted vaults, purge, name availability, access policy add/remove/replace. Keys
 * below a vault are {@link KeyRoutes}'.
 */
final class VaultRoutes implements Route.Family {
    private final VaultStore vaults;
    private final KeyRoutes keys;

    VaultRoutes(VaultStore vaults, KeyStore keys) {
        this.vaults = vaults;
        this.keys = new KeyRoutes(vaults, keys);
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions")) {
            return null;
        }
        String method = r.method.toUpperCase(Locale.ROOT);
        String subscription = r.segment(1);
        if (r.is(2, "providers") && r.is(3, "Microsoft.KeyVault")) {
            return matchSubscriptionLevel(r, method, subscription);
        }
        if (!(r.is(2, "resourceGroups") && r.is(4, "providers") && r.is(5, "Microsoft.KeyVault")
                && r.is(6, "vaults"))) {
            return null;
        }
        String group = r.segment(3);
        if (r.size() == 7 && method.equals("GET")) {
            return new Route("Vaults_ListByResourceGroup", () -> ArmResponse.ok(JsonDocuments.list(
                    vaults.inGroupsNamed(group))));
        }
        if (r.size() < 8) {
            return null;
        }
        String name = r.segment(7);
        String id = VaultStore.id(subscription, group, name);
        if (r.size() == 8) {
            return switch (method) {
                case "PUT" -> new Route("Vaults_CreateOrUpdate", () -> createOrUpdate(r, subscription, group, name));
                case "GET" -> new Route("Vaults_Get", () -> ArmResponse.ok(vaults.require(id)));
                case "PATCH" -> new Route("Vaults_Update", () -> {
                    vaults.require(id);
                    ObjectNode body = r.jsonBody();
                    return ArmResponse.ok(vaults.update(id, body.get("properties"), body.get("tags")));
                });
                case "DELETE" -> new Route("Vaults_Delete", () -> ArmResponse.empty(vaults.delete(id) ? 200 : 204));
                case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                        vaults.get(id) != null ? 204 : 404));
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

    private Route matchSubscriptionLevel(ArmRequest r, String method, String subscription) {
        if (r.size() == 5 && r.is(4, "checkNameAvailability") && method.equals("POST")) {
            return new Route("Vaults_CheckNameAvailability", () -> checkName(r));
        }
        if (r.size() == 5 && r.is(4, "deletedVaults") && method.equals("GET")) {
            return new Route("Vaults_ListDeleted", () -> ArmResponse.ok(JsonDocuments.list(
                    vaults.deletedIn(subscription).stream().map(VaultDocuments::deleted).toList())));
        }
        if (r.size() >= 8 && r.is(4, "locations") && r.is(6, "deletedVaults")) {
            String location = r.segment(5);
            String name = r.segment(7);
            if (r.size() == 8 && method.equals("GET")) {
                return new Route("Vaults_GetDeleted", () -> ArmResponse.ok(
                        VaultDocuments.deleted(vaults.requireDeleted(subscription, location, name))));
            }
            if (r.size() == 9 && r.is(8, "purge") && method.equals("POST")) {
                return new Route("Vaults_PurgeDeleted", () -> {
                    vaults.purge(subscription, location, name);
                    return ArmResponse.empty(200);
                });
            }
        }
        return null;
    }

    private ArmResponse createOrUpdate(ArmRequest r, String subscription, String group, String name) {
        ObjectNode body = r.jsonBody();
        VaultRequests.requireValidName(name);
        String location = VaultRequests.requireLocation(body);
        ObjectNode props = VaultRequests.requireProperties(body);
        String id = VaultStore.id(subscription, group, name);
        if ("recover".equalsIgnoreCase(JsonDocuments.text(props, "createMode"))) {
            return ArmResponse.ok(vaults.recover(id, name));
        }
        vaults.requireNameFree(id, name);
        VaultRequests.requireTenantAndSku(props);
        VaultStore.Saved saved = vaults.createOrReplace(subscription, group, name, location, JsonDocuments.tags(body),
                props);
        return saved.created() ? ArmResponse.status(201, saved.vault()) : ArmResponse.ok(saved.vault());
    }

    private ArmResponse checkName(ArmRequest r) {
        String name = VaultRequests.requireName(r.jsonBody());
        ObjectNode answer = JsonDocuments.object();
        if (!VaultRequests.isValidName(name)) {
            answer.put("nameAvailable", false).put("reason", "AccountNameInvalid")
                    .put("message", "Vault name '" + name + "' is invalid.");
        } else if (vaults.isDeletedName(name)) {
            answer.put("nameAvailable", false).put("reason", "AlreadyExists")
                    .put("message", VaultStore.DELETED_STATE_MESSAGE);
        } else if (vaults.named(name) != null) {
            answer.put("nameAvailable", false).put("reason", "AlreadyExists")
                    .put("message", "The vault name '" + name + "' is already in use.");
        } else {
            answer.put("nameAvailable", true);
        }
        return ArmResponse.ok(answer);
    }

    private ArmResponse updateAccessPolicy(ArmRequest r, String vaultId, String kind) {
        vaults.require(vaultId);
        JsonNode requested = VaultRequests.requireAccessPolicies(r.jsonBody());
        AccessPolicies.Change change = AccessPolicies.Change.named(kind);
        for (JsonNode entry : requested) {
            VaultRequests.requireEntryIds(entry);
            vaults.changeAccessPolicy(vaultId, change, entry);
        }
        return ArmResponse.ok(VaultDocuments.accessPolicyUpdate(vaultId, requested));
    }
}
