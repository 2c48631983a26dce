package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The built-in roles cmkflow meets, by their GUIDs (Azure's, the same in every cloud) and with their permissions as
 * Microsoft lists them (https://learn.microsoft.com/azure/role-based-access-control/built-in-roles/general,
 * .../built-in-roles/privileged, .../built-in-roles/security, .../built-in-roles/identity).
 */
final class BuiltInRoles {
    /** Key Vault Crypto Service Encryption User: read, wrap and unwrap keys (what Cosmos DB needs for a CMK). */
    static final String KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
    static final String KEY_VAULT_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
    static final String KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483";
    static final String READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7";
    static final String CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c";
    static final String OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";
    static final String MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830";

    private static final List<String> KEY_VAULT_ROLE_ACTIONS = List.of("Microsoft.Authorization/*/read",
            "Microsoft.Insights/alertRules/*", "Microsoft.Resources/deployments/*",
            "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Support/*",
            "Microsoft.KeyVault/checkNameAvailability/read", "Microsoft.KeyVault/deletedVaults/read",
            "Microsoft.KeyVault/locations/*/read", "Microsoft.KeyVault/vaults/*/read", "Microsoft.KeyVault/operations/read");

    /** By GUID, in the order Azure lists them. */
    static final Map<String, RoleDefinition> ALL;

    static {
        Map<String, RoleDefinition> all = new LinkedHashMap<>();
        add(all, KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, "Key Vault Crypto Service Encryption User",
                List.of("Microsoft.EventGrid/eventSubscriptions/write", "Microsoft.EventGrid/eventSubscriptions/read",
                        "Microsoft.EventGrid/eventSubscriptions/delete"), List.of(),
                List.of("Microsoft.KeyVault/vaults/keys/read", "Microsoft.KeyVault/vaults/keys/wrap/action",
                        "Microsoft.KeyVault/vaults/keys/unwrap/action"));
        add(all, KEY_VAULT_CRYPTO_OFFICER, "Key Vault Crypto Officer", KEY_VAULT_ROLE_ACTIONS, List.of(),
                List.of("Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/keyrotationpolicies/*"));
        add(all, KEY_VAULT_ADMINISTRATOR, "Key Vault Administrator", KEY_VAULT_ROLE_ACTIONS, List.of(),
                List.of("Microsoft.KeyVault/vaults/*"));
        add(all, MANAGED_IDENTITY_OPERATOR, "Managed Identity Operator",
                List.of("Microsoft.ManagedIdentity/userAssignedIdentities/*/read",
                        "Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
                        "Microsoft.Authorization/*/read", "Microsoft.Insights/alertRules/*",
                        "Microsoft.Resources/subscriptions/resourceGroups/read", "Microsoft.Resources/deployments/*",
                        "Microsoft.Support/*"), List.of(), List.of());
        add(all, READER, "Reader", List.of("*/read"), List.of(), List.of());
        add(all, CONTRIBUTOR, "Contributor", List.of("*"), List.of("Microsoft.Authorization/*/Delete",
                "Microsoft.Authorization/*/Write", "Microsoft.Authorization/elevateAccess/Action",
                "Microsoft.Blueprint/blueprintAssignments/write", "Microsoft.Blueprint/blueprintAssignments/delete",
                "Microsoft.Compute/galleries/share/action", "Microsoft.Purview/consents/write",
                "Microsoft.Purview/consents/delete", "Microsoft.Resources/deploymentStacks/manageDenySetting/action",
                "Microsoft.Subscription/cancel/action", "Microsoft.Subscription/enable/action"), List.of());
        add(all, OWNER, "Owner", List.of("*"), List.of(), List.of());
        ALL = java.util.Collections.unmodifiableMap(all);
    }

    private BuiltInRoles() {
    }

    private static void add(Map<String, RoleDefinition> all, String id, String name, List<String> actions,
                            List<String> notActions, List<String> dataActions) {
        all.put(id, new RoleDefinition(id, name, "BuiltInRole", actions, notActions, dataActions, List.of()));
    }

    /** The role definition as Microsoft.Authorization answers it at {@code scope}. */
    static ObjectNode document(String scope, RoleDefinition role) {
        ObjectNode definition = JsonDocuments.object();
        String subscription = ResourceIds.after(scope, "subscriptions");
        definition.put("id", (subscription == null ? "" : "/subscriptions/" + subscription)
                + "/providers/Microsoft.Authorization/roleDefinitions/" + role.id());
        definition.put("name", role.id());
        definition.put("type", "Microsoft.Authorization/roleDefinitions");
        ObjectNode props = definition.putObject("properties");
        props.put("roleName", role.roleName());
        props.put("description", role.roleName() + " (simulated).");
        props.put("type", role.type());
        ObjectNode permission = props.putArray("permissions").addObject();
        role.actions().forEach(permission.putArray("actions")::add);
        role.notActions().forEach(permission.putArray("notActions")::add);
        role.dataActions().forEach(permission.putArray("dataActions")::add);
        role.notDataActions().forEach(permission.putArray("notDataActions")::add);
        props.putArray("assignableScopes").add("/");
        return definition;
    }
}
