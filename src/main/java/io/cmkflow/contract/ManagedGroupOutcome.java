package io.cmkflow.contract;

/** Step 6: the Microsoft-managed resource group, read (never written) and its three CMK resources. */
public record ManagedGroupOutcome(
        String resourceGroupName,
        String resourceGroupId,
        String cosmosDbAccountId,
        String storageAccountId,
        String searchServiceId) {
}
