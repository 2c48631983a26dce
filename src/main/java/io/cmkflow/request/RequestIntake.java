package io.cmkflow.request;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusErrorContext;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessageContext;
import com.azure.messaging.servicebus.models.DeadLetterOptions;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The intake role: a Service Bus processor on the request queue (PEEK_LOCK, no auto-complete) that hands each
 * message to {@link IntakeService} and settles it only after the decision: complete once Temporal acknowledged the
 * start (or recognised a duplicate), dead-letter bad input with a `rejected` event, abandon on a transient failure so
 * the broker redelivers. While Temporal is unreachable the {@link IntakeCircuit} is open and each handler holds its
 * message instead (lock renewed), so an outage neither burns deliveries nor lets the intake take more messages; on a
 * message's last delivery ({@code maxDeliveryCount}) the intake dead-letters it itself, with a `rejected` event,
 * rather than leave the broker to dead-letter it silently. Nothing thrown here stops the processor.
 *
 * <p>A settlement is given up after {@code settleTimeout}: after a dropped connection the client (7.17.19) can leave
 * one unanswered for good, and a handler blocked on it would hold a processor slot and keep renewing the message's
 * lock. Given up, the handler returns, the lock lapses and the broker redelivers the message, which then meets its
 * own run (or is refused again) and is settled on the new connection.
 */
@Singleton
@Requires(property = "cmkflow.intake.enabled", notEquals = "false")
public class RequestIntake implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RequestIntake.class);

    private final IntakeService service;
    private final IntakeCircuit circuit;
    private final IntakeMetrics metrics;
    private final ServiceBusProcessorClient processor;
    private final String queue;
    private final Duration settleTimeout;
    private final Duration holdLimit;
    private final int maxDeliveryCount;
    private final ExecutorService settlements = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "intake-settlement");
        thread.setDaemon(true);
        return thread;
    });

    public RequestIntake(ServiceBusClientBuilder clients, IntakeSettings settings, IntakeService service, IntakeCircuit circuit,
                         IntakeMetrics metrics) {
        this.service = service;
        this.circuit = circuit;
        this.metrics = metrics;
        this.queue = settings.requestQueue();
        this.settleTimeout = settings.settleTimeout();
        // Settled before the processor stops renewing the lock, so the settlement still holds it.
        this.holdLimit = settings.maxLockRenewal().minus(settleTimeout).isNegative() ? Duration.ZERO
                : settings.maxLockRenewal().minus(settleTimeout);
        this.maxDeliveryCount = settings.maxDeliveryCount();
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
    }

    /** Starts taking messages once the application is up (not in the constructor: the context may still be starting). */
    @EventListener
    void onStartup(StartupEvent started) {
        start();
    }

    public void start() {
        processor.start();
        log.info("Intake listening on queue {}", queue);
    }

    private void onMessage(ServiceBusReceivedMessageContext context) {
        ServiceBusReceivedMessage message = context.getMessage();
        metrics.received();
        IntakeDecision decision;
        try {
            decision = decide(message, incoming(message), System.nanoTime() + holdLimit.toNanos());
        } catch (InterruptedException stopping) {
            // Shutting down: the lock lapses and the broker redelivers the message to another replica.
            Thread.currentThread().interrupt();
            return;
        }
        if (decision instanceof IntakeDecision.DeadLetter deadLetter) {
            metrics.deadLettered(deadLetter.reason());
            settle(message, "dead-letter", () -> context.deadLetter(new DeadLetterOptions()
                    .setDeadLetterReason(deadLetter.reason().name())
                    .setDeadLetterErrorDescription(deadLetter.description())));
        } else if (decision instanceof IntakeDecision.Complete complete) {
            metrics.completed(complete);
            settle(message, "complete", context::complete);
        } else {
            metrics.abandoned();
            settle(message, "abandon", context::abandon);
        }
    }

    /**
     * Handles the message, holding it while the circuit is open (until {@code holdUntil}, a {@link System#nanoTime}
     * deadline within its lock renewal). A transient failure abandons it for redelivery, except on its last delivery:
     * there the broker would dead-letter it with no `rejected` event, so the intake dead-letters it with one.
     */
    private IntakeDecision decide(ServiceBusReceivedMessage message, IncomingRequest incoming, long holdUntil)
            throws InterruptedException {
        IntakeService.Admission admission = service.admit(incoming);
        if (admission.rejected() != null) {
            return admission.rejected();
        }
        while (true) {
            if (!circuit.awaitClosed(Duration.ofNanos(Math.max(0, holdUntil - System.nanoTime())))) {
                String why = "Temporal stayed unreachable for the " + holdLimit + " the intake holds a message ("
                        + circuit.lastError().orElse("no answer") + ")";
                return lastDelivery(message) ? service.giveUp(incoming, RejectionReason.TemporalUnavailable, why)
                        : abandon(message, why);
            }
            try {
                return service.start(incoming, admission.input());
            } catch (RuntimeException failure) {
                if (IntakeCircuit.unreachable(failure)) {
                    circuit.open(failure);
                    continue;
                }
                return lastDelivery(message) ? service.giveUp(incoming, RejectionReason.StartFailed, failure.toString())
                        : abandon(message, failure.toString());
            }
        }
    }

    private static IntakeDecision abandon(ServiceBusReceivedMessage message, String why) {
        log.warn("message {} abandoned for redelivery (delivery {}): {}", message.getMessageId(),
                message.getDeliveryCount() + 1, why);
        return new IntakeDecision.Abandon(why);
    }

    /** The client counts earlier deliveries (0 on the first); the broker dead-letters after MaxDeliveryCount of them. */
    private boolean lastDelivery(ServiceBusReceivedMessage message) {
        return message.getDeliveryCount() + 1 >= maxDeliveryCount;
    }

    private static IncomingRequest incoming(ServiceBusReceivedMessage message) {
        try {
            return new IncomingRequest(message.getMessageId(), message.getContentType(), message.getReplyTo(),
                    MessageBodies.requestBytes(message));
        } catch (MessageBodies.UnreadableBody unreadable) {
            return new IncomingRequest(message.getMessageId(), message.getContentType(), message.getReplyTo(), null,
                    unreadable.getMessage());
        }
    }

    /** Runs one settlement, waiting at most {@code settleTimeout}; a failed or unanswered one leaves the message to redelivery. */
    private void settle(ServiceBusReceivedMessage message, String settlement, Runnable call) {
        Future<?> pending = settlements.submit(call);
        try {
            pending.get(settleTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException unanswered) {
            pending.cancel(true);
            log.warn("message {}: {} not acknowledged within {}; it is redelivered when its lock lapses",
                    message.getMessageId(), settlement, settleTimeout);
        } catch (ExecutionException failed) {
            log.warn("message {}: {} failed, it is redelivered when its lock lapses: {}", message.getMessageId(), settlement,
                    failed.getCause().toString());
        } catch (InterruptedException stopping) {
            pending.cancel(true);
            Thread.currentThread().interrupt();
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
        settlements.shutdownNow();
    }
}
