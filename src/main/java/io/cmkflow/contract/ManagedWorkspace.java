package io.cmkflow.contract;

import java.util.List;

/**
 * A workspace cmkflow made, as Temporal's record of the create run that made it shows: the run's result names the
 * workspace as created by it, in this vault, and what else it created. It is what lets a later run of the same target
 * (a key rotation, a repair, a decommission) act on the workspace and what was made for it: a tag alone, which anyone
 * can write, never does.
 *
 * @param createRunId      the Temporal run id of the create run (the workspace's {@code cmkflow-run-id} tag must name it)
 * @param createdResources the ids the create run's result lists as created by it (vault, key, grants, workspace,
 *                         storage account, Application Insights, Log Analytics workspace)
 */
public record ManagedWorkspace(String workspaceId, String keyVaultId, String createRunId, List<String> createdResources) {

    public ManagedWorkspace {
        createdResources = createdResources == null ? List.of() : List.copyOf(createdResources);
    }

    /** Whether the create run's record lists {@code resourceId} as made by it (ARM ids compare without case). */
    public boolean recordsCreated(String resourceId) {
        return createdResources.stream().anyMatch(id -> id.equalsIgnoreCase(resourceId));
    }
}
