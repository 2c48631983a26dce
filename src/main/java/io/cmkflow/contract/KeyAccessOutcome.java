package io.cmkflow.contract;

/**
 * Step 4: Azure Cosmos DB's access to the key, as an access policy entry or (RBAC vault) a role assignment, and the
 * access the procedure gives the workspace's user-assigned identity when the request names one: key permissions the
 * same way, and the Contributor role on the vault. The identity fields are null when the request names no identity.
 */
public record KeyAccessOutcome(
        String vaultId,
        String principalObjectId,
        Mode mode,
        boolean alreadyPresent,
        String roleAssignmentId,
        String identityPrincipalId,
        Boolean identityAlreadyPresent,
        String identityRoleAssignmentId,
        Boolean identityContributorAlreadyPresent,
        String identityContributorAssignmentId) {

    public enum Mode { ACCESS_POLICY, RBAC }

    /** Cosmos DB's access only: the request names no user-assigned identity. */
    public KeyAccessOutcome(String vaultId, String principalObjectId, Mode mode, boolean alreadyPresent,
                              String roleAssignmentId) {
        this(vaultId, principalObjectId, mode, alreadyPresent, roleAssignmentId, null, null, null, null, null);
    }

    /** The same outcome with the identity's Contributor assignment this run made (or found) at {@code assignmentId}. */
    public KeyAccessOutcome withIdentityContributor(String assignmentId) {
        return new KeyAccessOutcome(vaultId, principalObjectId, mode, alreadyPresent, roleAssignmentId, identityPrincipalId,
                identityAlreadyPresent, identityRoleAssignmentId, identityContributorAlreadyPresent, assignmentId);
    }

    /** True when this run added the identity's access, so undo has it to remove. */
    public boolean identityAddedByThisRun() {
        return identityPrincipalId != null && Boolean.FALSE.equals(identityAlreadyPresent);
    }

    /** True when this run gave the identity the Contributor role on the vault, so undo has it to remove. */
    public boolean identityContributorAddedByThisRun() {
        return identityPrincipalId != null && Boolean.FALSE.equals(identityContributorAlreadyPresent);
    }

    /** True when this run added nothing, neither for Cosmos DB nor for the identity. */
    public boolean nothingAdded() {
        return alreadyPresent && !identityAddedByThisRun() && !identityContributorAddedByThisRun();
    }
}
