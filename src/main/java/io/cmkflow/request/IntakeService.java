package io.cmkflow.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.RequestRules;
import io.cmkflow.contract.RunLogKeys;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.contract.StatusEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Decides what one request message becomes: a run (started or recognised as a duplicate) or a dead-letter with a
 * `rejected` status event. Transient failures of the start (Temporal unreachable or failing) propagate to the
 * intake, which holds or abandons the message.
 */
@Singleton
public class IntakeService implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntakeService.class);
    private static final Duration FIRST_RESEND_PAUSE = Duration.ofMillis(200);
    private static final Duration MAX_RESEND_PAUSE = Duration.ofSeconds(5);

    private final RequestValidator validator;
    private final CmkWorkflowStarter starter;
    private final StatusEventSender events;
    private final IntakeSettings settings;
    private final ObjectMapper mapper;
    private final ExecutorService sends = Executors.newCachedThreadPool(runnable -> {
        Thread thread = new Thread(runnable, "intake-rejected-event");
        thread.setDaemon(true);
        return thread;
    });

    public IntakeService(RequestValidator validator, CmkWorkflowStarter starter, StatusEventSender events, IntakeSettings settings,
                         ObjectMapper mapper) {
        this.mapper = mapper;
        this.validator = validator;
        this.starter = starter;
        this.events = events;
        this.settings = settings;
    }

    /**
     * Checks the message without Temporal: the run input to start, or the dead-letter (its `rejected` event sent) of
     * a request that must never run. The intake decides this before it waits for an open circuit, so bad input is
     * refused during an outage too.
     */
    public Admission admit(IncomingRequest message) {
        try {
            CmkRequest request = validate(message);
            String replyTo = events.allowedReplyTo(request.requestId(), message.replyTo());
            return new Admission(new CmkWorkflowInput(request, replyTo, null, settings.activityTimeoutCap(), null, null), null);
        } catch (RequestRejectedException rejected) {
            return new Admission(null, reject(message, null, rejected.reason(), rejected.description(), rejected.violations()));
        }
    }

    /** Admits and starts in one go, for a caller that holds no message (the operator API); Temporal failures propagate. */
    public IntakeDecision handle(IncomingRequest message) {
        Admission admission = admit(message);
        return admission.rejected() != null ? admission.rejected() : start(message, admission.input());
    }

    /** Starts the admitted run; a failure to reach or use Temporal propagates (the intake holds or abandons the message). */
    public IntakeDecision start(IncomingRequest message, CmkWorkflowInput input) {
        CmkWorkflowStarter.StartResult start = starter.start(input);
        if (start.outcome() == CmkWorkflowStarter.Outcome.REFUSED) {
            // Refused before any Azure call, like a rule the request alone breaks: the target's records break it.
            InvalidRequestException refusal = start.refusal();
            RequestRejectedException rejected = new RequestRejectedException(RejectionReason.RuleViolation, List.of(
                    new Violation(RequestValidator.pointer(refusal.field()), refusal.rule(), refusal.getMessage())));
            return reject(message, start.workflowId(), rejected.reason(), rejected.description(), rejected.violations());
        }
        if (start.outcome() == CmkWorkflowStarter.Outcome.TARGET_BUSY) {
            return reject(message, start.workflowId(), RejectionReason.TargetBusy,
                    "workflow " + start.workflowId() + " is running request " + start.existingRequestId()
                            + " for the same workspace; resend when it has finished", List.of());
        }
        try (var workflow = MDC.putCloseable(RunLogKeys.WORKFLOW_ID, start.workflowId());
             var run = MDC.putCloseable(RunLogKeys.RUN_ID, start.runId())) {
            log.info("message {} -> {} {} (run {})", RequestRules.printable(message.messageId()), start.outcome(), start.workflowId(),
                    start.runId());
        }
        return new IntakeDecision.Complete(input.request().requestId(), start);
    }

    /** What {@link #admit} made of a message: the input to start, or the dead-letter decision. */
    public record Admission(CmkWorkflowInput input, IntakeDecision.DeadLetter rejected) {
    }

    private CmkRequest validate(IncomingRequest message) throws RequestRejectedException {
        if (message.unreadableBody() != null) {
            throw new RequestRejectedException(RejectionReason.UnsupportedBody, List.of(new Violation("", "body",
                    "the message body is " + message.unreadableBody())));
        }
        if (message.contentType() != null && !message.contentType().isBlank()
                && !message.contentType().toLowerCase(Locale.ROOT).startsWith("application/json")) {
            throw new RequestRejectedException(RejectionReason.UnsupportedContentType, List.of(new Violation("", "content-type",
                    "content type must be application/json, got " + message.contentType())));
        }
        if (message.body().length > settings.maxMessageBytes()) {
            throw new RequestRejectedException(RejectionReason.MessageTooLarge, List.of(new Violation("", "max-size",
                    "body has " + message.body().length + " bytes, at most " + settings.maxMessageBytes() + " are accepted")));
        }
        return validator.validate(message.body());
    }

    /**
     * Dead-letters a request the intake could not start on its last delivery ({@code reason} says why), with its
     * `rejected` event, so it does not reach the broker's own dead-lettering without one.
     */
    public IntakeDecision giveUp(IncomingRequest message, RejectionReason reason, String description) {
        return reject(message, null, reason, description + " on delivery " + settings.maxDeliveryCount() + " of "
                + settings.maxDeliveryCount() + "; resend the request once the cause is fixed", List.of());
    }

    /**
     * Publishes the `rejected` event before the caller dead-letters: a redelivery re-sends the same event id, which
     * duplicate detection drops. While the status queue does not take it, the send is retried for at most {@code
     * statusEventTimeout}; then the message is dead-lettered anyway, its description saying the event is missing.
     */
    private IntakeDecision.DeadLetter reject(IncomingRequest message, String workflowId, RejectionReason reason, String description,
                                             List<Violation> violations) {
        // A body over the size limit is not parsed at all, not even for its request id: the message id stands in.
        String requestId = reason == RejectionReason.MessageTooLarge ? message.messageId() : message.requestIdOrMessageId(mapper);
        // The message id and the description (schema messages quote property names) come from the publisher.
        log.warn("message {} (request {}) rejected: {}: {}", RequestRules.printable(message.messageId()), requestId, reason,
                RequestRules.printable(description));
        StatusEvent rejected = new StatusEvent("rejected-" + message.messageId(), requestId, workflowId, StatusEvent.Type.rejected,
                "Rejected", "validate", reason + ": " + description, Instant.now().toString(), null, message.replyTo());
        return new IntakeDecision.DeadLetter(requestId, reason, sendWithinBound(rejected)
                .map(failure -> description + " (the rejected event could not be sent to the status queue within "
                        + settings.statusEventTimeout() + ": " + failure + ")")
                .orElse(description), violations);
    }

    /** Sends {@code event}, retrying with backoff until {@code statusEventTimeout}; the last failure, or empty once sent. */
    private Optional<String> sendWithinBound(StatusEvent event) {
        long deadline = System.nanoTime() + settings.statusEventTimeout().toNanos();
        Duration pause = FIRST_RESEND_PAUSE;
        while (true) {
            Future<?> attempt = sends.submit(() -> events.send(event));
            String failure;
            try {
                attempt.get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                return Optional.empty();
            } catch (ExecutionException failed) {
                failure = failed.getCause().toString();
            } catch (TimeoutException unanswered) {
                attempt.cancel(true);
                return Optional.of("Service Bus did not acknowledge the send");
            } catch (InterruptedException stopping) {
                attempt.cancel(true);
                Thread.currentThread().interrupt();
                return Optional.of("the intake is stopping");
            }
            if (deadline - System.nanoTime() <= pause.toNanos()) {
                return Optional.of(failure);
            }
            log.warn("rejected event {} not sent, retrying in {}: {}", event.eventId(), pause, failure);
            try {
                Thread.sleep(pause.toMillis());
            } catch (InterruptedException stopping) {
                Thread.currentThread().interrupt();
                return Optional.of(failure);
            }
            pause = pause.multipliedBy(2).compareTo(MAX_RESEND_PAUSE) > 0 ? MAX_RESEND_PAUSE : pause.multipliedBy(2);
        }
    }

    @PreDestroy
    @Override
    public void close() {
        sends.shutdownNow();
    }
}
