package io.cmkflow.contract;

/**
 * Step 6: the Microsoft-managed resource group, read (never written) and its three CMK resources; or, for a workspace
 * in Azure's service-side CMK mode, that it reports the mode and has no such group (every id null).
 */
public record ManagedGroupOutcome(
        String resourceGroupName,
        String resourceGroupId,
        String cosmosDbAccountId,
        String storageAccountId,
        String searchServiceId) {

    /** What step 6 reports for a workspace in service-side mode. */
    public static final ManagedGroupOutcome SERVICE_SIDE = new ManagedGroupOutcome(null, null, null, null, null);

    public boolean serviceSide() {
        return resourceGroupId == null;
    }
}
