package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import io.temporal.failure.ApplicationFailure;

import java.util.List;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** The status sink of the workflow tests: keeps every delivered event; can refuse the first deliveries of one event type. */
final class RecordingStatusPublisher implements StatusPublisher {

    final List<StatusEvent> delivered = new CopyOnWriteArrayList<>();
    final List<String> attemptedIds = new CopyOnWriteArrayList<>();
    private volatile StatusEvent.Type refusedType;
    private final AtomicInteger refusalsLeft = new AtomicInteger();
    private volatile StatusEvent.Type heldType;
    private volatile CountDownLatch entered;
    private volatile CountDownLatch release;

    void refuseFirst(StatusEvent.Type type, int times) {
        refusedType = type;
        refusalsLeft.set(times);
    }

    /** The first publish of {@code type} signals {@code entered} and waits for {@code release} before it delivers. */
    void holdFirst(StatusEvent.Type type, CountDownLatch entered, CountDownLatch release) {
        heldType = type;
        this.entered = entered;
        this.release = release;
    }

    @Override
    public void publishAll(List<StatusEvent> events) {
        StatusPublisher.inOrder(events, this::publish);
    }

    private void publish(StatusEvent event) {
        attemptedIds.add(event.eventId());
        if (event.type() == heldType && entered.getCount() > 0) {
            entered.countDown();
            try {
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (event.type() == refusedType && refusalsLeft.getAndDecrement() > 0) {
            throw ApplicationFailure.newFailure("status queue unavailable", "RETRYABLE");
        }
        delivered.add(event);
    }

    /** Every delivered event checked against the status event contract upstream systems receive. */
    List<String> schemaViolations() {
        ObjectMapper mapper = new ObjectMapper();
        try (InputStream in = getClass().getResourceAsStream("/workflows/cmk-workspace/status-event.schema.json")) {
            JsonSchema schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
            return delivered.stream()
                    .flatMap(e -> schema.validate(mapper.valueToTree(e)).stream().map(m -> e.type() + ": " + m.getMessage()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    List<StatusEvent.Type> types() {
        return delivered.stream().map(StatusEvent::type).toList();
    }
}
