package io.cmkflow.temporal;

import io.cmkflow.request.StatusEventSender;

import io.cmkflow.contract.StatusEvent;
import io.cmkflow.workflow.StatusPublisher;
import jakarta.inject.Singleton;

/** The worker's StatusPublisher activity, sending through the Service Bus status sender: a failed send throws, so Temporal retries it with the same event id. */
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
