package io.cmkflow.contract;

/**
 * Step 4: Azure Cosmos DB's access to the key, as an access policy entry or (RBAC vault) a role assignment, and the same
 * access for the workspace's user-assigned identity when the request names one. The identity fields are null when the
 * request names no identity.
 */
public record KeyAccessOutcome(
        String vaultId,
        String principalObjectId,
        Mode mode,
        boolean alreadyPresent,
        String roleAssignmentId,
        String identityPrincipalId,
        Boolean identityAlreadyPresent,
        String identityRoleAssignmentId) {

    public enum Mode { ACCESS_POLICY, RBAC }

    /** Cosmos DB's access only: the request names no user-assigned identity. */
    public KeyAccessOutcome(String vaultId, String principalObjectId, Mode mode, boolean alreadyPresent,
                              String roleAssignmentId) {
        this(vaultId, principalObjectId, mode, alreadyPresent, roleAssignmentId, null, null, null);
    }

    /** True when this run added the identity's access, so undo has it to remove. */
    public boolean identityAddedByThisRun() {
        return identityPrincipalId != null && Boolean.FALSE.equals(identityAlreadyPresent);
    }

    /** True when this run added nothing, neither for Cosmos DB nor for the identity. */
    public boolean nothingAdded() {
        return alreadyPresent && !identityAddedByThisRun();
    }
}
