package io.cmkflow.contract;

import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The parts of a top-level ARM resource id
 * ({@code /subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}}). Kept free of the SDK so
 * request validation can use it.
 */
public record ArmResourceId(String subscriptionId, String resourceGroup, String namespace, String type, String name) {

    private static final Pattern TOP_LEVEL = Pattern.compile(
            "^/subscriptions/([^/]+)/resourceGroups/([^/]+)/providers/([^/]+)/([^/]+)/([^/]+)$",
            Pattern.CASE_INSENSITIVE);

    /** Parses {@code id}; empty when it is not a top-level resource id. */
    public static Optional<ArmResourceId> parse(String id) {
        if (id == null) {
            return Optional.empty();
        }
        Matcher m = TOP_LEVEL.matcher(id.trim());
        if (!m.matches()) {
            return Optional.empty();
        }
        return Optional.of(new ArmResourceId(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
    }

    public static String of(String subscriptionId, String resourceGroup, String namespace, String type, String name) {
        return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup + "/providers/" + namespace
                + "/" + type + "/" + name;
    }

    /** True when this id names a resource of {@code namespace/type} (ARM compares types case-insensitively). */
    public boolean isOfType(String namespace, String type) {
        return this.namespace.equalsIgnoreCase(namespace) && this.type.equalsIgnoreCase(type);
    }

    public String id() {
        return of(subscriptionId, resourceGroup, namespace, type, name);
    }
}
