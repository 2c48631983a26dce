package io.cmkflow.azure;

import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.keyvault.fluent.models.KeyInner;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.PostureReport;
import io.cmkflow.contract.PostureReport.Finding;
import io.cmkflow.contract.PostureReport.Posture;
import io.cmkflow.contract.VaultOutcome;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workspace's CMK posture, read-only: what makes a CMK workspace break silently (Microsoft: a disabled, expired or
 * deleted key, or Azure Cosmos DB losing access to it, makes the workspace's data unreadable;
 * https://learn.microsoft.com/azure/machine-learning/concept-customer-managed-keys). Each check reads through the
 * management plane what cmkflow's role can read; none writes.
 */
public final class PostureCheck {

    static final String WORKSPACE = "workspace";
    static final String KEY = "key";
    static final String KEY_VAULT = "keyVault";
    static final String MANAGED_RESOURCE_GROUP = "managedResourceGroup";

    private final AzureClients clients;
    private final KeyVaultStep keyVault;
    private final KeyAccessStep keyAccess;

    public PostureCheck(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.keyVault = new KeyVaultStep(clients, polling);
        this.keyAccess = new KeyAccessStep(clients);
    }

    /**
     * The findings for the workspace {@code managed} names: it exists with encryption Enabled and a key in its vault;
     * the key version it uses is enabled, not expired and does not expire within {@code threshold}; the vault keeps soft
     * delete and purge protection; Azure Cosmos DB's (and the identity's) access covers the key; the Microsoft-managed
     * resource group exists. A workspace that is gone is one finding (nothing else is checked).
     */
    public PostureReport check(CmkRequest request, ManagedWorkspace managed, Duration threshold, Instant now) {
        return AzureStepException.classifying(() -> checkInAzure(request, managed, threshold, now));
    }

    private PostureReport checkInAzure(CmkRequest request, ManagedWorkspace managed, Duration threshold, Instant now) {
        AzureResourceManager azure = clients.forRequest(request);
        String checkedAt = now.toString();
        Optional<GenericResourceInner> found = ArmLookup.find(() -> azure.genericResources().manager().serviceClient()
                .getResources().getById(managed.workspaceId(), WorkspaceStep.ML_API_VERSION));
        if (found.isEmpty()) {
            return PostureReport.of(managed.workspaceId(), List.of(new Finding(WORKSPACE, Posture.Broken,
                    "workspace " + managed.workspaceId() + " does not exist")), checkedAt);
        }
        GenericResourceInner workspace = found.get();
        List<Finding> findings = new ArrayList<>();
        Map<?, ?> encryption = ResourceProperties.map(workspace, "encryption");
        Map<?, ?> kv = encryption == null ? null : (Map<?, ?>) encryption.get("keyVaultProperties");
        String status = encryption == null ? null : String.valueOf(encryption.get("status"));
        String keyIdentifier = kv == null ? null : (String) kv.get("keyIdentifier");
        String vaultId = kv == null ? null : (String) kv.get("keyVaultArmId");
        if (!"Enabled".equalsIgnoreCase(status) || keyIdentifier == null) {
            findings.add(new Finding(WORKSPACE, Posture.Broken, "workspace encryption is " + status + " with key " + keyIdentifier));
            return PostureReport.of(managed.workspaceId(), findings, checkedAt);
        }
        if (!managed.keyVaultId().equalsIgnoreCase(vaultId)) {
            findings.add(new Finding(WORKSPACE, Posture.Broken, "workspace key is in " + vaultId + ", not in its vault "
                    + managed.keyVaultId()));
            return PostureReport.of(managed.workspaceId(), findings, checkedAt);
        }
        findings.add(new Finding(WORKSPACE, Posture.Healthy, "encryption Enabled with " + keyIdentifier));

        ArmResourceId vaultRef = ArmResourceId.parse(managed.keyVaultId()).orElseThrow();
        Optional<VaultInner> vault = ArmLookup.find(() -> azure.vaults().manager().serviceClient().getVaults()
                .getByResourceGroup(vaultRef.resourceGroup(), vaultRef.name()));
        if (vault.isEmpty()) {
            findings.add(new Finding(KEY_VAULT, Posture.Broken, "vault " + managed.keyVaultId() + " does not exist"));
            return PostureReport.of(managed.workspaceId(), findings, checkedAt);
        }
        findings.add(vaultFinding(vault.get()));
        findings.add(keyFinding(azure, vaultRef, keyIdentifier, threshold, now));
        VaultOutcome used = keyVault.existing(request);
        List<String> lacking = keyAccess.lacking(request, used);
        findings.add(lacking.isEmpty() ? new Finding(PostureReport.KEY_ACCESS, Posture.Healthy, "Azure Cosmos DB"
                + (request.workspace().userAssignedIdentityId() == null ? "" : " and the identity") + " have key access")
                : new Finding(PostureReport.KEY_ACCESS, Posture.Broken, String.join(" and ", lacking) + " lack key access ("
                + KeyAccessStep.KEY_ACCESS + ") on " + vaultRef.name() + ": the workspace cannot unwrap its data"));
        findings.add(managedGroupFinding(azure, workspace));
        return PostureReport.of(managed.workspaceId(), findings, checkedAt);
    }

    /** Soft delete and purge protection keep a deleted key recoverable; Azure lets neither be turned off, so this is a guard. */
    private static Finding vaultFinding(VaultInner vault) {
        boolean softDelete = !Boolean.FALSE.equals(vault.properties().enableSoftDelete());
        boolean purgeProtection = Boolean.TRUE.equals(vault.properties().enablePurgeProtection());
        if (!softDelete || !purgeProtection) {
            return new Finding(KEY_VAULT, Posture.AtRisk, "vault " + vault.name() + " has soft delete " + (softDelete ? "on" : "off")
                    + " and purge protection " + (purgeProtection ? "on" : "off") + ": a deleted key could be purged for good");
        }
        return new Finding(KEY_VAULT, Posture.Healthy, "soft delete and purge protection on");
    }

    private Finding keyFinding(AzureResourceManager azure, ArmResourceId vault, String keyIdentifier, Duration threshold,
                               Instant now) {
        // https://{vault}.vault.azure.net/keys/{name}/{version}: the last three segments.
        String[] path = URI.create(keyIdentifier).getPath().split("/");
        int n = path.length;
        if (n < 4 || !"keys".equals(path[n - 3])) {
            return new Finding(KEY, Posture.Broken, "key identifier " + keyIdentifier + " names no key version");
        }
        Optional<KeyInner> version = ArmLookup.find(() -> azure.vaults().manager().serviceClient().getKeys()
                .getVersion(vault.resourceGroup(), vault.name(), path[n - 2], path[n - 1]));
        if (version.isEmpty()) {
            return new Finding(KEY, Posture.Broken, "key version " + keyIdentifier + " does not exist (deleted?)");
        }
        var attributes = version.get().attributes();
        if (attributes != null && Boolean.FALSE.equals(attributes.enabled())) {
            return new Finding(KEY, Posture.Broken, "key version " + keyIdentifier + " is disabled");
        }
        Long expires = attributes == null ? null : attributes.expires();
        if (expires != null) {
            Instant expiry = Instant.ofEpochSecond(expires);
            if (!expiry.isAfter(now)) {
                return new Finding(KEY, Posture.Broken, "key version " + keyIdentifier + " expired at " + expiry);
            }
            if (expiry.isBefore(now.plus(threshold))) {
                return new Finding(KEY, Posture.AtRisk, "key version " + keyIdentifier + " expires at " + expiry
                        + ", within " + threshold.toDays() + " days: rotate the key before then");
            }
        }
        return new Finding(KEY, Posture.Healthy, "key version enabled" + (expires == null ? ", no expiry"
                : ", expires at " + Instant.ofEpochSecond(expires)));
    }

    private static Finding managedGroupFinding(AzureResourceManager azure, GenericResourceInner workspace) {
        String managed = ResourceProperties.string(workspace, "serviceProvisionedResourceGroup");
        if (managed == null && "true".equalsIgnoreCase(ResourceProperties.string(workspace, WorkspaceDefinition.SERVICE_SIDE_ENCRYPTION))) {
            return new Finding(MANAGED_RESOURCE_GROUP, Posture.Healthy, "service-side CMK mode: no managed resource group");
        }
        if (managed == null) {
            return new Finding(MANAGED_RESOURCE_GROUP, Posture.Broken, "workspace names no managed resource group");
        }
        String group = WorkspaceStep.groupName(managed);
        boolean exists = ArmLookup.find(() -> azure.resourceGroups().manager().serviceClient().getResourceGroups().get(group))
                .isPresent();
        return exists ? new Finding(MANAGED_RESOURCE_GROUP, Posture.Healthy, "managed resource group " + group + " exists")
                : new Finding(MANAGED_RESOURCE_GROUP, Posture.Broken, "managed resource group " + group + " does not exist");
    }
}
