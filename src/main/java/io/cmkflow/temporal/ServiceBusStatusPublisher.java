package io.cmkflow.temporal;

import io.cmkflow.contract.StatusEvent;
import io.cmkflow.request.StatusEventSender;
import io.cmkflow.workflow.StatusPublisher;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * The worker's StatusPublisher activity: adds the run's Temporal UI link and sends the event through the Service Bus
 * status sender; a failed send throws, so Temporal retries it with the same event id. Counts the runs reaching each
 * status, {@code cmkflow_runs_total{status}} (accepted, awaiting_operator, succeeded, failed, compensated, cancelled):
 * cheap and exact where a gauge would need a visibility query per scrape.
 */
@Singleton
public class ServiceBusStatusPublisher implements StatusPublisher {
    public static final String RUNS = "cmkflow.runs";

    private final StatusEventSender sender;
    private final TemporalSettings settings;

    private final MeterRegistry registry;

    public ServiceBusStatusPublisher(StatusEventSender sender, TemporalSettings settings, MeterRegistry registry) {
        this.sender = sender;
        this.settings = settings;
        this.registry = registry;
    }

    @Override
    public void publishAll(List<StatusEvent> events) {
        StatusPublisher.inOrder(events, this::publish);
    }

    private void publish(StatusEvent event) {
        ActivityInfo run = Activity.getExecutionContext().getInfo();
        sender.send(event.withTemporalUiUrl(settings.runLink(run.getWorkflowId(), run.getRunId())));
        if (event.type() != StatusEvent.Type.step_done) {
            // Once the event is out: a retried publish of an event that failed to send counts once.
            registry.counter(RUNS, "status", event.type().name()).increment();
        }
    }
}
