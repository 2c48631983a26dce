package io.cmkflow.testing;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.PostureScheduling;
import io.cmkflow.workflow.WorkflowIds;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Posture scheduling for workers on the Java SDK's test server, which has no Schedule API: {@link #OFF} as
 * {@code cmkflow.posture.enabled=false} answers, or a recording of what the workflow asked to schedule. The real
 * schedules are tested on the dev server.
 */
public class TestPostureScheduling implements PostureScheduling {

    /** Schedules nothing, repairs nothing. */
    public static final PostureScheduling OFF = new TestPostureScheduling() {
        @Override
        public String schedulePostureCheck(CmkRequest request, ManagedWorkspace managed) {
            return null;
        }
    };

    /** What each call was asked to schedule, in order. */
    public final List<ManagedWorkspace> scheduled = new CopyOnWriteArrayList<>();
    /** Starts the repairs posture checks ask for when set (as {@code cmkflow.posture.repair=true}); null: repairs off. */
    public volatile CmkWorkflowStarter repairs;

    /** The posture schedules each call was asked to remove, in order. */
    public final List<String> removed = new CopyOnWriteArrayList<>();

    @Override
    public void removePostureCheck(CmkRequest request) {
        removed.add(WorkflowIds.forPosture(request));
    }

    @Override
    public String startKeyAccessRepair(CmkRequest create, String requestId) {
        CmkWorkflowStarter starter = repairs;
        return starter == null ? null : starter.startKeyAccessRepair(create, requestId);
    }

    @Override
    public String schedulePostureCheck(CmkRequest request, ManagedWorkspace managed) {
        scheduled.add(managed);
        return WorkflowIds.forPosture(request);
    }
}
