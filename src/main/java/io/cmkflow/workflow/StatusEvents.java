package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

import java.util.Map;

/**
 * Publishes the run's status events through the {@link StatusPublisher} activity (so a milestone survives a worker
 * crash). Event ids are {@code runId:sequence}: stable across activity retries, so the broker drops a resend.
 */
final class StatusEvents {
    private static final Logger LOG = Workflow.getLogger(StatusEvents.class);

    private final RunProgress run;
    private final String replyTo;
    private int sequence;

    StatusEvents(RunProgress run, String replyTo) {
        this.run = run;
        this.replyTo = replyTo;
    }

    void publish(StatusEvent.Type type, CmkStep step, String message, Map<String, String> resources) {
        publish(type, step == null ? null : step.stage(), message, resources);
    }

    /** A publish that cannot get through is logged; it does not fail the provisioning. */
    void publish(StatusEvent.Type type, String stage, String message, Map<String, String> resources) {
        StatusEvent event = new StatusEvent(run.runId() + ":" + ++sequence,
                run.request() == null ? null : run.request().requestId(), run.workflowId(), type, run.status().name(),
                stage, message, RunProgress.now(), resources, replyTo);
        StatusPublisher publisher = Workflow.newActivityStub(StatusPublisher.class,
                CmkActivityOptions.capped(CmkActivityOptions.forStatusEvent("Status event " + type), run.activityTimeoutCap()));
        try {
            publisher.publish(event);
        } catch (ActivityFailure failure) {
            if (CancellationScope.current().isCancelRequested()) {
                throw new CanceledFailure("cancelled while publishing " + type);
            }
            LOG.warn("Status event {} ({}) not published: {}", event.eventId(), type, Failures.text(failure));
        }
    }
}
