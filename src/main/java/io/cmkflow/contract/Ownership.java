package io.cmkflow.contract;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Who owns what a run creates. Ownership is proven by the run's own record: what its steps reported (the create
 * call's answer, the read before the write), which the workflow keeps in its history. The tags every created resource
 * carries are a second check and a label for people: {@code cmkflow-run-id} names the Temporal run that created it, an
 * id no one can know before that run starts (unlike the request id, which any Reader sees on the resources, or the
 * workflow id, derived from the target). A resource whose run-id tag names another run is never this run's, whatever
 * its other tags say; one made by an earlier run of the same target is recognised only through that target's run
 * records ({@code earlierRunIds}, from Temporal, not from the resource). A resource the run found existing, and not its
 * own, when it first looked ({@code preexisting}) is never this run's either, whatever tags it carries later: an
 * operator's retry starts a fresh activity, and a tag written meanwhile must not turn someone else's resource into one
 * this run undoes.
 *
 * @param runId         this run's Temporal run id
 * @param earlierRunIds the run ids of this target's earlier runs, from their memos in Temporal (empty when Temporal no
 *                      longer has them: then nothing a resource says makes it this target's)
 * @param preexisting   the ids of resources this run's steps found existing and not their own before they wrote, as the
 *                      run's history records them (the steps' outcomes and failures)
 */
public record Ownership(String requestId, String workflowId, String runId, List<String> earlierRunIds,
                        List<String> preexisting) {
    public static final String TAG_REQUEST_ID = "cmkflow-request-id";
    public static final String TAG_WORKFLOW_ID = "cmkflow-workflow-id";
    public static final String TAG_RUN_ID = "cmkflow-run-id";
    public static final String TAG_MANAGED_BY = "managed-by";
    public static final String MANAGED_BY = "cmkflow";
    public static final Set<String> RESERVED_TAGS = Set.of(TAG_REQUEST_ID, TAG_WORKFLOW_ID, TAG_RUN_ID, TAG_MANAGED_BY);
    private static final String RESERVED_PREFIX = "cmkflow-";

    public Ownership {
        earlierRunIds = earlierRunIds == null ? List.of() : List.copyOf(earlierRunIds);
        preexisting = preexisting == null ? List.of()
                : preexisting.stream().map(id -> id.toLowerCase(Locale.ROOT)).distinct().toList();
    }

    /** This ownership with the run's record of pre-existing resources as it stands now. */
    public Ownership withPreexisting(Collection<String> ids) {
        return new Ownership(requestId, workflowId, runId, earlierRunIds, List.copyOf(ids));
    }

    public Map<String, String> tags() {
        return Map.of(TAG_REQUEST_ID, requestId, TAG_WORKFLOW_ID, workflowId, TAG_RUN_ID, runId, TAG_MANAGED_BY, MANAGED_BY);
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

    /**
     * True when the resource {@code resourceId} is this run's: the run's record does not show it existing before the run
     * first looked, and its {@code tags} name this run as the creator (the second check beside that record).
     */
    public boolean owns(String resourceId, Map<String, String> tags) {
        return tags != null && runId.equals(tags.get(TAG_RUN_ID)) && !isPreexisting(resourceId);
    }

    /** True when the run's record shows {@code resourceId} existing, not this run's, when the run first looked. */
    public boolean isPreexisting(String resourceId) {
        return resourceId != null && preexisting.contains(resourceId.toLowerCase(Locale.ROOT));
    }

    /**
     * True when {@code tags} name a run that this target's run records list as one of its earlier runs (used to bring
     * back only this target's own soft-deleted vault or key).
     */
    public boolean madeByAnEarlierRunOfThisTarget(Map<String, String> tags) {
        return tags != null && tags.get(TAG_RUN_ID) != null && earlierRunIds.contains(tags.get(TAG_RUN_ID));
    }
}
