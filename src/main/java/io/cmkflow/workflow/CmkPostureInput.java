package io.cmkflow.workflow;

import io.temporal.client.WorkflowClient;
import io.temporal.client.schedules.ScheduleActionStartWorkflow;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleClientOptions;
import io.temporal.client.schedules.ScheduleDescription;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;

import java.time.Duration;

/**
 * What a posture schedule starts {@link CmkPostureWorkflow} with: the create request (its subscription, tenant, vault
 * and identity), the workspace as its create run recorded it, and how soon a key expiry counts as a risk. The schedule
 * keeps it, so it outlives Temporal's retention of the create run.
 */
public record CmkPostureInput(CmkRequest request, ManagedWorkspace managed, Duration expiryThreshold) {

    /** The input {@code schedule} (a workspace's posture schedule) starts its checks with. */
    public static CmkPostureInput of(ScheduleDescription schedule) {
        return ((ScheduleActionStartWorkflow) schedule.getSchedule().getAction()).getArguments().get(0, CmkPostureInput.class);
    }

    /** A client of the Schedule API in {@code client}'s namespace, where the posture schedules are. */
    public static ScheduleClient schedules(WorkflowClient client) {
        return ScheduleClient.newInstance(client.getWorkflowServiceStubs(),
                ScheduleClientOptions.newBuilder().setNamespace(client.getOptions().getNamespace()).build());
    }
}
