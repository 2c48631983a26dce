package io.cmkflow.request;

import io.cmkflow.workflow.CmkWorkflowStarter;

/** What the intake does with one message once it has been handled. */
public sealed interface IntakeDecision {

    /** A run was started, or one for this very request exists: settle the message. */
    record Complete(CmkWorkflowStarter.StartResult start) implements IntakeDecision {
    }

    /** The request must never run: dead-letter with a stable reason and a description naming field and rule. */
    record DeadLetter(RejectionReason reason, String description) implements IntakeDecision {
    }

    /** A transient failure: abandon the message so the broker redelivers it. */
    record Abandon(String why) implements IntakeDecision {
    }
}
