package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowQueue;
import org.slf4j.Logger;

import java.util.Map;
import java.util.Optional;

/**
 * Publishes the run's status events through the {@link StatusPublisher} activity (so a milestone survives a worker
 * crash). Event ids are {@code runId:sequence}: stable across activity retries, so the broker drops a resend.
 * <p>
 * Since version 1 of {@link #PIPELINED} the run does not wait for an event before its next step: events go, in
 * order and one at a time, from an outbox that a workflow thread of its own drains, out of a cancel's reach (a
 * cancel must not lose a milestone already reached), and the run waits for the outbox only before it ends.
 */
final class StatusEvents {
    private static final Logger LOG = Workflow.getLogger(StatusEvents.class);

    /** Change id of version 1: events are sent from an outbox beside the steps instead of between them. */
    static final String PIPELINED = "status-events-pipelined";
    /** Enough for every event a run sends between two of its waits; the run blocks rather than drops beyond it. */
    private static final int OUTBOX_CAPACITY = 64;

    private final RunProgress run;
    private final String replyTo;
    private int sequence;
    private final WorkflowQueue<Optional<StatusEvent>> outbox;
    private Promise<Void> sender;

    StatusEvents(RunProgress run, String replyTo) {
        this.run = run;
        this.replyTo = replyTo;
        this.outbox = Workflow.getVersion(PIPELINED, Workflow.DEFAULT_VERSION, 1) >= 1
                ? Workflow.newWorkflowQueue(OUTBOX_CAPACITY) : null;
    }

    void publish(StatusEvent.Type type, CmkStep step, String message, Map<String, String> resources) {
        publish(type, step == null ? null : step.stage(), message, resources);
    }

    /** A publish that cannot get through is logged; it does not fail the provisioning. */
    void publish(StatusEvent.Type type, String stage, String message, Map<String, String> resources) {
        StatusEvent event = new StatusEvent(run.runId() + ":" + ++sequence,
                run.request() == null ? null : run.request().requestId(), run.workflowId(), type, run.status().name(),
                stage, message, RunProgress.now(), resources, replyTo);
        if (outbox == null) {
            send(event, true);
            return;
        }
        if (sender == null) {
            Workflow.newDetachedCancellationScope(() -> sender = Async.procedure(this::drain)).run();
        }
        outbox.put(Optional.of(event));
    }

    /**
     * Waits until every event published so far has been sent (or given up on); a run calls it before it ends, even
     * when cancelled.
     */
    void flush() {
        if (sender == null) {
            return;
        }
        Workflow.newDetachedCancellationScope(() -> {
            outbox.put(Optional.empty());
            sender.get();
        }).run();
        sender = null;
    }

    /** Sends the outbox's events in order until {@link #flush()} marks its end with an empty one. */
    private void drain() {
        for (Optional<StatusEvent> event = outbox.take(); event.isPresent(); event = outbox.take()) {
            send(event.get(), false);
        }
    }

    private void send(StatusEvent event, boolean cancellable) {
        StatusPublisher publisher = Workflow.newActivityStub(StatusPublisher.class,
                CmkActivityOptions.capped(CmkActivityOptions.forStatusEvent("Status event " + event.type()), run.activityTimeoutCap()));
        try {
            publisher.publish(event);
        } catch (ActivityFailure failure) {
            if (cancellable && CancellationScope.current().isCancelRequested()) {
                throw new CanceledFailure("cancelled while publishing " + event.type());
            }
            LOG.warn("Status event {} ({}) not published: {}", event.eventId(), event.type(), Failures.text(failure));
        }
    }
}
