package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;

import java.time.Duration;
import java.util.List;

/**
 * What a run of {@link CmkWorkspaceWorkflow} is started with.
 *
 * @param request     the validated request (intake validated it before starting the run)
 * @param replyTo     where status events go besides the default status entity (the message's ReplyTo), or null
 * @param parkTimeout how long a run parked for an operator waits before it compensates; null means {@link #DEFAULT_PARK_TIMEOUT}
 * @param activityTimeoutCap null in production; dev mode (whose simulated Azure answers in milliseconds) and tests that
 *                    kill workers set it: it caps every activity's start-to-close and heartbeat timeout, so the run
 *                    notices a dead worker within it instead of minutes. Part of the run's input, so it is in the history
 *                    and replays as it ran.
 * @param earlierRunIds the run ids of this target's earlier runs, as Temporal's records of them (their memos) list
 *                    them: what lets a run recognise a soft-deleted vault or key an earlier run of its target made
 * @param managedWorkspace for a key rotation or repair, the workspace as the target's create run recorded it (the starter reads
 *                    it from Temporal); null for a create
 */
public record CmkWorkflowInput(CmkRequest request, String replyTo, Duration parkTimeout, Duration activityTimeoutCap,
                               List<String> earlierRunIds, ManagedWorkspace managedWorkspace) {

    public static final Duration DEFAULT_PARK_TIMEOUT = Duration.ofHours(72);

    public CmkWorkflowInput {
        earlierRunIds = earlierRunIds == null ? List.of() : List.copyOf(earlierRunIds);
    }

    public CmkWorkflowInput(CmkRequest request) {
        this(request, null, null, null, null, null);
    }

    public CmkWorkflowInput(CmkRequest request, String replyTo, Duration parkTimeout) {
        this(request, replyTo, parkTimeout, null, null, null);
    }

    /** This input with {@code cap} as its {@link #activityTimeoutCap}. */
    public CmkWorkflowInput withActivityTimeoutCap(Duration cap) {
        return new CmkWorkflowInput(request, replyTo, parkTimeout, cap, earlierRunIds, managedWorkspace);
    }

    /** This input with the target's earlier run ids and its managed workspace (the starter reads both from Temporal). */
    public CmkWorkflowInput withRecords(List<String> runIds, ManagedWorkspace managed) {
        return new CmkWorkflowInput(request, replyTo, parkTimeout, activityTimeoutCap, runIds, managed);
    }

    public Duration parkTimeoutOrDefault() {
        return parkTimeout == null || parkTimeout.isZero() || parkTimeout.isNegative() ? DEFAULT_PARK_TIMEOUT : parkTimeout;
    }
}
