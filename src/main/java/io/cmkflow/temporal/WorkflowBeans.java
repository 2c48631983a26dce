package io.cmkflow.temporal;

import io.cmkflow.workflow.CmkPostureInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.cmkflow.workflow.PostureScheduling;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;

/** The workflow's own objects that are not Micronaut beans by themselves. */
@Factory
public class WorkflowBeans {

    @Singleton
    CmkWorkflowStarter cmkWorkflowStarter(WorkflowClient client) {
        return new CmkWorkflowStarter(client, CmkWorkflowWorker.TASK_QUEUE);
    }

    @Singleton
    PostureScheduling postureScheduling(WorkflowClient client, CmkWorkflowStarter starter, PostureSettings settings) {
        return new TemporalPostureSchedules(CmkPostureInput.schedules(client), starter, settings);
    }
}
