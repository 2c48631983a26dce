package io.cmkflow.azure;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The Microsoft-managed resource groups this process knows of: those read from a workspace's
 * {@code serviceProvisionedResourceGroup} and those ARM reported with {@code managedBy}. A group never stops being
 * managed while its workspace exists, so entries are never evicted.
 */
public final class ManagedGroupRegistry {

    private final Map<String, String> managedGroups = new ConcurrentHashMap<>();

    /** Records {@code group} in {@code subscriptionId} as managed by {@code managedBy} (a workspace id). */
    public void remember(String subscriptionId, String group, String managedBy) {
        managedGroups.put(key(subscriptionId, group), managedBy == null ? "a Microsoft service" : managedBy);
    }

    /** Who manages the group, or null when it is not known to be managed. */
    public String managerOf(String subscriptionId, String group) {
        return managedGroups.get(key(subscriptionId, group));
    }

    private static String key(String subscriptionId, String group) {
        return subscriptionId.toLowerCase(Locale.ROOT) + "/" + group.toLowerCase(Locale.ROOT);
    }
}
