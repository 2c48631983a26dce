package io.cmkflow.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.RunLogKeys;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.contract.StatusEvent;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * Decides what one request message becomes: a run (started or recognised as a duplicate) or a dead-letter with a
 * `rejected` status event. Transient failures (Temporal unreachable, Service Bus send failing) propagate, so the
 * listener abandons the message and the broker redelivers it.
 */
@Singleton
public class IntakeService {
    private static final Logger log = LoggerFactory.getLogger(IntakeService.class);

    private final RequestValidator validator;
    private final CmkWorkflowStarter starter;
    private final StatusEventSender events;
    private final IntakeSettings settings;
    private final ObjectMapper mapper;

    public IntakeService(RequestValidator validator, CmkWorkflowStarter starter, StatusEventSender events, IntakeSettings settings,
                         ObjectMapper mapper) {
        this.mapper = mapper;
        this.validator = validator;
        this.starter = starter;
        this.events = events;
        this.settings = settings;
    }

    public IntakeDecision handle(IncomingRequest message) {
        CmkWorkflowStarter.StartResult start;
        try {
            CmkRequest request = validate(message);
            String replyTo = events.allowedReplyTo(request.requestId(), message.replyTo());
            start = starter.start(new CmkWorkflowInput(request, replyTo, null, settings.activityTimeoutCap()));
        } catch (RequestRejectedException rejected) {
            return reject(message, null, rejected.reason(), rejected.description(), rejected.violations());
        }
        if (start.outcome() == CmkWorkflowStarter.Outcome.TARGET_BUSY) {
            return reject(message, start.workflowId(), RejectionReason.TargetBusy,
                    "workflow " + start.workflowId() + " is running request " + start.existingRequestId()
                            + " for the same workspace; resend when it has finished", List.of());
        }
        try (var workflow = MDC.putCloseable(RunLogKeys.WORKFLOW_ID, start.workflowId());
             var run = MDC.putCloseable(RunLogKeys.RUN_ID, start.runId())) {
            log.info("message {} -> {} {} (run {})", message.messageId(), start.outcome(), start.workflowId(), start.runId());
        }
        return new IntakeDecision.Complete(start);
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

    /** Publishes the `rejected` event before the caller dead-letters: a redelivery re-sends the same event id, which duplicate detection drops. */
    private IntakeDecision reject(IncomingRequest message, String workflowId, RejectionReason reason, String description,
                                  List<Violation> violations) {
        String requestId = message.requestIdOrMessageId(mapper);
        log.warn("message {} (request {}) rejected: {}: {}", message.messageId(), requestId, reason, description);
        events.send(new StatusEvent("rejected-" + message.messageId(), requestId, workflowId, StatusEvent.Type.rejected,
                "Rejected", "validate", reason + ": " + description, Instant.now().toString(), null, message.replyTo()));
        return new IntakeDecision.DeadLetter(reason, description, violations);
    }
}
