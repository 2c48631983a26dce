package io.cmkflow.request;

import io.cmkflow.workflow.StatusEvent;
import io.cmkflow.workflow.StatusPublisher;
import jakarta.inject.Singleton;

/** The StatusPublisher activity of the worker: a failed send throws, so Temporal retries it with the same event id. */
@Singleton
public class ServiceBusStatusPublisher implements StatusPublisher {
    private final StatusEventSender sender;

    public ServiceBusStatusPublisher(StatusEventSender sender) {
        this.sender = sender;
    }

    @Override
    public void publish(StatusEvent event) {
        sender.send(event);
    }
}
