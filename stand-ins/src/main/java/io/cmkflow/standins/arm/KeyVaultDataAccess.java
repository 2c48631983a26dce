package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Set;

/**
 * Key Vault's data-plane authorization for keys: the caller (the token's {@code oid}) needs the key permission in an
 * access policy, or on an RBAC vault a role whose data actions carry it ({@link ArmActions#keyDataAction}, at the
 * vault or the key, and already applied). ARM roles such as Contributor carry no data actions and grant nothing here. Refusals are Key Vault's 403 {@code Forbidden}.
 */
final class KeyVaultDataAccess {
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
            String dataAction = ArmActions.keyDataAction(permission);
            request.actions.add(dataAction);
            if (caller.objectId() != null && roleAssignments.permitsData(scope,
                    Set.of(caller.objectId().toLowerCase(Locale.ROOT)), dataAction)) {
                return;
            }
            throw new ArmError(403, "Forbidden", "Caller is not authorized to perform action on resource.\r\n"
                    + "If role assignments, deny assignments or role definitions were changed recently, please "
                    + "observe propagation time.\r\nCaller: " + caller.describe() + "\r\nAction: '"
                    + dataAction + "'\r\nResource: '" + scope + "'\r\nAssignment: (not found)\r\n"
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
}
