package io.cmkflow.contract;

/**
 * A decommission's workspace delete as Azure answered it, and then what became of the Microsoft-managed resource group
 * (which only Azure removes: with the workspace when it is purged, when the soft-delete retention ends otherwise).
 *
 * @param managedResourceGroup the group the workspace reported before its delete ({@code serviceProvisionedResourceGroup})
 * @param purged               whether the delete purged the workspace ({@code forceToPurge=true}), freeing its name
 * @param managedGroupRemoved  whether Azure has removed the managed group (known once the run waited for it)
 */
public record DecommissionOutcome(String workspaceId, String managedResourceGroup, boolean purged, boolean managedGroupRemoved) {

    public DecommissionOutcome withManagedGroupRemoved() {
        return new DecommissionOutcome(workspaceId, managedResourceGroup, purged, true);
    }
}
