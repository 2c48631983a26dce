package io.cmkflow.workflow;

/** Step 4: Azure Cosmos DB's access to the key, as an access policy entry or (RBAC vault) a role assignment. */
public record CosmosGrantOutcome(
        String vaultId,
        String principalObjectId,
        Mode mode,
        boolean alreadyPresent,
        String roleAssignmentId) {

    public enum Mode { ACCESS_POLICY, RBAC }
}
