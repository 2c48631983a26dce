package io.cmkflow.contract;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who owns what a run creates. Every resource a run creates carries these tags; undo operations refuse a
 * resource whose tags do not name this run, so pre-existing or adopted resources are never removed.
 */
public record Ownership(String requestId, String workflowId) {
    public static final String TAG_REQUEST_ID = "cmkflow-request-id";
    public static final String TAG_WORKFLOW_ID = "cmkflow-workflow-id";
    public static final String TAG_MANAGED_BY = "managed-by";
    public static final String MANAGED_BY = "cmkflow";
    public static final Set<String> RESERVED_TAGS = Set.of(TAG_REQUEST_ID, TAG_WORKFLOW_ID, TAG_MANAGED_BY);
    private static final String RESERVED_PREFIX = "cmkflow-";

    public Map<String, String> tags() {
        return Map.of(TAG_REQUEST_ID, requestId, TAG_WORKFLOW_ID, workflowId, TAG_MANAGED_BY, MANAGED_BY);
    }

    /** The tags of everything this run creates: the request's tags and this run's ownership tags. */
    public Map<String, String> tagsWith(Map<String, String> requestTags) {
        Map<String, String> all = new LinkedHashMap<>(requestTags == null ? Map.of() : requestTags);
        all.putAll(tags());
        return all;
    }

    /** True when a request may not use {@code tagName}: Azure compares tag names without case, so neither may we. */
    public static boolean isReserved(String tagName) {
        String name = tagName.toLowerCase(Locale.ROOT);
        return name.startsWith(RESERVED_PREFIX) || name.equals(TAG_MANAGED_BY);
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
