package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.PostureReport;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

import java.time.Duration;

/** The CMK posture check's Azure side. */
@ActivityInterface
public interface PostureActivities {

    /**
     * Reads the workspace, its key version, its vault, Cosmos DB's and the identity's access and its managed resource
     * group, and judges each (Healthy / AtRisk / Broken); {@code expiryThreshold} is how soon an expiry counts as a
     * risk. Read-only, hence idempotent.
     */
    @ActivityMethod
    PostureReport checkPosture(CmkRequest request, ManagedWorkspace managed, Duration expiryThreshold);
}
