package io.cmkflow.azure;

import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import com.azure.resourcemanager.resources.models.Identity;
import com.azure.resourcemanager.resources.models.IdentityUserAssignedIdentitiesValue;
import com.azure.resourcemanager.resources.models.ResourceIdentityType;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The workspace cmkflow puts: CMK encryption with the step-3 key (through a user-assigned identity when the request
 * names one), its associated resources, and the request's tags plus this run's. Encryption cannot change after
 * creation, hence the check that an existing workspace already has it.
 */
final class WorkspaceDefinition {

    /** The workspace property that selects Azure's service-side CMK mode (set only at creation). */
    static final String SERVICE_SIDE_ENCRYPTION = "enableServiceSideCMKEncryption";

    private WorkspaceDefinition() {
    }

    static GenericResourceInner body(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner,
                                     String storageId, String insightsId) {
        CmkRequest.Workspace ws = request.workspace();
        Map<String, Object> keyVaultProperties = new LinkedHashMap<>();
        keyVaultProperties.put("keyVaultArmId", vault.vaultId());
        keyVaultProperties.put("keyIdentifier", key.keyUrlWithVersion());
        Map<String, Object> encryption = new LinkedHashMap<>();
        encryption.put("status", "Enabled");
        encryption.put("keyVaultProperties", keyVaultProperties);

        Identity identity = new Identity().withType(ResourceIdentityType.SYSTEM_ASSIGNED);
        Map<String, Object> properties = new LinkedHashMap<>();
        if (ws.userAssignedIdentityId() != null) {
            String identityId = ArmResourceId.parse(ws.userAssignedIdentityId()).orElseThrow().id();
            encryption.put("identity", Map.of("userAssignedIdentity", identityId));
            identity = new Identity().withType(ResourceIdentityType.SYSTEM_ASSIGNED_USER_ASSIGNED)
                    .withUserAssignedIdentities(Map.of(identityId, new IdentityUserAssignedIdentitiesValue()));
            properties.put("primaryUserAssignedIdentity", identityId);
        }
        properties.put("friendlyName", ws.friendlyName() != null ? ws.friendlyName() : ws.name());
        properties.put("storageAccount", storageId);
        properties.put("keyVault", vault.vaultId());
        properties.put("applicationInsights", insightsId);
        properties.put("hbiWorkspace", ws.hbi());
        properties.put("encryption", encryption);
        if (ws.serviceSide()) {
            properties.put(SERVICE_SIDE_ENCRYPTION, true);
        }

        return new GenericResourceInner()
                .withIdentity(identity)
                .withProperties(properties)
                .withLocation(request.location())
                .withTags(owner.tagsWith(request.tags()));
    }

    /** Refuses an existing workspace encrypted with another vault or key: it cannot be updated to ours. */
    static void requireSameEncryption(GenericResourceInner workspace, VaultOutcome vault, KeyOutcome key) {
        Map<?, ?> encryption = ResourceProperties.map(workspace, "encryption");
        Map<?, ?> kv = encryption == null ? null : (Map<?, ?>) encryption.get("keyVaultProperties");
        String vaultId = kv == null ? null : String.valueOf(kv.get("keyVaultArmId"));
        String keyId = kv == null ? null : String.valueOf(kv.get("keyIdentifier"));
        boolean sameVault = vault.vaultId().equalsIgnoreCase(vaultId);
        boolean sameKey = KeyUrls.same(keyId, key.keyUrlWithVersion()) || KeyUrls.same(keyId, key.keyUrl());
        if (!sameVault || !sameKey) {
            throw new AzureStepException(AzureFailure.nonRetryable("WorkspaceEncryptionMismatch",
                    "workspace " + workspace.id() + " exists with encryption key " + keyId + " in " + vaultId
                            + "; CMK settings cannot change after creation (wanted " + key.keyUrlWithVersion() + ")"));
        }
    }
}
