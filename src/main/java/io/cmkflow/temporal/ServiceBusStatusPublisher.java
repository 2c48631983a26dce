package io.cmkflow.temporal;

import io.cmkflow.contract.PostureReport;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.request.StatusEventSender;
import io.cmkflow.workflow.StatusPublisher;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import jakarta.inject.Singleton;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The worker's StatusPublisher activity: adds the run's Temporal UI link and sends the event through the Service Bus
 * status sender; a failed send throws, so Temporal retries it with the same event id. Counts the runs reaching each
 * status, {@code cmkflow_runs_total{status}} (accepted, awaiting_operator, succeeded, failed, compensated, cancelled):
 * cheap and exact where a gauge would need a visibility query per scrape. A {@code posture} event counts the check,
 * {@code cmkflow_posture_checks_total{posture}}, and sets its workspace's last posture, which
 * {@code cmkflow_workspaces_posture{posture}} counts: the workspaces whose last check this worker published.
 */
@Singleton
public class ServiceBusStatusPublisher implements StatusPublisher {
    public static final String RUNS = "cmkflow.runs";
    public static final String POSTURE_CHECKS = "cmkflow.posture.checks";
    public static final String WORKSPACES_POSTURE = "cmkflow.workspaces.posture";

    private final StatusEventSender sender;
    private final TemporalSettings settings;

    private final MeterRegistry registry;
    /** Each workspace's last posture this worker published, by workspace id: bounded by the workspaces cmkflow made. */
    private final Map<String, String> lastPosture = new ConcurrentHashMap<>();

    public ServiceBusStatusPublisher(StatusEventSender sender, TemporalSettings settings, MeterRegistry registry) {
        this.sender = sender;
        this.settings = settings;
        this.registry = registry;
        for (PostureReport.Posture posture : PostureReport.Posture.values()) {
            Gauge.builder(WORKSPACES_POSTURE, lastPosture, last -> last.values().stream().filter(posture.name()::equals).count())
                    .tag("posture", posture.name()).register(registry);
            // Served from the start, at 0: an alert on a rise needs the series before the first check.
            registry.counter(POSTURE_CHECKS, "posture", posture.name());
        }
    }

    @Override
    public void publishAll(List<StatusEvent> events) {
        StatusPublisher.inOrder(events, this::publish);
    }

    private void publish(StatusEvent event) {
        ActivityInfo run = Activity.getExecutionContext().getInfo();
        sender.send(event.withTemporalUiUrl(settings.runLink(run.getWorkflowId(), run.getRunId())));
        // Once the event is out: a retried publish of an event that failed to send counts once.
        if (event.type() == StatusEvent.Type.posture) {
            registry.counter(POSTURE_CHECKS, "posture", event.status()).increment();
            lastPosture.put(event.resources().get("workspaceId").toLowerCase(Locale.ROOT), event.status());
        } else if (event.type() != StatusEvent.Type.step_done) {
            registry.counter(RUNS, "status", event.type().name()).increment();
        }
    }
}
