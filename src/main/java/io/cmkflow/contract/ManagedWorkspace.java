package io.cmkflow.contract;

/**
 * A workspace cmkflow made, as Temporal's record of the create run that made it shows: the run's result names the
 * workspace as created by it, in this vault. It is what lets a later run of the same target (a key rotation) act on the
 * workspace: a tag alone, which anyone can write, never does.
 *
 * @param createRunId the Temporal run id of the create run (the workspace's {@code cmkflow-run-id} tag must name it)
 */
public record ManagedWorkspace(String workspaceId, String keyVaultId, String createRunId) {
}
