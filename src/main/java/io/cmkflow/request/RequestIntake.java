package io.cmkflow.request;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusErrorContext;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessageContext;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import jakarta.annotation.PreDestroy;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The intake role: a Service Bus processor on the request queue (PEEK_LOCK, no auto-complete) that hands each
 * message to {@link IntakeService} and settles it only after the decision: complete once Temporal acknowledged the
 * start (or recognised a duplicate), dead-letter bad input, abandon on any transient failure so the broker
 * redelivers (and dead-letters at its max delivery count). Nothing thrown here stops the processor.
 */
@Context
@Requires(property = "cmkflow.intake.enabled", notEquals = "false")
public class RequestIntake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestIntake.class);

    private final IntakeService service;
    private final ServiceBusProcessorClient processor;

    public RequestIntake(ServiceBusClientBuilder clients, IntakeSettings settings, IntakeService service) {
        this.service = service;
        this.processor = clients.processor()
                .queueName(settings.requestQueue())
                .receiveMode(ServiceBusReceiveMode.PEEK_LOCK)
                .disableAutoComplete()
                .maxConcurrentCalls(settings.maxConcurrentCalls())
                .prefetchCount(settings.prefetchCount())
                .maxAutoLockRenewDuration(settings.maxLockRenewal())
                .processMessage(this::onMessage)
                .processError(this::onError)
                .buildProcessorClient();
        processor.start();
        log.info("Intake listening on queue {}", settings.requestQueue());
    }

    private void onMessage(ServiceBusReceivedMessageContext context) {
        ServiceBusReceivedMessage message = context.getMessage();
        IncomingRequest request = new IncomingRequest(message.getMessageId(), message.getContentType(),
                message.getReplyTo(), message.getBody().toBytes());
        IntakeDecision decision;
        try {
            decision = service.handle(request);
        } catch (RuntimeException transientFailure) {
            log.warn("message {} abandoned for redelivery (delivery {}): {}", message.getMessageId(),
                    message.getDeliveryCount(), transientFailure.toString());
            context.abandon();
            return;
        }
        if (decision instanceof IntakeDecision.DeadLetter deadLetter) {
            context.deadLetter(new DeadLetterOptions()
                    .setDeadLetterReason(deadLetter.reason().name())
                    .setDeadLetterErrorDescription(deadLetter.description()));
        } else {
            context.complete();
        }
    }

    private void onError(ServiceBusErrorContext error) {
        log.warn("Service Bus processor error on {} ({}): {}", error.getEntityPath(), error.getErrorSource(),
                error.getException().toString());
    }

    public boolean isRunning() {
        return processor.isRunning();
    }

    @PreDestroy
    @Override
    public void close() {
        processor.close();
    }
}
