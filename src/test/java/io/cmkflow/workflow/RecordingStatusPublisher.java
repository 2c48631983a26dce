package io.cmkflow.workflow;

import io.temporal.failure.ApplicationFailure;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/** The status sink of the workflow tests: keeps every delivered event; can refuse the first deliveries of one event type. */
final class RecordingStatusPublisher implements StatusPublisher {

    final List<StatusEvent> delivered = new CopyOnWriteArrayList<>();
    final List<String> attemptedIds = new CopyOnWriteArrayList<>();
    private volatile StatusEvent.Type refusedType;
    private final AtomicInteger refusalsLeft = new AtomicInteger();

    void refuseFirst(StatusEvent.Type type, int times) {
        refusedType = type;
        refusalsLeft.set(times);
    }

    @Override
    public void publish(StatusEvent event) {
        attemptedIds.add(event.eventId());
        if (event.type() == refusedType && refusalsLeft.getAndDecrement() > 0) {
            throw ApplicationFailure.newFailure("status queue unavailable", "RETRYABLE");
        }
        delivered.add(event);
    }

    List<StatusEvent.Type> types() {
        return delivered.stream().map(StatusEvent::type).toList();
    }
}
