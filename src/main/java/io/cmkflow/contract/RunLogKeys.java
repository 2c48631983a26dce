package io.cmkflow.contract;

/** The MDC keys that tie a log line to a run: the ones the Temporal SDK sets in workflow and activity threads. */
public final class RunLogKeys {
    public static final String WORKFLOW_ID = "WorkflowId";
    public static final String RUN_ID = "RunId";

    private RunLogKeys() {
    }
}
