package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;

import java.time.Duration;

/**
 * What a run of {@link CmkWorkspaceWorkflow} is started with.
 *
 * @param request     the validated request (intake validated it before starting the run)
 * @param replyTo     where status events go besides the default status entity (the message's ReplyTo), or null
 * @param parkTimeout how long a run parked for an operator waits before it compensates; null means {@link #DEFAULT_PARK_TIMEOUT}
 */
public record CmkWorkflowInput(CmkRequest request, String replyTo, Duration parkTimeout) {

    public static final Duration DEFAULT_PARK_TIMEOUT = Duration.ofHours(72);

    public CmkWorkflowInput(CmkRequest request) {
        this(request, null, null);
    }

    public Duration parkTimeoutOrDefault() {
        return parkTimeout == null || parkTimeout.isZero() || parkTimeout.isNegative() ? DEFAULT_PARK_TIMEOUT : parkTimeout;
    }
}
