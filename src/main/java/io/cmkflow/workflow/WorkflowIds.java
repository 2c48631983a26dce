package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;

import java.util.Locale;

/**
 * Workflow ids derived from the target workspace, so two runs can never work on one workspace at the same time.
 * Azure resource ids and names are case-insensitive, hence the lower-casing.
 */
public final class WorkflowIds {

    private WorkflowIds() {
    }

    public static String forTarget(String subscriptionId, String resourceGroup, String workspaceName) {
        return ("cmk-workspace/" + subscriptionId + "/" + resourceGroup + "/" + workspaceName).toLowerCase(Locale.ROOT);
    }

    /** What every posture schedule's id starts with. */
    public static final String POSTURE_PREFIX = "cmk-posture/";

    /** The posture schedule of a workspace (its checks' workflow ids start with it). */
    public static String forPosture(CmkRequest request) {
        return (POSTURE_PREFIX + request.subscriptionId() + "/" + request.resourceGroup() + "/" + request.workspace().name())
                .toLowerCase(Locale.ROOT);
    }

    public static String forRequest(CmkRequest request) {
        return forTarget(request.subscriptionId(), request.resourceGroup(), request.workspace().name());
    }
}
