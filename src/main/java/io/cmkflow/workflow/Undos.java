package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.workflow.CmkRunState.UndoRecord;
import io.temporal.workflow.Workflow;

import java.util.List;

/**
 * The undo of each step that creates something. Each undoes only what this run created: it decides from what its
 * step reported (or, when the step never reported, from what the run knows for certain), and the undo activities
 * themselves refuse anything without this run's tags. Provider registrations and the managed group have no undo.
 */
final class Undos {

    /** Change id of version 1: a vault this run recovered is deleted again like one it created. */
    static final String RECOVERED_VAULT_UNDONE = "recovered-vault-undone";

    static final String DELETE_KEY_VAULT = "deleteKeyVault";
    static final String DELETE_KEY = "deleteKey";
    static final String REMOVE_KEY_ACCESS = "removeKeyAccess";
    static final String DELETE_WORKSPACE = "deleteWorkspace";

    private final RunProgress run;
    private final Compensation compensation;
    private final CmkRequest request;
    private final Ownership owner;

    Undos(RunProgress run, Compensation compensation, Ownership owner) {
        this.run = run;
        this.compensation = compensation;
        this.request = run.request();
        this.owner = owner;
    }

    UndoRecord keyVault() {
        VaultOutcome vault = run.outcome(CmkStep.KEY_VAULT, VaultOutcome.class);
        if (request.keyVault().existingId() != null) {
            return compensation.skipped(CmkStep.KEY_VAULT, DELETE_KEY_VAULT, "the request names an existing vault; this run never creates one");
        }
        boolean recoveredByThisRun = vault != null && vault.disposition() == VaultOutcome.Disposition.RECOVERED
                && Workflow.getVersion(RECOVERED_VAULT_UNDONE, Workflow.DEFAULT_VERSION, 1) >= 1;
        if (vault != null && !vault.createdByThisRun() && !recoveredByThisRun) {
            return compensation.skipped(CmkStep.KEY_VAULT, DELETE_KEY_VAULT, "vault was " + vault.disposition() + ", not created by this run");
        }
        return compensation.undo(CmkStep.KEY_VAULT, DELETE_KEY_VAULT, "delete key vault " + vaultLabel(),
                u -> List.of(u.deleteKeyVault(request, owner)));
    }

    UndoRecord key() {
        KeyOutcome key = run.outcome(CmkStep.KEY, KeyOutcome.class);
        if (key != null && !key.created()) {
            return compensation.skipped(CmkStep.KEY, DELETE_KEY, "key existed before this run");
        }
        return compensation.undo(CmkStep.KEY, DELETE_KEY, "delete key " + request.key().name(),
                u -> List.of(u.deleteKey(request, owner)));
    }

    /**
     * A grant step that never reported is undone from what its read found before it wrote: every entry absent then
     * is this run's. Runs recorded before that read existed leave it to the Azure layer, which knows whom step 4
     * grants: only in a vault this run created can such an entry not have pre-existed.
     */
    UndoRecord keyAccess() {
        KeyAccessOutcome grant = run.outcome(CmkStep.KEY_ACCESS, KeyAccessOutcome.class);
        VaultOutcome vault = run.outcome(CmkStep.KEY_VAULT, VaultOutcome.class);
        if (grant == null && run.keyAccessReadFirst()) {
            if (run.keyAccessBefore() == null) {
                return compensation.skipped(CmkStep.KEY_ACCESS, REMOVE_KEY_ACCESS, "step 4 wrote nothing: its read of the access did not complete");
            }
            grant = run.keyAccessBefore();
        }
        if (grant == null && (vault == null || !vault.createdByThisRun())) {
            return compensation.skipped(CmkStep.KEY_ACCESS, REMOVE_KEY_ACCESS, "grant outcome unknown and the vault is not this run's");
        }
        if (grant != null && grant.nothingAdded()) {
            return compensation.skipped(CmkStep.KEY_ACCESS, REMOVE_KEY_ACCESS, "access was present before this run");
        }
        KeyAccessOutcome added = grant;
        return compensation.undo(CmkStep.KEY_ACCESS, REMOVE_KEY_ACCESS, "remove Cosmos DB (and identity) access from " + vaultLabel(),
                u -> List.of(u.removeKeyAccess(request, added, vault)));
    }

    UndoRecord workspace() {
        return compensation.undo(CmkStep.WORKSPACE, DELETE_WORKSPACE, "delete workspace " + request.workspace().name(),
                u -> u.deleteWorkspace(request, owner));
    }

    /** The vault's name once step 2 reported it, else what the request names. */
    String vaultLabel() {
        VaultOutcome vault = run.outcome(CmkStep.KEY_VAULT, VaultOutcome.class);
        if (vault != null) {
            return vault.name();
        }
        CmkRequest.KeyVault requested = request.keyVault();
        return requested.name() != null ? requested.name() : requested.existingId();
    }
}
