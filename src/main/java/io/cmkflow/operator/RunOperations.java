package io.cmkflow.operator;

import io.cmkflow.workflow.CmkRunState;

import java.util.List;

/**
 * The on-call actions the CLI's run commands perform, whichever way they reach the runs: Temporal directly
 * ({@link RunControl}) or the operator API ({@link OperatorApiClient}). Refusals are {@link RunControlException}s.
 */
public interface RunOperations {
    /** Up to {@code limit} runs matching {@code query}, newest first. */
    List<RunControl.RunSummary> list(RunQuery query, int limit);

    /** Up to {@code limit} workspaces under a posture schedule, with their last check. */
    List<RunControl.WorkspacePosture> workspaces(int limit);

    /** The run's state query; {@link RunNotFoundException} when no run has this id. */
    CmkRunState state(String workflowId);

    /** The workflow's answer to the {@code retry} update. */
    String retry(String workflowId, String reason);

    /** The workflow's answer to the {@code abort} update. */
    String abort(String workflowId, String reason);

    /** Requests cancellation with {@code reason}; answers what happens next. */
    String cancel(String workflowId, String reason);

    /** The operations of {@code control}: Temporal directly. */
    static RunOperations of(RunControl control) {
        return new RunOperations() {
            @Override
            public List<RunControl.RunSummary> list(RunQuery query, int limit) {
                return control.list(query, limit);
            }

            @Override
            public List<RunControl.WorkspacePosture> workspaces(int limit) {
                return control.workspaces(limit);
            }

            @Override
            public CmkRunState state(String workflowId) {
                return control.state(workflowId);
            }

            @Override
            public String retry(String workflowId, String reason) {
                return control.retry(workflowId, reason);
            }

            @Override
            public String abort(String workflowId, String reason) {
                return control.abort(workflowId, reason);
            }

            @Override
            public String cancel(String workflowId, String reason) {
                control.cancel(workflowId, reason);
                return CANCEL_REQUESTED;
            }
        };
    }

    String CANCEL_REQUESTED = "cancellation requested: the run compensates what it created and ends Cancelled";
}
