package io.cmkflow.operator;

/** Temporal knows no run under the workflow id (neither open nor ended). */
public class RunNotFoundException extends RunControlException {
    public RunNotFoundException(String workflowId) {
        super("no run " + workflowId + " (Temporal knows no workflow with this id)");
    }
}
