package io.cmkflow.contract;

import java.util.Map;

/**
 * Who owns what a run creates. Every resource a run creates carries these tags; undo operations refuse a
 * resource whose tags do not name this run, so pre-existing or adopted resources are never removed.
 */
public record Ownership(String requestId, String workflowId) {
    public static final String TAG_REQUEST_ID = "cmkflow-request-id";
    public static final String TAG_WORKFLOW_ID = "cmkflow-workflow-id";
    public static final String TAG_MANAGED_BY = "managed-by";
    public static final String MANAGED_BY = "cmkflow";

    public Map<String, String> tags() {
        return Map.of(TAG_REQUEST_ID, requestId, TAG_WORKFLOW_ID, workflowId, TAG_MANAGED_BY, MANAGED_BY);
    }

    /** True when {@code tags} name this run (request id and workflow id). */
    public boolean owns(Map<String, String> tags) {
        return tags != null && requestId.equals(tags.get(TAG_REQUEST_ID)) && workflowId.equals(tags.get(TAG_WORKFLOW_ID));
    }

    /** True when {@code tags} carry cmkflow's marks, whatever run or target made them. */
    public static boolean madeByCmkflow(Map<String, String> tags) {
        return tags != null && MANAGED_BY.equals(tags.get(TAG_MANAGED_BY));
    }

    /**
     * True when {@code tags} are cmkflow's for this run's target, whatever request made them: the workflow id is
     * derived from the target workspace (used to bring back only this target's soft-deleted vault or key).
     */
    public boolean sameTarget(Map<String, String> tags) {
        return madeByCmkflow(tags) && workflowId.equalsIgnoreCase(tags.get(TAG_WORKFLOW_ID));
    }
}
