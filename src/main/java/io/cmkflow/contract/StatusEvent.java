package io.cmkflow.contract;

import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A milestone of a run, as upstream systems receive it (schema: workflows/cmk-workspace/status-event.schema.json).
 * {@code eventId} is unique per event and stable across activity retries, so a resend is dropped by duplicate detection;
 * {@code temporalUiUrl} links the run's page in the Temporal UI.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record StatusEvent(
        String eventId,
        String requestId,
        String workflowId,
        Type type,
        String status,
        String step,
        String message,
        String occurredAt,
        Map<String, String> resources,
        String replyTo,
        String temporalUiUrl) {

    /** An event as the workflow makes it: the worker adds the run's Temporal UI link when it sends it. */
    public StatusEvent(String eventId, String requestId, String workflowId, Type type, String status, String step,
                       String message, String occurredAt, Map<String, String> resources, String replyTo) {
        this(eventId, requestId, workflowId, type, status, step, message, occurredAt, resources, replyTo, null);
    }

    public StatusEvent withTemporalUiUrl(String url) {
        return new StatusEvent(eventId, requestId, workflowId, type, status, step, message, occurredAt, resources, replyTo, url);
    }

    public enum Type {
        accepted,
        rejected,
        step_done,
        awaiting_operator,
        succeeded,
        failed,
        compensated,
        cancelled,
        /** A posture check's result for a workspace cmkflow created ({@code status} is its posture). */
        posture
    }
}
