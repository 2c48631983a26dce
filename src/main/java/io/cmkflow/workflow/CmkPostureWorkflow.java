package io.cmkflow.workflow;

import io.cmkflow.contract.PostureReport;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;

/**
 * One CMK posture check of a workspace cmkflow created, started by the workspace's posture schedule: a read-only
 * check, its result as the {@code CmkPosture} search attribute and a {@code posture} status event.
 */
@WorkflowInterface
public interface CmkPostureWorkflow {

    String TYPE = "CmkPosture";

    @WorkflowMethod(name = TYPE)
    PostureReport check(CmkPostureInput input);
}
