package io.cmkflow.request;

import io.cmkflow.workflow.CmkWorkflowStarter;

import java.util.List;

/** What the intake does with one message once it has been handled. */
public sealed interface IntakeDecision {

    /** A run was started, or one for this very request exists: settle the message. */
    record Complete(String requestId, CmkWorkflowStarter.StartResult start) implements IntakeDecision {
    }

    /**
     * The request must never run: dead-letter with a stable reason and a description naming field and rule; the
     * violations one by one for callers that answer with them (the operator API), empty when no field is at fault.
     * {@code requestId} is the body's request id, or the message id when the body has none or was too large to read.
     */
    record DeadLetter(String requestId, RejectionReason reason, String description, List<Violation> violations)
            implements IntakeDecision {
    }

    /** A transient failure: abandon the message so the broker redelivers it. */
    record Abandon(String why) implements IntakeDecision {
    }
}
