package io.cmkflow.temporal;

import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.cmkflow.workflow.PostureScheduling;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
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
    PostureScheduling postureScheduling(WorkflowServiceStubs stubs, TemporalSettings temporal, CmkWorkflowStarter starter,
                                        PostureSettings settings) {
        return new TemporalPostureSchedules(ScheduleClient.newInstance(stubs,
                ScheduleClientOptions.newBuilder().setNamespace(temporal.namespace()).build()), starter, settings);
    }
}
