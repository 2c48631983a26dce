package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/**
 * Keeps a workspace cmkflow created under a recurring CMK posture check (a Temporal Schedule), and starts the repair a
 * check asks for when repairs are on.
 */
@ActivityInterface
public interface PostureScheduling {

    /**
     * Creates the workspace's posture schedule ({@link WorkflowIds#forPosture}), or updates it to the same: idempotent.
     * Returns its id, or null when posture checks are off ({@code cmkflow.posture.enabled=false}).
     */
    @ActivityMethod
    String schedulePostureCheck(CmkRequest request, ManagedWorkspace managed);

    /**
     * When {@code cmkflow.posture.repair} is on, starts a key access repair run of the workspace {@code create} made
     * ({@link CmkWorkflowStarter#startKeyAccessRepair}) and returns what happened; null when repairs are off.
     * Idempotent: the run's request id is {@code requestId}, and a request id runs once.
     */
    @ActivityMethod
    String startKeyAccessRepair(CmkRequest create, String requestId);

    /** Deletes the workspace's posture schedule (a decommission). Idempotent: a schedule already gone is done. */
    @ActivityMethod
    void removePostureCheck(CmkRequest request);
}
