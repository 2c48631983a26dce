package io.cmkflow.azure;

/** Thrown by {@link ManagedGroupGuard} instead of sending a DELETE aimed at a workspace's Microsoft-managed resource group. */
public class ManagedGroupDeleteRefusedException extends RuntimeException {
    private final String resourceGroup;

    public ManagedGroupDeleteRefusedException(String resourceGroup, String message) {
        super(message);
        this.resourceGroup = resourceGroup;
    }

    public String resourceGroup() {
        return resourceGroup;
    }
}
