package io.cmkflow.contract;

/**
 * A workspace's key as Azure reports it ({@code encryption.keyVaultProperties}): read before a key rotation changes it
 * (what its undo restores) and after (what the workspace now uses).
 *
 * @param keyIdentifier the versioned key URL the workspace's encryption references
 */
public record WorkspaceKeyOutcome(String workspaceId, String keyVaultId, String keyIdentifier) {
}
