package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Key Vault's data-plane authorization for keys: the caller (the token's {@code oid}) needs the key permission in an
 * access policy, or on an RBAC vault a Key Vault role carrying it (at the vault or the key, and already applied).
 * ARM roles such as Contributor grant nothing here. Refusals are Key Vault's 403 {@code Forbidden}.
 */
final class KeyVaultDataAccess {
    private static final Set<String> EVERY_KEY_PERMISSION = Set.of("get", "list", "create", "delete", "purge",
            "recover", "wrapkey", "unwrapkey");
    /** The key permissions each Key Vault role carries (its data actions on keys, in access policy terms). */
    private static final Map<String, Set<String>> ROLE_PERMISSIONS = Map.of(
            BuiltInRoles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER, Set.of("get", "list", "wrapkey", "unwrapkey"),
            BuiltInRoles.KEY_VAULT_CRYPTO_OFFICER, EVERY_KEY_PERMISSION,
            BuiltInRoles.KEY_VAULT_ADMINISTRATOR, EVERY_KEY_PERMISSION);
    /** Key Vault's data action for each key permission, as its RBAC refusals name it. */
    private static final Map<String, String> DATA_ACTIONS = Map.of(
            "get", "Microsoft.KeyVault/vaults/keys/read", "list", "Microsoft.KeyVault/vaults/keys/read",
            "create", "Microsoft.KeyVault/vaults/keys/create/action", "delete", "Microsoft.KeyVault/vaults/keys/delete",
            "purge", "Microsoft.KeyVault/vaults/deletedKeys/delete",
            "recover", "Microsoft.KeyVault/vaults/deletedKeys/recover/action");

    private final RoleAssignmentStore roleAssignments;

    KeyVaultDataAccess(RoleAssignmentStore roleAssignments) {
        this.roleAssignments = roleAssignments;
    }

    /** Throws Key Vault's 403 unless the caller holds {@code permission} on keys of {@code vault} ({@code keyName} null = any key). */
    void require(ArmRequest request, ObjectNode vault, String keyName, String permission) {
        SimulatedDirectory.Caller caller = SimulatedDirectory.caller(request);
        String name = vault.get("name").asText();
        String where = name + ";location=" + JsonDocuments.text(vault, "location");
        if (JsonDocuments.flag(vault, "properties", "enableRbacAuthorization")) {
            String vaultScope = ResourceIds.key(vault.get("id").asText());
            String scope = keyName == null ? vaultScope : vaultScope + "/keys/" + keyName.toLowerCase(Locale.ROOT);
            if (caller.objectId() != null && roleAssignments.anyHolds(scope, rolesGranting(permission),
                    Set.of(caller.objectId().toLowerCase(Locale.ROOT)))) {
                return;
            }
            throw new ArmError(403, "Forbidden", "Caller is not authorized to perform action on resource.\r\n"
                    + "If role assignments, deny assignments or role definitions were changed recently, please "
                    + "observe propagation time.\r\nCaller: " + caller.describe() + "\r\nAction: '"
                    + DATA_ACTIONS.get(permission) + "'\r\nResource: '" + scope + "'\r\nAssignment: (not found)\r\n"
                    + "DenyAssignmentId: null\r\nDecisionReason: null \r\nVault: " + where).inner("ForbiddenByRbac");
        }
        if (caller.objectId() != null && AccessPolicies.grantKeys(vault,
                Set.of(caller.objectId().toLowerCase(Locale.ROOT)), Set.of(permission))) {
            return;
        }
        throw new ArmError(403, "Forbidden", "The user, group or application '" + caller.describe()
                + "' does not have keys " + permission + " permission on key vault '" + where + "'. For help "
                + "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287")
                .inner("ForbiddenByPolicy");
    }

    private static Set<String> rolesGranting(String permission) {
        Set<String> roles = new HashSet<>();
        ROLE_PERMISSIONS.forEach((role, permissions) -> {
            if (permissions.contains(permission)) {
                roles.add(role);
            }
        });
        return roles;
    }
}
