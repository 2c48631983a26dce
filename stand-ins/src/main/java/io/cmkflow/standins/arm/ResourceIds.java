package io.cmkflow.standins.arm;

import java.util.Locale;

/** Canonical ARM ids as the simulator writes them, and the lower-case keys it stores them under. */
final class ResourceIds {
    private ResourceIds() {
    }

    static String group(String subscription, String group) {
        return "/subscriptions/" + subscription + "/resourceGroups/" + group;
    }

    static String resource(String subscription, String group, String namespace, String type, String name) {
        return group(subscription, group) + "/providers/" + namespace + "/" + type + "/" + name;
    }

    static String key(String id) {
        return id.toLowerCase(Locale.ROOT);
    }

    static String groupKey(String subscription, String group) {
        return key(group(subscription, group));
    }

    /** The segment after {@code marker} in an id (case-insensitive), e.g. the group of {@code resourceGroups}. */
    static String after(String id, String marker) {
        if (id == null) {
            return null;
        }
        String[] parts = id.split("/");
        for (int i = 0; i < parts.length - 1; i++) {
            if (parts[i].equalsIgnoreCase(marker)) {
                return parts[i + 1];
            }
        }
        return null;
    }

    /** The last segment of an id: the resource's name. */
    static String name(String id) {
        String trimmed = id.endsWith("/") ? id.substring(0, id.length() - 1) : id;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
