package io.cmkflow.testing;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.workflow.PostureScheduling;
import io.cmkflow.workflow.WorkflowIds;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Posture scheduling for workers on the Java SDK's test server, which has no Schedule API: {@link #OFF} as
 * {@code cmkflow.posture.enabled=false} answers, or a recording of what the workflow asked to schedule. The real
 * schedules are tested on the dev server.
 */
public final class TestPostureScheduling implements PostureScheduling {

    public static final PostureScheduling OFF = (request, managed) -> null;

    /** What each call was asked to schedule, in order. */
    public final List<ManagedWorkspace> scheduled = new CopyOnWriteArrayList<>();

    @Override
    public String schedulePostureCheck(CmkRequest request, ManagedWorkspace managed) {
        scheduled.add(managed);
        return WorkflowIds.forPosture(request);
    }
}
