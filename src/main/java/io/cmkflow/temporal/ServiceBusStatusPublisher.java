package io.cmkflow.temporal;

import io.cmkflow.contract.StatusEvent;
import io.cmkflow.request.StatusEventSender;
import io.cmkflow.workflow.StatusPublisher;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;
import jakarta.inject.Singleton;

/**
 * The worker's StatusPublisher activity: adds the run's Temporal UI link and sends the event through the Service Bus
 * status sender; a failed send throws, so Temporal retries it with the same event id.
 */
@Singleton
public class ServiceBusStatusPublisher implements StatusPublisher {
    private final StatusEventSender sender;
    private final TemporalSettings settings;

    public ServiceBusStatusPublisher(StatusEventSender sender, TemporalSettings settings) {
        this.sender = sender;
        this.settings = settings;
    }

    @Override
    public void publish(StatusEvent event) {
        ActivityInfo run = Activity.getExecutionContext().getInfo();
        sender.send(event.withTemporalUiUrl(settings.runLink(run.getWorkflowId(), run.getRunId())));
    }
}
