package io.cmkflow.temporal;

import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.workflow.CmkPostureInput;
import io.cmkflow.workflow.CmkPostureWorkflow;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.cmkflow.workflow.PostureScheduling;
import io.cmkflow.workflow.WorkflowIds;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.ScheduleOverlapPolicy;
import io.temporal.failure.ApplicationFailure;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.Schedule;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleAlreadyRunningException;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleException;
import io.temporal.client.schedules.ScheduleIntervalSpec;
import io.temporal.client.schedules.ScheduleOptions;
import io.temporal.client.schedules.SchedulePolicy;
import io.temporal.client.schedules.ScheduleSpec;
import io.temporal.client.schedules.ScheduleUpdate;
import io.temporal.common.SearchAttributes;

import java.util.List;

/**
 * One Temporal Schedule per workspace cmkflow created, {@code cmk-posture/<subscription>/<group>/<workspace>}: it
 * starts a {@link CmkPostureWorkflow} every {@code cmkflow.posture.interval} (a check still running skips the next),
 * with the workspace's record as its argument. A schedule is Temporal's, not a run's: it outlives the namespace's
 * retention of the create run and survives worker restarts.
 */
public class TemporalPostureSchedules implements PostureScheduling {

    private final ScheduleClient schedules;
    private final CmkWorkflowStarter starter;
    private final PostureSettings settings;

    public TemporalPostureSchedules(ScheduleClient schedules, CmkWorkflowStarter starter, PostureSettings settings) {
        this.schedules = schedules;
        this.starter = starter;
        this.settings = settings;
    }

    @Override
    public String startKeyAccessRepair(CmkRequest create, String requestId) {
        return settings.repair() ? starter.startKeyAccessRepair(create, requestId) : null;
    }

    @Override
    public void removePostureCheck(CmkRequest request) {
        try {
            schedules.getHandle(WorkflowIds.forPosture(request)).delete();
        } catch (ScheduleException | StatusRuntimeException failure) {
            Throwable cause = failure instanceof ScheduleException ? failure.getCause() : failure;
            if (!(cause instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.NOT_FOUND)) {
                throw failure;
            }
        }
    }

    @Override
    public String schedulePostureCheck(CmkRequest request, ManagedWorkspace managed) {
        if (!settings.enabled()) {
            return null;
        }
        String id = WorkflowIds.forPosture(request);
        Schedule schedule = Schedule.newBuilder()
                .setAction(ScheduleActionStartWorkflow.newBuilder()
                        .setWorkflowType(CmkPostureWorkflow.class)
                        .setArguments(new CmkPostureInput(request, managed, settings.expiryThreshold()))
                        .setOptions(WorkflowOptions.newBuilder()
                                .setWorkflowId(id)
                                .setTaskQueue(CmkWorkflowWorker.TASK_QUEUE)
                                .setTypedSearchAttributes(SearchAttributes.newBuilder()
                                        .set(CmkSearchAttributes.SUBSCRIPTION_ID, request.subscriptionId())
                                        .set(CmkSearchAttributes.WORKSPACE, request.workspace().name())
                                        .build())
                                .build())
                        .build())
                .setSpec(ScheduleSpec.newBuilder()
                        .setIntervals(List.of(new ScheduleIntervalSpec(settings.interval()))).build())
                .setPolicy(SchedulePolicy.newBuilder().setOverlap(ScheduleOverlapPolicy.SCHEDULE_OVERLAP_POLICY_SKIP).build())
                .build();
        try {
            schedules.createSchedule(id, schedule, ScheduleOptions.newBuilder().build());
        } catch (ScheduleAlreadyRunningException exists) {
            // A retried activity, or a later create of the same workspace: the schedule becomes this one.
            schedules.getHandle(id).update(current -> new ScheduleUpdate(schedule));
        } catch (ScheduleException | StatusRuntimeException failure) {
            Throwable cause = failure instanceof ScheduleException ? failure.getCause() : failure;
            if (cause instanceof StatusRuntimeException status && status.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                // Retrying cannot give a server the Schedule API it lacks (the Java SDK's test server has none).
                throw ApplicationFailure.newNonRetryableFailure("the Temporal server has no Schedule API: "
                        + status.getStatus().getDescription(), AzureErrorClass.NON_RETRYABLE.name());
            }
            throw failure;
        }
        return id;
    }
}
