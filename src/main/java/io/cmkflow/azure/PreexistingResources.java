package io.cmkflow.azure;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one activity's reads found existing, and not this run's, before it wrote. {@link ActivityFailures} adds the ids
 * to the failure the activity raises, so the run's history keeps them ({@code Ownership.preexisting}) for an operator's
 * retry and for undo: a step that succeeds says the same in its outcome. Thread-safe: a step reads on several threads.
 */
public final class PreexistingResources {

    private final Set<String> ids = ConcurrentHashMap.newKeySet();

    /** Records that {@code resourceId} existed, not made by this run, when the step looked. */
    public void found(String resourceId) {
        ids.add(resourceId);
    }

    public List<String> ids() {
        return ids.stream().sorted().toList();
    }
}
