package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Keeps a workspace cmkflow created under a recurring CMK posture check (a Temporal Schedule). */
@ActivityInterface
public interface PostureScheduling {

    /**
     * Creates the workspace's posture schedule ({@link WorkflowIds#forPosture}), or updates it to the same: idempotent.
     * Returns its id, or null when posture checks are off ({@code cmkflow.posture.enabled=false}).
     */
    @ActivityMethod
    String schedulePostureCheck(CmkRequest request, ManagedWorkspace managed);
}
