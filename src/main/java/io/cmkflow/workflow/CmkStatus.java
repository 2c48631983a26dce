package io.cmkflow.workflow;

/** A run's status as operators see it in the {@code CmkStatus} search attribute and the {@code state} query. */
public enum CmkStatus {
    Running,
    /** A step exhausted its retries or failed non-retryably; the run waits for an operator's retry, abort or cancel. */
    AwaitingOperator,
    Compensating,
    Succeeded,
    /** The run ended without provisioning and without a complete undo (bad request, or an undo step failed). */
    Failed,
    /** The run ended without provisioning after undoing everything it created (abort or park timeout). */
    Compensated,
    /** The run was cancelled; what it created was undone first. */
    Cancelled
}
