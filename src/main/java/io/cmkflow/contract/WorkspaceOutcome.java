package io.cmkflow.contract;

/**
 * Step 5: the encrypted workspace and the associated resources it uses (given, or created by this run): its storage
 * account, and its Application Insights with the Log Analytics workspace that stores its data (none when the request
 * gives its own Application Insights).
 */
public record WorkspaceOutcome(
        String workspaceId,
        boolean created,
        String provisioningState,
        String storageAccountId,
        boolean storageAccountCreated,
        String applicationInsightsId,
        boolean applicationInsightsCreated,
        String logAnalyticsWorkspaceId,
        boolean logAnalyticsWorkspaceCreated,
        String serviceProvisionedResourceGroup) {
}
