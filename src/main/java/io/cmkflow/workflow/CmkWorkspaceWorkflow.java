package io.cmkflow.workflow;

import io.temporal.workflow.QueryMethod;
import io.temporal.workflow.UpdateMethod;
import io.temporal.workflow.UpdateValidatorMethod;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * Works on one CMK-encrypted Azure Machine Learning workspace as its request's operation says: provisions it (steps 1-6
 * of workflows/cmk-workspace/README.md) or changes its key (a key rotation, steps 1-4); parks for an operator when a
 * step cannot succeed, and undoes what it did on abort, park timeout or cancellation.
 */
@WorkflowInterface
public interface CmkWorkspaceWorkflow {

    String TYPE = "CmkWorkspace";

    /** Runs the procedure; returns the final state on success, fails (status Compensated/Failed) or is cancelled otherwise. */
    @WorkflowMethod(name = TYPE)
    CmkRunState provision(CmkWorkflowInput input);

    /** The run's full state (works on closed runs too). */
    @QueryMethod(name = "state")
    CmkRunState state();

    /** Re-runs the step the run is parked on. Accepted only while the run is AwaitingOperator. */
    @UpdateMethod(name = "retry")
    String retry(String reason);

    @UpdateValidatorMethod(updateName = "retry")
    void validateRetry(String reason);

    /** Gives up a parked run: compensates and ends it Failed with status Compensated. Accepted only while AwaitingOperator. */
    @UpdateMethod(name = "abort")
    String abort(String reason);

    @UpdateValidatorMethod(updateName = "abort")
    void validateAbort(String reason);
}
