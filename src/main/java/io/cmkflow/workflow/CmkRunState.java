package io.cmkflow.workflow;

import io.cmkflow.contract.DecommissionOutcome;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.ProviderRegistration;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.contract.CmkRequest;

import java.util.List;

/**
 * A run's full state as the {@code state} query returns it: what was asked, where the run is, what each step did,
 * what it created, what compensation did, and the last error. Timestamps are ISO-8601 instants in workflow time.
 */
public record CmkRunState(
        CmkRequest request,
        String workflowId,
        String runId,
        CmkStatus status,
        CmkStep currentStep,
        List<StepState> steps,
        Outcomes outcomes,
        List<String> resourcesCreated,
        List<UndoRecord> compensation,
        String lastError,
        String startedAt,
        String updatedAt,
        String parkedAt,
        String finishedAt) {

    /** One step: its state, what it did, and how often the workflow ran it (1 + operator retries). */
    public record StepState(
            CmkStep step,
            int number,
            Phase phase,
            Result result,
            String resourceId,
            int attempts,
            String startedAt,
            String finishedAt,
            String error) {
    }

    public enum Phase { PENDING, RUNNING, DONE, FAILED }

    /** What a finished step did in Azure. */
    public enum Result {
        /** This run created it (and owns it through its tags). */
        CREATED,
        /** It existed and complied; this run uses it and never removes it. */
        ADOPTED,
        /** A soft-deleted vault of cmkflow's was recovered. */
        RECOVERED,
        /** Nothing to do: already in place. */
        SKIPPED,
        /** A read-only check passed. */
        VERIFIED,
        /** A setting of an existing resource was changed (a workspace's key); its undo sets it back. */
        CHANGED,
        /** A decommission deleted it; nothing undoes that. */
        DELETED
    }

    /**
     * The activities' own results, as returned. A create fills the first six; a key rotation fills {@code key} (the
     * version it switched to), {@code keyAccess} (the access it checked), {@code workspaceKey} (the key before) and
     * {@code keyChange} (the key after).
     */
    public record Outcomes(
            ProviderRegistration providers,
            VaultOutcome vault,
            KeyOutcome key,
            KeyAccessOutcome keyAccess,
            WorkspaceOutcome workspace,
            ManagedGroupOutcome managedGroup,
            WorkspaceKeyOutcome workspaceKey,
            WorkspaceKeyOutcome keyChange,
            DecommissionOutcome decommission) {
    }

    /** One compensation of one step: done (with the activity's per-resource outcomes), skipped (with why) or failed. */
    public record UndoRecord(CmkStep step, String action, UndoResult result, List<UndoOutcome> outcomes, String detail, String at) {
    }

    public enum UndoResult { DONE, SKIPPED, FAILED }
}
