package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityMethod;

import java.util.List;
import java.util.function.Consumer;

/** Sends status events to upstream systems. Published from an activity so a milestone survives a worker crash. */
@ActivityInterface
public interface StatusPublisher {

    /**
     * The events in order, in one activity (a run's events queue up while one is sent); implementations send them with
     * {@link #inOrder}. Idempotent for the receiver: an event id is stable across retries, so duplicate detection drops
     * a resend; and a retried attempt skips the events an earlier attempt recorded as sent in its heartbeat, so a
     * failure part-way resends few.
     */
    @ActivityMethod
    void publishAll(List<StatusEvent> events);

    /** Sends {@code events} with {@code publish}, from the first one no earlier attempt of this activity sent. */
    static void inOrder(List<StatusEvent> events, Consumer<StatusEvent> publish) {
        ActivityExecutionContext context = Activity.getExecutionContext();
        for (int next = context.getHeartbeatDetails(Integer.class).orElse(0); next < events.size(); next++) {
            publish.accept(events.get(next));
            if (next + 1 < events.size()) {
                // Progress for a retry to skip; after the last event the completion says it all, and Temporal's first
                // heartbeat of an attempt is a blocking call that would delay it.
                context.heartbeat(next + 1);
            }
        }
    }
}
