package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What Azure checks when it provisions a workspace: its referenced resources exist, and with a customer-managed key
 * the vault has purge protection, the key exists, and Azure Cosmos DB (and the CMK identity, when one is given) may
 * get, wrap and unwrap it — by access policy naming its object id in the vault's tenant, or by a role on an RBAC vault
 * that already applies.
 */
final class WorkspaceProvisioningChecks {
    private static final Set<String> CMK_KEY_PERMISSIONS = Set.of("get", "wrapkey", "unwrapkey");
    private static final String GRANT_HINT = "grant it an access policy with keys get, wrapKey and unwrapKey (or, on "
            + "an RBAC vault, the Key Vault Crypto Service Encryption User role).";

    private final ResourceStore resources;
    private final KeyStore keys;
    private final RoleAssignmentStore roleAssignments;

    WorkspaceProvisioningChecks(ResourceStore resources, KeyStore keys, RoleAssignmentStore roleAssignments) {
        this.resources = resources;
        this.keys = keys;
        this.roleAssignments = roleAssignments;
    }

    /** The error provisioning ends with, or null when the workspace can be created. */
    ArmError failure(ObjectNode workspace) {
        JsonNode props = workspace.path("properties");
        for (String reference : List.of("storageAccount", "keyVault", "applicationInsights")) {
            String referenced = JsonDocuments.text(props, reference);
            if (referenced != null && !resources.exists(referenced)) {
                return new ArmError(400, "ResourceNotFound", "The " + reference + " '" + referenced
                        + "' associated with the workspace could not be found.");
            }
        }
        JsonNode encryption = props.path("encryption");
        if (!"Enabled".equalsIgnoreCase(JsonDocuments.text(encryption, "status"))) {
            return null;
        }
        String vaultId = JsonDocuments.text(encryption, "keyVaultProperties", "keyVaultArmId");
        String keyIdentifier = JsonDocuments.text(encryption, "keyVaultProperties", "keyIdentifier");
        if (vaultId == null || keyIdentifier == null) {
            return new ArmError(400, "BadRequest", "Encryption requires keyVaultProperties.keyVaultArmId and "
                    + "keyVaultProperties.keyIdentifier.");
        }
        ObjectNode vault = resources.get(vaultId);
        if (vault == null) {
            return new ArmError(400, "KeyVaultNotFound", "The key vault '" + vaultId + "' given for the "
                    + "workspace's customer-managed key could not be found.");
        }
        if (!JsonDocuments.flag(vault, "properties", "enablePurgeProtection")) {
            return new ArmError(400, "BadRequest",
                    "CMK workspaces should have purge protection enabled on their CMK keyvault");
        }
        // Service-side CMK needs the vault in the workspace's region (Microsoft's quickstart for the mode, see
        // docs/azure-behaviour.md).
        if (WorkspaceDocuments.serviceSide(workspace) && !JsonDocuments.text(vault, "location")
                .equalsIgnoreCase(JsonDocuments.text(workspace, "location"))) {
            return new ArmError(400, "BadRequest", "Service-side CMK encryption requires the key vault '" + vaultId
                    + "' to be in the workspace's region " + JsonDocuments.text(workspace, "location") + ".");
        }
        // Azure takes the key URL in either of its forms: with the default port, as Key Vault's management plane
        // writes it (https://v.vault.azure.net:443/keys/...), or without, as its data plane does.
        String keyPrefix = keyPrefix(vault);
        keyIdentifier = withoutDefaultPort(keyIdentifier);
        if (!isKeyOf(keyPrefix, keyIdentifier)) {
            return new ArmError(400, "KeyNotFound", "The key identifier '" + keyIdentifier + "' is not a key of the "
                    + "key vault '" + vaultId + "'.");
        }
        String[] keyParts = keyIdentifier.substring(keyPrefix.length()).split("/");
        KeyStore.StoredKey key = keys.get(vaultId, keyParts[0]);
        if (key == null || key.deleted() || (keyParts.length > 1 && key.version(keyParts[1]) == null)) {
            return new ArmError(400, "KeyNotFound", "The key '" + keyIdentifier + "' could not be found in the key "
                    + "vault '" + vaultId + "'.");
        }
        // Azure Cosmos DB uses the key as its service principal in the vault's tenant: an entry naming its
        // application id (or another tenant's object id) grants no one.
        String tenant = JsonDocuments.text(vault, "properties", "tenantId");
        Set<String> cosmosDb = SimulatedDirectory.COSMOS_DB_APPLICATION_IDS.stream()
                .map(appId -> SimulatedDirectory.servicePrincipalObjectId(tenant, appId)).collect(Collectors.toSet());
        if (!canUseKey(vault, key, cosmosDb)) {
            return new ArmError(400, "KeyVaultAccessDenied", "Azure Cosmos DB (its service principal in tenant "
                    + tenant + ", object id " + String.join(" or ", cosmosDb) + ") cannot get, wrap and unwrap the key '"
                    + keyIdentifier + "': " + GRANT_HINT);
        }
        String identityId = JsonDocuments.text(encryption, "identity", "userAssignedIdentity");
        if (identityId != null) {
            ObjectNode identity = resources.get(identityId);
            if (identity == null || !IdentityDocuments.TYPE.equalsIgnoreCase(JsonDocuments.text(identity, "type"))) {
                return new ArmError(400, "UserAssignedIdentityNotFound", "The user-assigned identity '" + identityId
                        + "' given for the workspace's customer-managed key could not be found.");
            }
            String principal = JsonDocuments.text(identity, "properties", "principalId");
            if (principal == null || !canUseKey(vault, key, Set.of(principal.toLowerCase(Locale.ROOT)))) {
                return new ArmError(400, "KeyVaultAccessDenied", "The user-assigned identity '" + identityId
                        + "' (principal " + principal + ") cannot get, wrap and unwrap the key '" + keyIdentifier
                        + "': " + GRANT_HINT);
            }
        }
        return null;
    }

    /**
     * Why a key change is refused at once, or null: the workspace must be encrypted with a customer-managed key, and
     * the new key must be in the vault it was created with (Microsoft: the key "can only be updated to another key in
     * the original Azure Key Vault resource"). Azure's own code and text for this refusal are not published; these
     * are the simulator's.
     */
    ArmError keyChangeRefusal(ObjectNode workspace, String keyIdentifier) {
        JsonNode encryption = workspace.path("properties").path("encryption");
        String vaultId = JsonDocuments.text(encryption, "keyVaultProperties", "keyVaultArmId");
        if (!"Enabled".equalsIgnoreCase(JsonDocuments.text(encryption, "status")) || vaultId == null) {
            return new ArmError(400, "BadRequest", "The workspace '" + workspace.path("name").asText()
                    + "' is not encrypted with a customer-managed key: there is no key to update.");
        }
        ObjectNode vault = resources.get(vaultId);
        if (vault == null || !isKeyOf(keyPrefix(vault), withoutDefaultPort(keyIdentifier))) {
            return new ArmError(400, "BadRequest", "The customer-managed key of workspace '" + workspace.path("name").asText()
                    + "' can only be updated to another key in its original key vault '" + vaultId + "'; '"
                    + keyIdentifier + "' is not a key of that vault.");
        }
        return null;
    }

    /** Whether one of these principals (lower case) holds get/wrapKey/unwrapKey on the key, by policy or role. */
    private boolean canUseKey(ObjectNode vault, KeyStore.StoredKey key, Set<String> principals) {
        if (JsonDocuments.flag(vault, "properties", "enableRbacAuthorization")) {
            String keyScope = ResourceIds.key(vault.get("id").asText()) + "/keys/" + key.name().toLowerCase(Locale.ROOT);
            // One principal must hold all three: the data actions of get, wrapKey and unwrapKey.
            return principals.stream().anyMatch(principal -> CMK_KEY_PERMISSIONS.stream().allMatch(permission ->
                    roleAssignments.permitsData(keyScope, Set.of(principal), ArmActions.keyDataAction(permission))));
        }
        return AccessPolicies.grantKeys(vault, principals, CMK_KEY_PERMISSIONS);
    }

    /** Where the vault's key URLs start ({@code {vaultUri}keys/}, without a default port). */
    private static String keyPrefix(ObjectNode vault) {
        return withoutDefaultPort(JsonDocuments.text(vault, "properties", "vaultUri")) + "keys/";
    }

    private static boolean isKeyOf(String keyPrefix, String keyIdentifier) {
        return keyIdentifier.regionMatches(true, 0, keyPrefix, 0, keyPrefix.length());
    }

    private static String withoutDefaultPort(String url) {
        return url.replaceFirst("(?i)^(https://[^/:]+):443/", "$1/");
    }
}
