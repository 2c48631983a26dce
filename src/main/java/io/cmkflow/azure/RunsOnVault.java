package io.cmkflow.azure;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.workflow.InFlightRuns;
import io.cmkflow.workflow.WorkflowIds;

import java.util.List;
import java.util.Optional;

/**
 * The other runs in flight that name a request's vault: before an undo or a decommission deletes the vault, its key or
 * the access on it, it asks this and leaves them in place while any such run exists (a run given the vault by
 * {@code keyVault.existingId} relies on it before it has a workspace).
 */
final class RunsOnVault {

    private final InFlightRuns inFlight;

    RunsOnVault(InFlightRuns inFlight) {
        this.inFlight = inFlight;
    }

    /** IN_USE for {@code resourceId} when another run in flight names the request's vault, else empty. */
    Optional<UndoOutcome> holding(CmkRequest request, String resourceId, String what) {
        List<String> runs = inFlight.namingVault(request.keyVaultId().id(), WorkflowIds.forRequest(request));
        if (runs.isEmpty()) {
            return Optional.empty();
        }
        return Optional.of(new UndoOutcome(resourceId, UndoOutcome.Result.IN_USE, what + " left in place: run(s) "
                + String.join(", ", runs) + " in flight name this vault", null));
    }
}
