package io.cmkflow.local.arm;

import io.cmkflow.contract.KeyVaultRoles;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** The built-in role definitions cmkflow looks up, by role GUID, and their documents. */
final class BuiltInRoles {
    static final String KEY_VAULT_CRYPTO_OFFICER = KeyVaultRoles.CRYPTO_OFFICER;
    static final String KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483";
    /** GUID to role name, in the order Azure lists them. */
    static final Map<String, String> NAMES;

    static {
        Map<String, String> names = new LinkedHashMap<>();
        names.put(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER, KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME);
        names.put(KEY_VAULT_CRYPTO_OFFICER, KeyVaultRoles.CRYPTO_OFFICER_NAME);
        names.put(KEY_VAULT_ADMINISTRATOR, "Key Vault Administrator");
        names.put("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader");
        names.put(KeyVaultRoles.CONTRIBUTOR, "Contributor");
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
        if (id.equals(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER)) {
            dataActions.add("Microsoft.KeyVault/vaults/keys/read");
            dataActions.add("Microsoft.KeyVault/vaults/keys/wrap/action");
            dataActions.add("Microsoft.KeyVault/vaults/keys/unwrap/action");
        }
        permission.putArray("notDataActions");
        props.putArray("assignableScopes").add("/");
        return definition;
    }
}
