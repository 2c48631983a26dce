package io.cmkflow.contract;

import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The typed segments of a top-level ARM resource id
 * ({@code /subscriptions/{s}/resourceGroups/{rg}/providers/{namespace}/{type}/{name}}), each checked against Azure's
 * rules, so a caller builds URLs from the segments and never from the raw string: {@code ?api-version=...}, {@code #},
 * {@code %2F}, {@code ..}, whitespace or control characters in an id never reach a request line. Kept free of the SDK
 * so request validation can use it.
 */
public record ArmResourceId(String subscriptionId, String resourceGroup, String namespace, String type, String name) {

    /** The kinds of resource a request names by id, with Azure's naming rule for each. */
    public enum Kind {
        KEY_VAULT("Microsoft.KeyVault", "vaults", Pattern.compile("[a-zA-Z](?!.*--)[a-zA-Z0-9-]{1,22}[a-zA-Z0-9]"),
                "3-24 letters, digits or single hyphens, starting with a letter and ending with a letter or digit"),
        STORAGE_ACCOUNT("Microsoft.Storage", "storageAccounts", Pattern.compile("[a-z0-9]{3,24}"),
                "3-24 lowercase letters or digits"),
        APPLICATION_INSIGHTS("Microsoft.Insights", "components", Pattern.compile("[^%&\\\\?/]{0,259}[^%&\\\\?/.]"),
                "1-260 characters without '%', '&', '\\', '?' or '/', not ending with '.'"),
        USER_ASSIGNED_IDENTITY("Microsoft.ManagedIdentity", "userAssignedIdentities",
                Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_-]{2,127}"),
                "3-128 letters, digits, '-' or '_', starting with a letter or digit");

        private final String namespace;
        private final String type;
        private final Pattern name;
        private final String nameRule;

        Kind(String namespace, String type, Pattern name, String nameRule) {
            this.namespace = namespace;
            this.type = type;
            this.name = name;
            this.nameRule = nameRule;
        }

        public String namespace() {
            return namespace;
        }

        public String type() {
            return type;
        }
    }

    private static final Pattern GUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");
    // Resource group: 1-90 letters (any script), digits, '_', '-', '.', '(' or ')'; not ending with '.'.
    private static final Pattern RESOURCE_GROUP = Pattern.compile("[-\\w.()]{0,89}[-\\w()]", Pattern.UNICODE_CHARACTER_CLASS);
    private static final Pattern PROVIDER_NAMESPACE = Pattern.compile("[A-Za-z][A-Za-z0-9]*(\\.[A-Za-z][A-Za-z0-9]*)+");
    private static final Pattern RESOURCE_TYPE = Pattern.compile("[A-Za-z][A-Za-z0-9]*");
    // What would change a URL's meaning if it reached one: query, fragment, percent-escapes, dot segments.
    private static final Pattern UNSAFE = Pattern.compile("[?#%\\s\\p{Cntrl}\\u0085\\u2028\\u2029]|\\.\\.");

    /**
     * Parses {@code id} as a {@code kind}, or throws naming {@code field} and the rule it breaks: {@code
     * resourceId.segment} (a character or {@code ..} that has no place in an id), {@code resourceId.format} (not a
     * top-level resource id), {@code resourceId.subscription}, {@code resourceId.resourceGroup}, {@code
     * resourceId.type} (another kind of resource) or {@code resourceId.name} (the kind's naming rule).
     */
    public static ArmResourceId parse(String field, String id, Kind kind) {
        ArmResourceId parsed = parse(field, id);
        require(parsed.isOfType(kind.namespace, kind.type), field, "resourceId.type",
                "must be the resource id of a " + kind.namespace + "/" + kind.type);
        require(kind.name.matcher(parsed.name).matches(), field, "resourceId.name",
                kind.type + " name must be " + kind.nameRule);
        return parsed;
    }

    /** Parses {@code id} (any type); empty when it is not a well-formed top-level resource id. */
    public static Optional<ArmResourceId> parse(String id) {
        try {
            return Optional.of(parse("id", id));
        } catch (InvalidRequestException notAnId) {
            return Optional.empty();
        }
    }

    private static ArmResourceId parse(String field, String id) {
        require(id != null && !id.isEmpty(), field, "resourceId.format", "must be a resource id");
        require(!UNSAFE.matcher(id).find(), field, "resourceId.segment",
                "must not contain '?', '#', '%', '..', whitespace or control characters");
        String[] s = id.split("/", -1);
        require(s.length == 9 && s[0].isEmpty() && "subscriptions".equalsIgnoreCase(s[1])
                        && "resourceGroups".equalsIgnoreCase(s[3]) && "providers".equalsIgnoreCase(s[5]), field,
                "resourceId.format", "must be /subscriptions/{id}/resourceGroups/{group}/providers/{namespace}/{type}/{name}");
        require(GUID.matcher(s[2]).matches(), field, "resourceId.subscription", "subscription must be a GUID");
        require(RESOURCE_GROUP.matcher(s[4]).matches(), field, "resourceId.resourceGroup",
                "resource group must be 1-90 letters, digits, '_', '-', '.', '(' or ')' and not end with '.'");
        require(PROVIDER_NAMESPACE.matcher(s[6]).matches() && RESOURCE_TYPE.matcher(s[7]).matches(), field,
                "resourceId.type", "provider namespace and type must be like Microsoft.KeyVault/vaults");
        require(!s[8].isEmpty(), field, "resourceId.format", "names no resource");
        return new ArmResourceId(s[2], s[4], s[6], s[7], s[8]);
    }

    public static String of(String subscriptionId, String resourceGroup, String namespace, String type, String name) {
        return "/subscriptions/" + subscriptionId + "/resourceGroups/" + resourceGroup + "/providers/" + namespace
                + "/" + type + "/" + name;
    }

    /** True when this id names a resource of {@code namespace/type} (ARM compares types case-insensitively). */
    public boolean isOfType(String namespace, String type) {
        return this.namespace.equalsIgnoreCase(namespace) && this.type.equalsIgnoreCase(type);
    }

    /** The id rebuilt from the checked segments. */
    public String id() {
        return of(subscriptionId, resourceGroup, namespace, type, name);
    }

    private static void require(boolean ok, String field, String rule, String message) {
        if (!ok) {
            throw new InvalidRequestException(field, rule, message);
        }
    }
}
