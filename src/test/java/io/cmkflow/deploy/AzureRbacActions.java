package io.cmkflow.deploy;

import io.cmkflow.standins.arm.JournalEntry;

import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The one mapping from a call the ARM simulator journaled to the Azure RBAC action that authorizes it, as Azure derives
 * it: the provider namespace and resource type path of the URL, then {@code read} (GET, HEAD), {@code write} (PUT, PATCH),
 * {@code delete}, or {@code <last segment>/action} (POST). The exceptions Azure names otherwise are listed. Calls to a
 * vault's data plane are data actions ({@link #dataAction}).
 */
final class AzureRbacActions {
    private static final Pattern PROVIDER = Pattern.compile("(?i).*/providers/([^/]+)/(.*)");
    /** Operations whose action is not the one the URL alone gives. */
    private static final Map<String, String> NAMED = Map.ofEntries(
            Map.entry("Vaults_CheckNameAvailability", "Microsoft.KeyVault/checkNameAvailability/read"),
            Map.entry("StorageAccounts_CheckNameAvailability", "Microsoft.Storage/checkNameAvailability/read"),
            Map.entry("Vaults_UpdateAccessPolicy", "Microsoft.KeyVault/vaults/accessPolicies/write"),
            Map.entry("Vaults_GetDeleted", "Microsoft.KeyVault/locations/deletedVaults/read"),
            Map.entry("Vaults_ListDeleted", "Microsoft.KeyVault/deletedVaults/read"),
            Map.entry("Vaults_PurgeDeleted", "Microsoft.KeyVault/locations/deletedVaults/purge/action"),
            Map.entry("Providers_Get", "Microsoft.Resources/subscriptions/providers/read"),
            Map.entry("Providers_List", "Microsoft.Resources/subscriptions/providers/read"),
            Map.entry("Subscriptions_Get", "Microsoft.Resources/subscriptions/read"),
            Map.entry("ResourceGroups_Get", "Microsoft.Resources/subscriptions/resourceGroups/read"),
            Map.entry("ResourceGroups_CheckExistence", "Microsoft.Resources/subscriptions/resourceGroups/read"),
            Map.entry("Resources_ListByResourceGroup", "Microsoft.Resources/subscriptions/resourceGroups/resources/read"),
            Map.entry("StorageAccounts_ListKeys", "Microsoft.Storage/storageAccounts/listKeys/action"));

    private AzureRbacActions() {
    }

    /** The management-plane action of an ARM call. */
    static String action(JournalEntry call) {
        String named = NAMED.get(call.operation());
        if (named != null) {
            return named;
        }
        Matcher provider = PROVIDER.matcher(call.path());
        if (!provider.matches()) {
            throw new IllegalArgumentException("no RBAC action known for " + call.operation() + " " + call.method() + " " + call.path());
        }
        String[] segments = provider.group(2).split("/");
        StringBuilder type = new StringBuilder(namespace(provider.group(1)));
        // type/name pairs; a POST's odd last segment is its action name.
        int pairs = segments.length / 2;
        for (int i = 0; i < pairs; i++) {
            type.append('/').append(segments[2 * i]);
        }
        String method = call.method().toUpperCase(Locale.ROOT);
        if (method.equals("POST")) {
            return type + "/" + segments[segments.length - 1] + "/action";
        }
        if (segments.length % 2 == 1) {
            type.append('/').append(segments[segments.length - 1]);
        }
        return type + "/" + switch (method) {
            case "GET", "HEAD" -> "read";
            case "PUT", "PATCH" -> "write";
            case "DELETE" -> "delete";
            default -> throw new IllegalArgumentException("no RBAC verb for " + method + " " + call.path());
        };
    }

    /** A provider namespace as Azure spells it in actions ({@code microsoft.insights} in SDK paths: Microsoft.Insights). */
    private static String namespace(String segment) {
        return java.util.Arrays.stream(segment.split("\\."))
                .map(part -> Character.toUpperCase(part.charAt(0)) + part.substring(1))
                .collect(java.util.stream.Collectors.joining("."));
    }

    /** A call to a vault's data plane (journaled as {@code /kv/<vault>/keys/...}) rather than to ARM. */
    static boolean dataPlane(JournalEntry call) {
        return call.path().toLowerCase(Locale.ROOT).matches("/kv/[^/]+/keys(/.*)?");
    }

    /** The data action of a data-plane call: what an RBAC vault's role must grant (an access-policy vault ignores it). */
    static String dataAction(JournalEntry call) {
        return "Microsoft.KeyVault/vaults/keys/" + switch (call.method().toUpperCase(Locale.ROOT)) {
            case "GET", "HEAD" -> "read";
            case "DELETE" -> "delete";
            case "POST" -> call.path().endsWith("/create") ? "create/action" : "update/action";
            case "PUT", "PATCH" -> "update/action";
            default -> throw new IllegalArgumentException("no data action for " + call.method() + " " + call.path());
        };
    }
}
