package io.cmkflow.azure;

import io.cmkflow.contract.RequestRules;
import io.cmkflow.contract.ArmResourceId;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.keyvault.fluent.VaultsClient;
import com.azure.resourcemanager.keyvault.fluent.models.DeletedVaultInner;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.keyvault.models.AccessPolicyEntry;
import com.azure.resourcemanager.keyvault.models.CreateMode;
import com.azure.resourcemanager.keyvault.models.Sku;
import com.azure.resourcemanager.keyvault.models.SkuFamily;
import com.azure.resourcemanager.keyvault.models.SkuName;
import com.azure.resourcemanager.keyvault.models.VaultCreateOrUpdateParameters;
import com.azure.resourcemanager.keyvault.models.VaultPatchParameters;
import com.azure.resourcemanager.keyvault.models.VaultProperties;
import com.azure.resourcemanager.keyvault.models.VaultProvisioningState;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.VaultOutcome.Disposition;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * Step 2: the key vault holding the CMK, with soft delete and purge protection. Uses an existing vault only when the
 * request names it ({@code keyVault.existingId}) and it complies; creates a new one by {@code keyVault.name}; a name
 * already taken by a live vault this run did not create is refused, never silently adopted; a soft-deleted vault of
 * that name is recovered only when this target's run records show an earlier run of it made the vault (and it is then
 * tagged as this run's, so undo deletes it again); anything else is refused without a change.
 */
public final class KeyVaultStep {

    /** Marks a vault this run brought back from soft delete, so a rerun still reports RECOVERED. */
    static final String TAG_RECOVERED = "cmkflow-recovered";

    private final AzureClients clients;
    private final PollingPolicy polling;
    private final OwnKeyAccess ownAccess;
    private final KeyDependents dependents;

    public KeyVaultStep(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.polling = polling;
        this.ownAccess = new OwnKeyAccess(clients);
        this.dependents = new KeyDependents(clients);
    }

    /**
     * Idempotent: a vault this run created is found by its name and recognised by the run's record and its run-id tag
     * (a crashed earlier attempt's create included); anything else that exists is recorded in {@code preexisting}.
     */
    public VaultOutcome ensure(CmkRequest request, Ownership owner, PreexistingResources preexisting, Runnable heartbeat) {
        return AzureStepException.classifying(() -> ensureInAzure(request, owner, preexisting, heartbeat));
    }

    private VaultOutcome ensureInAzure(CmkRequest request, Ownership owner, PreexistingResources preexisting,
                                       Runnable heartbeat) {
        VaultsClient vaults = vaults(request);
        ArmResourceId target = request.keyVaultId();
        boolean adopting = request.keyVault().existingId() != null;
        // A new vault's name may be held by a soft-deleted vault: both reads at once (the second is unused on a rerun).
        Concurrently.Both<Optional<VaultInner>, Optional<DeletedVaultInner>> found = Concurrently.both(
                () -> ArmLookup.find(() -> vaults.getByResourceGroup(target.resourceGroup(), target.name())),
                () -> adopting ? Optional.empty() : ArmLookup.find(() -> vaults.getDeleted(target.name(), request.location())));
        Optional<VaultInner> existing = found.first();

        if (adopting) {
            existing.ifPresent(vault -> preexisting.found(vault.id()));
            VaultInner vault = existing.orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable(
                    "ExistingVaultNotFound", "keyVault.existingId " + target.id() + " does not exist")));
            requireCompliant(request, vault);
            return outcome(target, vault, Disposition.ADOPTED);
        }
        if (existing.isPresent()) {
            VaultInner vault = existing.get();
            if (owner.owns(vault.id(), vault.tags())) {
                // A rerun after this run created (or recovered) the vault: report what the first attempt did.
                Disposition was = "true".equals(vault.tags().get(TAG_RECOVERED)) ? Disposition.RECOVERED : Disposition.CREATED;
                return owned(request, target, awaitReady(vaults, target, vault, heartbeat), was);
            }
            // No silent adoption: a vault this run did not make is used only when the request names it.
            preexisting.found(vault.id());
            throw new AzureStepException(AzureFailure.nonRetryable("KeyVaultNameTaken", "keyVault.name: a vault named '"
                    + target.name() + "' already exists in resource group " + target.resourceGroup() + " and this run did"
                    + " not create it; to use it, name it with keyVault.existingId (" + vault.id() + "), else choose"
                    + " another name"));
        }
        if (found.second().isPresent()) {
            return recover(request, owner, preexisting, vaults, target, found.second().get(), heartbeat);
        }
        VaultInner created = createOrUpdate(vaults, target, parameters(request, owner.tagsWith(request.tags()), CreateMode.DEFAULT,
                ownAccess.initialPolicies(request)), heartbeat);
        return owned(request, target, created, Disposition.CREATED);
    }

    /**
     * The request's vault as it stands, for a key rotation: the run uses it and never changes or removes it. Read-only.
     */
    public VaultOutcome existing(CmkRequest request) {
        return AzureStepException.classifying(() -> {
            ArmResourceId target = request.keyVaultId();
            VaultInner vault = ArmLookup.find(() -> vaults(request).getByResourceGroup(target.resourceGroup(), target.name()))
                    .orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable("KeyVaultNotFound",
                            "keyVault: the workspace's vault " + target.id() + " does not exist")));
            return outcome(target, vault, Disposition.ADOPTED);
        });
    }

    /**
     * Deletes the vault if this run created it and no workspace but the request's own uses a key in it; it stays
     * soft-deleted (purge protection) until its scheduled purge date.
     */
    public UndoOutcome undo(CmkRequest request, Ownership owner) {
        return AzureStepException.classifying(() -> undoInAzure(request, owner));
    }

    private UndoOutcome undoInAzure(CmkRequest request, Ownership owner) {
        VaultsClient vaults = vaults(request);
        ArmResourceId target = request.keyVaultId();
        Optional<VaultInner> existing = ArmLookup.find(() -> vaults.getByResourceGroup(target.resourceGroup(), target.name()));
        if (existing.isEmpty()) {
            String until = ArmLookup.find(() -> vaults.getDeleted(target.name(), request.location()))
                    .map(d -> String.valueOf(d.properties().scheduledPurgeDate())).orElse(null);
            return new UndoOutcome(target.id(), UndoOutcome.Result.ALREADY_GONE,
                    until == null ? "vault does not exist" : "vault already soft-deleted", until);
        }
        VaultInner vault = existing.get();
        if (!owner.owns(vault.id(), vault.tags())) {
            return new UndoOutcome(vault.id(), UndoOutcome.Result.NOT_OURS, owner.isPreexisting(vault.id())
                    ? "vault existed before this run first looked; left untouched"
                    : "vault does not carry this run's tags; left untouched", null);
        }
        List<String> using = dependents.workspacesUsing(request, vault.id(), null);
        if (!using.isEmpty()) {
            return new UndoOutcome(vault.id(), UndoOutcome.Result.IN_USE, "vault left in place: workspace(s) "
                    + String.join(", ", using) + " are encrypted with a key in it", null);
        }
        ownAccess.revoke(request, vault);
        vaults.delete(target.resourceGroup(), target.name());
        String until = ArmLookup.find(() -> vaults.getDeleted(target.name(), vault.location()))
                .map(d -> String.valueOf(d.properties().scheduledPurgeDate())).orElse(null);
        return new UndoOutcome(vault.id(), UndoOutcome.Result.DELETED,
                "vault deleted; it stays soft-deleted because purge protection forbids purging; recoverable with createMode=recover"
                        + (until == null ? "" : " until " + until), until);
    }

    private VaultOutcome recover(CmkRequest request, Ownership owner, PreexistingResources preexisting, VaultsClient vaults,
                                 ArmResourceId target, DeletedVaultInner deleted, Runnable heartbeat) {
        Map<String, String> tags = deleted.properties().tags();
        if (!owner.madeByAnEarlierRunOfThisTarget(tags) || owner.isPreexisting(target.id())) {
            preexisting.found(target.id());
            // Recovering it would bring keys and grants back under this run that its records do not show as this
            // target's (tags alone prove nothing: anyone with Tag Contributor could have written them).
            throw new AzureStepException(AzureFailure.nonRetryable("DeletedVaultNotThisTargets",
                    "keyVault.name: a soft-deleted vault named '" + target.name() + "' exists and this target's run"
                            + " records do not show that an earlier run of it made the vault; it cannot be purged (purge"
                            + " protection) and will not be recovered: choose another vault name"));
        }
        Optional<ArmResourceId> original = ArmResourceId.parse(deleted.properties().vaultId());
        if (original.isPresent() && !original.get().resourceGroup().equalsIgnoreCase(target.resourceGroup())) {
            throw new AzureStepException(AzureFailure.nonRetryable("DeletedVaultElsewhere",
                    "the soft-deleted vault '" + target.name() + "' belonged to resource group "
                            + original.get().resourceGroup() + ", not " + target.resourceGroup()));
        }
        Map<String, String> recoveredTags = new HashMap<>(owner.tagsWith(request.tags()));
        recoveredTags.put(TAG_RECOVERED, "true");
        createOrUpdate(vaults, target, parameters(request, recoveredTags, CreateMode.RECOVER,
                ownAccess.initialPolicies(request)), heartbeat);
        // A recover brings the vault back as it was, its earlier run's tags included (Azure ignores the request's):
        // this run's go on with an update, so a rerun and the undo know the vault as this run's.
        VaultInner vault = vaults.update(target.resourceGroup(), target.name(), new VaultPatchParameters().withTags(recoveredTags));
        return owned(request, target, vault, Disposition.RECOVERED);
    }

    private VaultInner createOrUpdate(VaultsClient vaults, ArmResourceId target, VaultCreateOrUpdateParameters parameters,
                                      Runnable heartbeat) {
        SyncPoller<?, VaultInner> poller = vaults.beginCreateOrUpdate(target.resourceGroup(), target.name(), parameters);
        polling.awaitCompletion("vault " + target.name(), heartbeat, poller);
        return awaitReady(vaults, target, poller.getFinalResult(), heartbeat);
    }

    /** A new vault may answer RegisteringDns first; its URI is usable only once it is Succeeded. */
    private VaultInner awaitReady(VaultsClient vaults, ArmResourceId target, VaultInner vault, Runnable heartbeat) {
        if (isReady(vault)) {
            return vault;
        }
        return polling.await("vault " + target.name() + " to finish provisioning", heartbeat, () -> {
            VaultInner current = vaults.getByResourceGroup(target.resourceGroup(), target.name());
            return isReady(current) ? Optional.of(current) : Optional.empty();
        });
    }

    private static boolean isReady(VaultInner vault) {
        VaultProvisioningState state = vault.properties().provisioningState();
        return state == null || VaultProvisioningState.SUCCEEDED.equals(state);
    }

    private static VaultCreateOrUpdateParameters parameters(CmkRequest request, Map<String, String> tags, CreateMode mode,
                                                            List<AccessPolicyEntry> accessPolicies) {
        boolean premium = RequestRules.SKU_PREMIUM.equals(RequestRules.vaultSku(request));
        VaultProperties properties = new VaultProperties()
                .withTenantId(UUID.fromString(request.tenantId()))
                .withSku(new Sku().withFamily(SkuFamily.A).withName(premium ? SkuName.PREMIUM : SkuName.STANDARD))
                .withAccessPolicies(accessPolicies)
                .withEnableSoftDelete(true)
                .withEnablePurgeProtection(true)
                .withSoftDeleteRetentionInDays(RequestRules.retentionDays(request))
                .withEnableRbacAuthorization(request.keyVault().rbacAuthorization());
        if (mode == CreateMode.RECOVER) {
            properties.withCreateMode(CreateMode.RECOVER);
        }
        return new VaultCreateOrUpdateParameters().withLocation(request.location()).withTags(tags).withProperties(properties);
    }

    private static void requireCompliant(CmkRequest request, VaultInner vault) {
        VaultProperties p = vault.properties();
        if (!Boolean.TRUE.equals(p.enablePurgeProtection()) || Boolean.FALSE.equals(p.enableSoftDelete())) {
            throw new AzureStepException(AzureFailure.nonRetryable("VaultNotCompliant",
                    "vault " + vault.id() + " cannot hold a workspace CMK: it needs soft delete and purge protection "
                            + "(purge protection cannot be turned on by cmkflow on a vault it does not own)"));
        }
        boolean hsm = RequestRules.KEY_TYPE_RSA_HSM.equals(RequestRules.keyType(request));
        if (hsm && !SkuName.PREMIUM.equals(p.sku().name())) {
            throw new AzureStepException(AzureFailure.nonRetryable("VaultNotCompliant",
                    "vault " + vault.id() + " is " + p.sku().name() + "; RSA-HSM keys need a premium vault"));
        }
        if (request.workspace().serviceSide() && !request.location().equalsIgnoreCase(vault.location())) {
            throw new AzureStepException(AzureFailure.nonRetryable("VaultNotCompliant", "keyVault.existingId: vault "
                    + vault.id() + " is in " + vault.location() + "; service-side CMK encryption needs the vault in the"
                    + " workspace's region " + request.location()));
        }
    }

    /** A vault this run owns: cmkflow gets its own key access there (the key undo needs it). */
    private VaultOutcome owned(CmkRequest request, ArmResourceId target, VaultInner vault, Disposition disposition) {
        ownAccess.ensure(request, vault);
        return outcome(target, vault, disposition);
    }

    private static VaultOutcome outcome(ArmResourceId target, VaultInner vault, Disposition disposition) {
        return new VaultOutcome(vault.id() != null ? vault.id() : target.id(), target.name(), target.resourceGroup(),
                vault.properties().vaultUri(), vault.location(),
                Boolean.TRUE.equals(vault.properties().enableRbacAuthorization()), disposition);
    }

    private VaultsClient vaults(CmkRequest request) {
        return clients.forRequest(request).vaults().manager().serviceClient().getVaults();
    }
}
