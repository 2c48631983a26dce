package io.cmkflow.workflow;

import io.temporal.worker.Worker;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerOptions;

/** Registers the CMK workspace and posture workflows and their activities on the task queue the starter uses. */
public final class CmkWorkflowWorker {

    public static final String TASK_QUEUE = "cmk-workspace";

    private CmkWorkflowWorker() {
    }

    /**
     * Creates the worker for {@link #TASK_QUEUE} on {@code factory} with {@code options}, the workflow and the given
     * activity implementations. The caller starts the factory.
     */
    public static Worker register(WorkerFactory factory, WorkerOptions options, ProvisioningActivities provisioning,
                                  CompensationActivities compensation, StatusPublisher statusPublisher,
                                  PostureScheduling postureScheduling, PostureActivities posture) {
        Worker worker = factory.newWorker(TASK_QUEUE, options);
        worker.registerWorkflowImplementationTypes(CmkWorkspaceWorkflowImpl.class, CmkPostureWorkflowImpl.class);
        worker.registerActivitiesImplementations(provisioning, compensation, statusPublisher, postureScheduling, posture);
        return worker;
    }
}
