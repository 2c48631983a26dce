package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.workflow.CmkRunState.UndoRecord;

import java.util.List;
import java.util.function.Supplier;

/**
 * The undo of each step that creates something. Each undoes only what this run created: it decides from what its
 * step reported (or, when the step never reported, from what the run knows for certain), and the undo activities
 * themselves refuse anything without this run's tags. Provider registrations and the managed group have no undo.
 */
final class Undos {

    static final String DELETE_KEY_VAULT = "deleteKeyVault";
    static final String DELETE_KEY = "deleteKey";
    static final String REMOVE_COSMOS_DB_KEY_ACCESS = "removeCosmosDbKeyAccess";
    static final String DELETE_WORKSPACE = "deleteWorkspace";
    static final String RESTORE_WORKSPACE_KEY = "restoreWorkspaceKey";

    private final RunProgress run;
    private final Compensation compensation;
    private final CmkRequest request;
    /** This run's ownership with what its steps found existing, as the run knows it when the undo starts. */
    private final Supplier<Ownership> owner;

    Undos(RunProgress run, Compensation compensation, Supplier<Ownership> owner) {
        this.run = run;
        this.compensation = compensation;
        this.request = run.request();
        this.owner = owner;
    }

    UndoRecord deleteKeyVault() {
        VaultOutcome vault = run.outcome(CmkStep.CREATE_KEY_VAULT, VaultOutcome.class);
        if (request.keyVault().existingId() != null) {
            return compensation.skipped(CmkStep.CREATE_KEY_VAULT, DELETE_KEY_VAULT, "the request names an existing vault; this run never creates one");
        }
        // A vault this run recovered is deleted again like one it created.
        boolean recoveredByThisRun = vault != null && vault.disposition() == VaultOutcome.Disposition.RECOVERED;
        if (vault != null && !vault.createdByThisRun() && !recoveredByThisRun) {
            return compensation.skipped(CmkStep.CREATE_KEY_VAULT, DELETE_KEY_VAULT, "vault was " + vault.disposition() + ", not created by this run");
        }
        return compensation.undo(CmkStep.CREATE_KEY_VAULT, DELETE_KEY_VAULT, "delete key vault " + vaultLabel(),
                u -> List.of(u.deleteKeyVault(request, owner.get())));
    }

    UndoRecord deleteKey() {
        KeyOutcome key = run.outcome(CmkStep.CREATE_KEY, KeyOutcome.class);
        if (key != null && !key.created()) {
            return compensation.skipped(CmkStep.CREATE_KEY, DELETE_KEY, "key existed before this run");
        }
        return compensation.undo(CmkStep.CREATE_KEY, DELETE_KEY, "delete key " + request.key().name(),
                u -> List.of(u.deleteKey(request, owner.get())));
    }

    /**
     * The undo of {@code grant} (a create's step 4 or a repair's step 2): a grant step that never reported is undone
     * from what its read found before it wrote: every entry absent then is this run's.
     */
    UndoRecord removeCosmosDbKeyAccess(CmkStep grant) {
        KeyAccessOutcome granted = run.outcome(grant, KeyAccessOutcome.class);
        if (granted == null) {
            if (run.keyAccessBefore() == null) {
                return compensation.skipped(grant, REMOVE_COSMOS_DB_KEY_ACCESS, "step " + grant.number()
                        + " wrote nothing: its read of the access did not complete");
            }
            granted = run.keyAccessBefore();
        }
        if (granted.nothingAdded()) {
            return compensation.skipped(grant, REMOVE_COSMOS_DB_KEY_ACCESS, "access was present before this run");
        }
        KeyAccessOutcome added = granted;
        return compensation.undo(grant, REMOVE_COSMOS_DB_KEY_ACCESS, "remove Cosmos DB (and identity) access from " + vaultLabel(),
                u -> List.of(u.removeCosmosDbKeyAccess(request, added)));
    }

    UndoRecord deleteWorkspace() {
        return compensation.undo(CmkStep.CREATE_WORKSPACE, DELETE_WORKSPACE, "delete workspace " + request.workspace().name(),
                u -> u.deleteWorkspace(request, owner.get()));
    }

    /**
     * A key rotation's undo, registered once steps 1 and 3 reported: the workspace's key as step 1 read it, set back
     * while the workspace uses step 3's key (a key someone else set meanwhile stays). Key versions are never deleted.
     */
    UndoRecord restoreWorkspaceKey() {
        WorkspaceKeyOutcome before = run.outcome(CmkStep.READ_WORKSPACE_KEY, WorkspaceKeyOutcome.class);
        KeyOutcome key = run.outcome(CmkStep.CREATE_KEY_VERSION, KeyOutcome.class);
        return compensation.undo(CmkStep.CHANGE_WORKSPACE_KEY, RESTORE_WORKSPACE_KEY, "restore the key of workspace "
                + request.workspace().name(), u -> List.of(u.restoreWorkspaceKey(request, before, key)));
    }

    /** The vault's name once step 2 reported it, else what the request names. */
    String vaultLabel() {
        VaultOutcome vault = run.outcome(CmkStep.CREATE_KEY_VAULT, VaultOutcome.class);
        if (vault != null) {
            return vault.name();
        }
        CmkRequest.KeyVault requested = request.keyVault();
        return requested.name() != null ? requested.name() : requested.existingId();
    }
}
