package io.cmkflow.workflow;

import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.ProviderRegistration;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.DecommissionOutcome;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

import java.util.List;

/**
 * Steps 1-6 of the CMK procedure, 1-4 of a key rotation, 1-2 of a key access repair and 1-4 of a decommission. Each method is safe to retry: it reads first and
 * only creates what is missing. Failures surface as {@code ApplicationFailure} whose type is an {@code AzureErrorClass} name.
 */
@ActivityInterface
public interface ProvisioningActivities {

    /** Idempotent because registering a registered provider is a no-op; polls until every namespace is Registered. */
    @ActivityMethod
    ProviderRegistration registerResourceProviders(CmkRequest request);

    /** Idempotent by GET first: an existing compliant vault is adopted, one of ours is reused, our soft-deleted one recovered. */
    @ActivityMethod
    VaultOutcome createKeyVault(CmkRequest request, Ownership owner);

    /** Idempotent through Keys_CreateIfNotExist: an existing key is returned unchanged, no new version. */
    @ActivityMethod
    KeyOutcome createKey(CmkRequest request, VaultOutcome vault, Ownership owner);

    /**
     * Step 4, first half: who already has the key access step 4 grants (Cosmos DB, the user-assigned identity), as
     * the outcome the grant will report. Read-only, hence idempotent; its result in the history is what makes the
     * grant's retry and the undo tell this run's entries from older ones.
     */
    @ActivityMethod
    KeyAccessOutcome readCosmosDbKeyAccess(CmkRequest request, VaultOutcome vault);

    /**
     * Step 4: key access for Azure Cosmos DB and the workspace's user-assigned identity. Idempotent because
     * accessPolicies/add is a set union and a role assignment is looked up before it is created; {@code before} (from
     * {@link #readCosmosDbKeyAccess}) decides what counts as already present, so a retry after a write whose report
     * was lost still reports it as this run's.
     */
    @ActivityMethod
    KeyAccessOutcome grantCosmosDbKeyAccess(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before);

    /** Idempotent by GET first and an idempotent PUT; associated resources have deterministic names. */
    @ActivityMethod
    WorkspaceOutcome createWorkspace(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner);

    /** Read-only. */
    @ActivityMethod
    ManagedGroupOutcome verifyManagedResourceGroup(CmkRequest request, WorkspaceOutcome workspace);

    /** Key rotation step 1: the workspace's key, once the workspace is shown to be {@code managed}'s. Read-only. */
    @ActivityMethod
    WorkspaceKeyOutcome readWorkspaceKey(CmkRequest request, ManagedWorkspace managed);

    /** Key rotation step 2: Cosmos DB's and the identity's access covers every key in the vault. Read-only. */
    @ActivityMethod
    KeyAccessOutcome checkKeyAccess(CmkRequest request);

    /**
     * Key rotation step 3: a new version of the workspace's key, or the current version of another key in its vault
     * (created when absent). Idempotent because once a version newer than the workspace's exists it is returned
     * instead of another.
     */
    @ActivityMethod
    KeyOutcome createKeyVersion(CmkRequest request, WorkspaceKeyOutcome workspaceKey, Ownership owner);

    /** Key rotation step 4: the workspace uses {@code key}. Idempotent because a workspace already using it is not patched. */
    @ActivityMethod
    WorkspaceKeyOutcome changeWorkspaceKey(CmkRequest request, KeyOutcome key);

    /**
     * Key access repair step 1: the workspace's vault, once the workspace is shown to be {@code managed}'s and its key
     * to be in the request's vault. Read-only.
     */
    @ActivityMethod
    VaultOutcome readWorkspaceVault(CmkRequest request, ManagedWorkspace managed);

    /**
     * Key access repair step 2: Azure Cosmos DB's (and the identity's) key access on the vault, granted again where
     * it is missing, as a create's step 4 grants it. Idempotent for the same reasons as {@link #grantCosmosDbKeyAccess}.
     */
    @ActivityMethod
    KeyAccessOutcome restoreKeyAccess(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before);

    /**
     * Decommission step 1: the workspace, once shown to be {@code managed}'s and its key to be in the request's vault,
     * with the managed resource group it reports. Read-only.
     */
    @ActivityMethod
    DecommissionOutcome checkWorkspace(CmkRequest request, ManagedWorkspace managed);

    /**
     * Decommission step 2: deletes the workspace (purged when the request asks), checked again first, and waits until
     * Azure reports it gone. Idempotent because a workspace already gone is not deleted again (step 1 found it).
     */
    @ActivityMethod
    DecommissionOutcome decommissionWorkspace(CmkRequest request, ManagedWorkspace managed, DecommissionOutcome checked);

    /** Decommission step 3: after a purge, waits until Azure has removed the managed resource group. Read-only. */
    @ActivityMethod
    DecommissionOutcome awaitManagedGroupRemoval(CmkRequest request, DecommissionOutcome deleted);

    /**
     * Decommission step 4, when {@code decommission.deleteCreatedResources}: deletes what the create run made for the
     * workspace (its record lists it, its tags name that run) and no other workspace uses: key and vault (both stay
     * soft-deleted: purge protection), storage account, Application Insights and its Log Analytics workspace. Never a
     * grant, which a vault kept may serve other workspaces with. Idempotent: what is gone is reported already gone.
     */
    @ActivityMethod
    List<UndoOutcome> deleteCreatedResources(CmkRequest request, ManagedWorkspace managed);
}
