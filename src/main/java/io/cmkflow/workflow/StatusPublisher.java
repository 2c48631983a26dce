package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

/** Sends status events to upstream systems. Published from an activity so a milestone survives a worker crash. */
@ActivityInterface
public interface StatusPublisher {

    /** Idempotent for the receiver: the event id is stable across retries, so duplicate detection drops a resend. */
    @ActivityMethod
    void publish(StatusEvent event);
}
