package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The built-in role definitions cmkflow looks up, by role GUID, and their documents. The GUIDs are Azure's, the same in
 * every cloud (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles).
 */
final class BuiltInRoles {
    /** Key Vault Crypto Service Encryption User: get, wrapKey, unwrapKey on keys (what Cosmos DB needs for a CMK). */
    static final String KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
    static final String KEY_VAULT_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
    static final String CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    static final String KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483";
    /** GUID to role name, in the order Azure lists them. */
    static final Map<String, String> NAMES;

    static {
        Map<String, String> names = new LinkedHashMap<>();
        names.put(KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, "Key Vault Crypto Service Encryption User");
        names.put(KEY_VAULT_CRYPTO_OFFICER, "Key Vault Crypto Officer");
        names.put(KEY_VAULT_ADMINISTRATOR, "Key Vault Administrator");
        names.put("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader");
        names.put(CONTRIBUTOR, "Contributor");
        names.put("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner");
        NAMES = java.util.Collections.unmodifiableMap(names);
    }

    private BuiltInRoles() {
    }

    /** Whether {@code id} (a lower-case GUID) is a built-in role. */
    static boolean exists(String id) {
        return NAMES.containsKey(id);
    }

    /** The role definition as Microsoft.Authorization answers it at {@code scope}. */
    static ObjectNode definition(String scope, String id) {
        ObjectNode definition = JsonDocuments.object();
        String subscription = ResourceIds.after(scope, "subscriptions");
        definition.put("id", (subscription == null ? "" : "/subscriptions/" + subscription)
                + "/providers/Microsoft.Authorization/roleDefinitions/" + id);
        definition.put("name", id);
        definition.put("type", "Microsoft.Authorization/roleDefinitions");
        ObjectNode props = definition.putObject("properties");
        props.put("roleName", NAMES.get(id));
        props.put("description", NAMES.get(id) + " (built-in role, simulated).");
        props.put("type", "BuiltInRole");
        ObjectNode permission = props.putArray("permissions").addObject();
        permission.putArray("actions");
        permission.putArray("notActions");
        var dataActions = permission.putArray("dataActions");
        if (id.equals(KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER)) {
            dataActions.add("Microsoft.KeyVault/vaults/keys/read");
            dataActions.add("Microsoft.KeyVault/vaults/keys/wrap/action");
            dataActions.add("Microsoft.KeyVault/vaults/keys/unwrap/action");
        }
        permission.putArray("notDataActions");
        props.putArray("assignableScopes").add("/");
        return definition;
    }
}
