package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;

/**
 * Publishes the run's status events through the {@link StatusPublisher} activity (so a milestone survives a worker
 * crash). Event ids are {@code runId:sequence}: stable across activity retries, so the broker drops a resend.
 * <p>
 * The run does not wait for an event before its next step: events go, in order and one at a time, from an outbox
 * that a workflow thread drains while there is something in it (a parked run holds no thread for it), out of a
 * cancel's reach (a cancel must not lose a milestone already reached); the run waits for the outbox only before it
 * ends.
 */
final class StatusEvents {
    private static final Logger LOG = Workflow.getLogger(StatusEvents.class);

    private final RunProgress run;
    private final String replyTo;
    private final Deque<StatusEvent> outbox = new ArrayDeque<>();
    private int sequence;
    private Promise<Void> sender;

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
        outbox.add(event);
        if (sender == null || sender.isCompleted()) {
            Workflow.newDetachedCancellationScope(() -> sender = Async.procedure(this::drain)).run();
        }
    }

    /**
     * Waits until every event published so far has been sent (or given up on); a run calls it before it ends, even
     * when cancelled.
     */
    void flush() {
        if (sender != null) {
            Workflow.newDetachedCancellationScope(() -> sender.get()).run();
        }
    }

    /**
     * Sends the outbox's events in order until it is empty, all that queued up meanwhile in one activity (workflow code
     * runs one thread at a time, so none is missed).
     */
    private void drain() {
        while (!outbox.isEmpty()) {
            List<StatusEvent> batch = new ArrayList<>(outbox);
            outbox.clear();
            try {
                publisher("Status events " + batch.stream().map(e -> e.type().name()).toList()).publishAll(batch);
            } catch (ActivityFailure failure) {
                LOG.warn("Status events {} not published: {}", batch.stream().map(StatusEvent::eventId).toList(), Failures.text(failure));
            }
        }
    }

    /** The status event activity; {@code summary} is what the Temporal UI shows for it. */
    private StatusPublisher publisher(String summary) {
        return Workflow.newActivityStub(StatusPublisher.class,
                CmkActivityOptions.capped(CmkActivityOptions.forStatusEvent(summary), run.activityTimeoutCap()));
    }
}
