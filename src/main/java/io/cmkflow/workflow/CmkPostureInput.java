package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;

import java.time.Duration;

/**
 * What a posture schedule starts {@link CmkPostureWorkflow} with: the create request (its subscription, tenant, vault
 * and identity), the workspace as its create run recorded it, and how soon a key expiry counts as a risk. The schedule
 * keeps it, so it outlives Temporal's retention of the create run.
 */
public record CmkPostureInput(CmkRequest request, ManagedWorkspace managed, Duration expiryThreshold) {
}
