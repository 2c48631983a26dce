package io.cmkflow.workflow;

import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.CmkRequest;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

import java.util.List;

/**
 * Undo operations. Each takes the request (names are deterministic), so it works even when the create it undoes
 * timed out before reporting. Each is idempotent (already gone = done) and refuses resources without this run's tags.
 * None of them can reach the managed resource group: the Azure layer's guard refuses such deletes.
 */
@ActivityInterface
public interface CompensationActivities {

    /** Deletes and purges (forceToPurge=true) the workspace, then the storage account / application insights this run created. */
    @ActivityMethod
    List<UndoOutcome> deleteWorkspace(CmkRequest request, Ownership owner);

    /**
     * Removes the key access (access policy entries or role assignments) step 4 added for Cosmos DB and the identity:
     * what {@code grant} reports as added (when step 4 never reported, what its read found absent).
     */
    @ActivityMethod
    UndoOutcome removeCosmosDbKeyAccess(CmkRequest request, KeyAccessOutcome grant);

    /** Deletes the key this run created. */
    @ActivityMethod
    UndoOutcome deleteKey(CmkRequest request, Ownership owner);

    /** Deletes the vault this run created; it stays soft-deleted (purge protection), {@code recoverableUntil} says until when. */
    @ActivityMethod
    UndoOutcome deleteKeyVault(CmkRequest request, Ownership owner);

    /**
     * Sets the workspace's key back to {@code before}'s when it is still {@code key} (this run's), so no other change
     * is undone. Idempotent: a workspace using {@code before}'s key is left as it is. Never deletes a key version.
     */
    @ActivityMethod
    UndoOutcome restoreWorkspaceKey(CmkRequest request, WorkspaceKeyOutcome before, KeyOutcome key);
}
