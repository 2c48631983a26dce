package io.cmkflow.azure;

import io.cmkflow.contract.RequestRules;
import io.cmkflow.contract.ArmResourceId;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.keyvault.fluent.KeysClient;
import com.azure.resourcemanager.keyvault.fluent.models.KeyInner;
import com.azure.resourcemanager.keyvault.fluent.models.KeyProperties;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.keyvault.models.Action;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyOperation;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyType;
import com.azure.resourcemanager.keyvault.models.KeyAttributes;
import com.azure.resourcemanager.keyvault.models.KeyCreateParameters;
import com.azure.resourcemanager.keyvault.models.KeyRotationPolicyActionType;
import com.azure.resourcemanager.keyvault.models.KeyRotationPolicyAttributes;
import com.azure.resourcemanager.keyvault.models.LifetimeAction;
import com.azure.resourcemanager.keyvault.models.RotationPolicy;
import com.azure.resourcemanager.keyvault.models.Trigger;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.DeletedKey;
import com.azure.security.keyvault.keys.models.KeyOperation;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;

import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.Period;
import java.time.ZoneOffset;
import java.util.ArrayList;
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
        KeyProperties properties = new KeyProperties()
                .withKty(hsm ? JsonWebKeyType.RSA_HSM : JsonWebKeyType.RSA)
                .withKeySize(RequestRules.keySize(request))
                .withKeyOps(KEY_OPS);
        CmkRequest.RotationPolicy policy = request.key().rotationPolicy();
        if (policy != null) {
            // One request: Key Vault checks the policy before it makes the key, so no key ever lives without it.
            properties.withAttributes(new KeyAttributes().withExpires(requestedExpiry(request).toEpochSecond()))
                    .withRotationPolicy(rotationPolicy(policy));
        }
        KeyCreateParameters parameters = new KeyCreateParameters()
                .withTags(owner.tagsWith(request.tags()))
                .withProperties(properties);
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
                .setExpiresOn(requestedExpiry(request))
                .setTags(owner.tagsWith(request.tags())));
        KeyInner recovered = keys.get(vault.resourceGroup(), vault.name(), name);
        requireCompliant(recovered);
        return outcome(recovered, owner.owns(recovered.id(), recovered.tags()));
    }

    /**
     * A key rotation's key: when the request names the key the workspace uses ({@code workspaceKey}, a versioned URL),
     * its current version when that is newer than the workspace's and usable (Key Vault's automatic rotation made it,
     * or an earlier attempt of this run did), else a new version through the data plane (Key Vault's only way to add
     * a version; same type, at least the same size, this run's tags, expiring as the request's or else the key's
     * rotation policy says); when it names another key, that key's current version, the key created as step 3 creates
     * one when absent. Idempotent: once a version newer than the workspace's exists, a retry returns it.
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
            if (!KeyUrls.within(workspaceKey, key.keyUri())
                    || (!KeyUrls.same(workspaceKey, key.keyUriWithVersion()) && usable(key))) {
                return outcome(key, ours);
            }
            clients.keyClient(request, vault.vaultUri()).createRsaKey(new CreateRsaKeyOptions(name)
                    .setKeySize(Math.max(key.keySize(), RequestRules.keySize(request)))
                    .setHardwareProtected(JsonWebKeyType.RSA_HSM.equals(key.kty()))
                    .setKeyOperations(KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY)
                    .setExpiresOn(newVersionExpiry(request, key))
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

    /** Key Vault's form of the request's policy: expiry, then a Rotate and a Notify action when asked for. */
    static RotationPolicy rotationPolicy(CmkRequest.RotationPolicy policy) {
        List<LifetimeAction> actions = new ArrayList<>();
        if (policy.rotateBeforeExpiryDays() != null) {
            actions.add(beforeExpiry(KeyRotationPolicyActionType.ROTATE, policy.rotateBeforeExpiryDays()));
        }
        if (policy.notifyBeforeExpiryDays() != null) {
            actions.add(beforeExpiry(KeyRotationPolicyActionType.NOTIFY, policy.notifyBeforeExpiryDays()));
        }
        return new RotationPolicy()
                .withAttributes(new KeyRotationPolicyAttributes().withExpiryTime(days(policy.expiresAfterDays())))
                .withLifetimeActions(actions);
    }

    private static LifetimeAction beforeExpiry(KeyRotationPolicyActionType type, int days) {
        return new LifetimeAction().withTrigger(new Trigger().withTimeBeforeExpiry(days(days)))
                .withAction(new Action().withType(type));
    }

    private static String days(int days) {
        return "P" + days + "D";
    }

    /**
     * When a version this run makes expires: as the request's policy says, else as the key's own policy says (what
     * Key Vault's own rotation would give it), else never.
     */
    private static OffsetDateTime newVersionExpiry(CmkRequest request, KeyInner key) {
        if (request.key().rotationPolicy() != null) {
            return requestedExpiry(request);
        }
        OffsetDateTime now = OffsetDateTime.now(ZoneOffset.UTC);
        String expiryTime = key.rotationPolicy() == null || key.rotationPolicy().attributes() == null ? null
                : key.rotationPolicy().attributes().expiryTime();
        if (expiryTime == null) {
            return null;
        }
        // Key Vault's ISO 8601 durations: P90D, P1Y2M (date parts) or PT48H.
        return expiryTime.contains("T") ? now.plus(Duration.parse(expiryTime)) : now.plus(Period.parse(expiryTime));
    }

    /** When a version made now expires under the request's policy; null without one. */
    private static OffsetDateTime requestedExpiry(CmkRequest request) {
        CmkRequest.RotationPolicy policy = request.key().rotationPolicy();
        return policy == null ? null : OffsetDateTime.now(ZoneOffset.UTC).plusDays(policy.expiresAfterDays());
    }

    /** A version a workspace can be switched to: enabled and not expired. */
    private static boolean usable(KeyInner key) {
        KeyAttributes attributes = key.attributes();
        return attributes == null || (!Boolean.FALSE.equals(attributes.enabled())
                && (attributes.expires() == null || attributes.expires() > Instant.now().getEpochSecond()));
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
