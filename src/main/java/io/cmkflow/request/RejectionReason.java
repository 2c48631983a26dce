package io.cmkflow.request;

/** Stable codes put in DeadLetterReason and in `rejected` status events; upstream systems may switch on them. */
public enum RejectionReason {
    /** The body is not JSON (or not a JSON object). */
    MalformedJson,
    /** The body breaks request.schema.json. */
    SchemaViolation,
    /** The body passes the schema but breaks a rule the schema cannot express (README: "Rules beyond the schema"). */
    RuleViolation,
    /** The body is larger than the intake accepts. */
    MessageTooLarge,
    /** The message's content type is set and is not application/json. */
    UnsupportedContentType,
    /** The body section cannot hold a request (an AMQP sequence, or a value that is neither a string nor binary). */
    UnsupportedBody,
    /** Another request for the same workspace has a run in flight. */
    TargetBusy,
    /** Temporal stayed unreachable through the message's last delivery (the queue's MaxDeliveryCount). */
    TemporalUnavailable,
    /** Starting the run failed on the message's last delivery for another reason than Temporal being unreachable. */
    StartFailed
}
