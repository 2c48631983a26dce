package io.cmkflow.contract;

/** Step 5: the encrypted workspace and the associated resources it uses (given, or created by this run). */
public record WorkspaceOutcome(
        String workspaceId,
        boolean created,
        String provisioningState,
        String storageAccountId,
        boolean storageAccountCreated,
        String applicationInsightsId,
        boolean applicationInsightsCreated,
        String serviceProvisionedResourceGroup) {
}
