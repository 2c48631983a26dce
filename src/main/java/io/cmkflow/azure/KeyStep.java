package io.cmkflow.azure;

import io.cmkflow.contract.RequestRules;
import io.cmkflow.contract.ArmResourceId;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.keyvault.fluent.KeysClient;
import com.azure.resourcemanager.keyvault.fluent.models.KeyInner;
import com.azure.resourcemanager.keyvault.fluent.models.KeyProperties;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyOperation;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyType;
import com.azure.resourcemanager.keyvault.models.KeyCreateParameters;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.DeletedKey;
import com.azure.security.keyvault.keys.models.KeyOperation;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;

import java.util.List;
import java.util.Optional;

/**
 * Step 3: the RSA key (3072 bits or more, wrapKey/unwrapKey) through the management plane's
 * Keys_CreateIfNotExist, which returns an existing key unchanged: a rerun creates no new version. A soft-deleted key
 * of the same name that cmkflow made for this target is recovered rather than left to block the name.
 */
public final class KeyStep {

    private static final List<JsonWebKeyOperation> KEY_OPS = List.of(JsonWebKeyOperation.WRAP_KEY, JsonWebKeyOperation.UNWRAP_KEY);

    private final AzureClients clients;
    private final OwnKeyAccess ownAccess;
    private final KeyDependents dependents;

    public KeyStep(AzureClients clients) {
        this.clients = clients;
        this.ownAccess = new OwnKeyAccess(clients);
        this.dependents = new KeyDependents(clients);
    }

    public KeyOutcome ensure(CmkRequest request, VaultOutcome vault, Ownership owner, PreexistingResources preexisting) {
        return AzureStepException.classifying(() -> ensureInAzure(request, vault, owner, preexisting));
    }

    private KeyOutcome ensureInAzure(CmkRequest request, VaultOutcome vault, Ownership owner, PreexistingResources preexisting) {
        KeysClient keys = keys(request);
        String name = request.key().name();
        Optional<KeyInner> existing = ArmLookup.find(() -> keys.get(vault.resourceGroup(), vault.name(), name));
        if (existing.isPresent()) {
            KeyInner key = existing.get();
            boolean ours = owner.owns(key.id(), key.tags());
            if (!ours) {
                preexisting.found(key.id());
            }
            requireCompliant(key);
            return outcome(key, ours);
        }
        boolean hsm = RequestRules.KEY_TYPE_RSA_HSM.equals(RequestRules.keyType(request));
        KeyCreateParameters parameters = new KeyCreateParameters()
                .withTags(owner.tagsWith(request.tags()))
                .withProperties(new KeyProperties()
                        .withKty(hsm ? JsonWebKeyType.RSA_HSM : JsonWebKeyType.RSA)
                        .withKeySize(RequestRules.keySize(request))
                        .withKeyOps(KEY_OPS));
        try {
            KeyInner created = keys.createIfNotExist(vault.resourceGroup(), vault.name(), name, parameters);
            return outcome(created, owner.owns(created.id(), created.tags()));
        } catch (ManagementException refused) {
            // Only a 409 can mean the name is soft-deleted; the data-plane lookup comes after it, so a plain create
            // needs no data-plane permission (a new RBAC assignment of cmkflow's may not have applied yet).
            if (refused.getResponse() == null || refused.getResponse().getStatusCode() != 409) {
                throw refused;
            }
            KeyClient dataPlane = clients.keyClient(request, vault.vaultUri());
            DeletedKey deleted = ArmLookup.find(() -> dataPlane.getDeletedKey(name)).orElseThrow(() -> refused);
            return recover(request, vault, owner, preexisting, keys, dataPlane, deleted, hsm);
        }
    }

    /**
     * The name is soft-deleted (an earlier compensation of this target deleted the key): Azure refuses to create it
     * until it is purged, which purge protection forbids for the whole retention period. A key an earlier run of this
     * target made (its run records show that run) is recovered instead and gets a new version carrying this run's
     * tags, so this run owns (and undoes) it; any other is refused.
     */
    private KeyOutcome recover(CmkRequest request, VaultOutcome vault, Ownership owner, PreexistingResources preexisting,
                               KeysClient keys, KeyClient dataPlane, DeletedKey deleted, boolean hsm) {
        String name = request.key().name();
        String keyId = vault.vaultId() + "/keys/" + name;
        if (!owner.madeByAnEarlierRunOfThisTarget(deleted.getProperties().getTags()) || owner.isPreexisting(keyId)) {
            preexisting.found(keyId);
            throw new AzureStepException(AzureFailure.nonRetryable("DeletedKeyNotThisTargets",
                    "key.name: a soft-deleted key '" + name + "' in vault " + vault.name() + " exists and this target's"
                            + " run records do not show that an earlier run of it made the key; it cannot be purged (purge"
                            + " protection) and will not be recovered: choose another key name"));
        }
        dataPlane.beginRecoverDeletedKey(name).waitForCompletion();
        dataPlane.createRsaKey(new CreateRsaKeyOptions(name)
                .setKeySize(RequestRules.keySize(request))
                .setHardwareProtected(hsm)
                .setKeyOperations(KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY)
                .setTags(owner.tagsWith(request.tags())));
        KeyInner recovered = keys.get(vault.resourceGroup(), vault.name(), name);
        requireCompliant(recovered);
        return outcome(recovered, owner.owns(recovered.id(), recovered.tags()));
    }

    /**
     * A key rotation's key: when the request names the key the workspace uses ({@code workspaceKey}, a versioned URL),
     * a new version of it through the data plane (Key Vault's only way to add a version; same type, at least the same
     * size, this run's tags); when it names another key, that key's current version, the key created as step 3 creates
     * one when absent. Idempotent: a version carrying this run's tags (an earlier attempt's) is returned, not another.
     */
    public KeyOutcome ensureVersion(CmkRequest request, VaultOutcome vault, String workspaceKey, Ownership owner) {
        return AzureStepException.classifying(() -> {
            KeysClient keys = keys(request);
            String name = request.key().name();
            Optional<KeyInner> existing = ArmLookup.find(() -> keys.get(vault.resourceGroup(), vault.name(), name));
            if (existing.isEmpty()) {
                return ensureInAzure(request, vault, owner, new PreexistingResources());
            }
            KeyInner key = existing.get();
            requireCompliant(key);
            boolean ours = owner.runId().equals(key.tags() == null ? null : key.tags().get(Ownership.TAG_RUN_ID));
            if (!KeyUrls.within(workspaceKey, key.keyUri()) || ours) {
                return outcome(key, ours);
            }
            clients.keyClient(request, vault.vaultUri()).createRsaKey(new CreateRsaKeyOptions(name)
                    .setKeySize(Math.max(key.keySize(), RequestRules.keySize(request)))
                    .setHardwareProtected(JsonWebKeyType.RSA_HSM.equals(key.kty()))
                    .setKeyOperations(KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY)
                    .setTags(owner.tagsWith(request.tags())));
            KeyInner rotated = keys.get(vault.resourceGroup(), vault.name(), name);
            return outcome(rotated, true);
        });
    }

    /**
     * Deletes the key if this run created it. The management plane cannot delete keys, so the delete goes through
     * the vault's data plane (the key becomes soft-deleted, like its vault), with the key permissions step 2 gave
     * cmkflow on a vault it created; a 403 while that role assignment is still being applied is waited out.
     */
    public UndoOutcome undo(CmkRequest request, Ownership owner) {
        return AzureStepException.classifying(() -> undoInAzure(request, owner));
    }

    private UndoOutcome undoInAzure(CmkRequest request, Ownership owner) {
        ArmResourceId vaultId = request.keyVaultId();
        String name = request.key().name();
        String keyId = vaultId.id() + "/keys/" + name;
        Optional<VaultInner> vault = ArmLookup.find(() -> clients.forRequest(request).vaults().manager().serviceClient()
                .getVaults().getByResourceGroup(vaultId.resourceGroup(), vaultId.name()));
        if (vault.isEmpty()) {
            return new UndoOutcome(keyId, UndoOutcome.Result.ALREADY_GONE, "its vault does not exist", null);
        }
        Optional<KeyInner> key = ArmLookup.find(() -> keys(request).get(vaultId.resourceGroup(), vaultId.name(), name));
        if (key.isEmpty()) {
            return new UndoOutcome(keyId, UndoOutcome.Result.ALREADY_GONE, "key does not exist", null);
        }
        if (!owner.owns(key.get().id(), key.get().tags())) {
            return new UndoOutcome(keyId, UndoOutcome.Result.NOT_OURS, owner.isPreexisting(keyId)
                    ? "key existed before this run first looked; left untouched"
                    : "key does not carry this run's tags; left untouched", null);
        }
        List<String> using = dependents.workspacesUsing(request, vaultId.id(), name);
        if (!using.isEmpty()) {
            return new UndoOutcome(keyId, UndoOutcome.Result.IN_USE, "key left in place: workspace(s) "
                    + String.join(", ", using) + " are encrypted with it", null);
        }
        // Only the first response is needed: waiting for the deleted-key record to appear adds nothing to the undo.
        ownAccess.whileOwnRoleApplies(request, vault.get(), ActivityHeartbeat.current(),
                () -> clients.keyClient(request, vault.get().properties().vaultUri()).beginDeleteKey(name));
        return new UndoOutcome(keyId, UndoOutcome.Result.DELETED, "key deleted (soft-deleted in its vault)", null);
    }

    private static void requireCompliant(KeyInner key) {
        boolean rsa = JsonWebKeyType.RSA.equals(key.kty()) || JsonWebKeyType.RSA_HSM.equals(key.kty());
        boolean strong = key.keySize() != null && key.keySize() >= RequestRules.MIN_KEY_SIZE;
        boolean wraps = key.keyOps() != null && key.keyOps().containsAll(KEY_OPS);
        if (!rsa || !strong || !wraps) {
            throw new AzureStepException(AzureFailure.nonRetryable("KeyNotCompliant",
                    "existing key " + key.id() + " (" + key.kty() + ", " + key.keySize() + " bits, ops " + key.keyOps()
                            + ") cannot be the CMK: it must be RSA/RSA-HSM, at least 3072 bits, with wrapKey and unwrapKey"));
        }
    }

    private static KeyOutcome outcome(KeyInner key, boolean created) {
        return new KeyOutcome(key.id(), key.name(), key.keyUri(), key.keyUriWithVersion(), created);
    }

    private KeysClient keys(CmkRequest request) {
        return clients.forRequest(request).vaults().manager().serviceClient().getKeys();
    }
}
