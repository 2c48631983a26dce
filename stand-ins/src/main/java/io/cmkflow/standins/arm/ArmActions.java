package io.cmkflow.standins.arm;

import java.util.Arrays;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The action ARM authorizes each management-plane operation with, as Azure derives it: the provider namespace and the
 * resource type path of the URL, then {@code read} (GET, HEAD), {@code write} (PUT, PATCH), {@code delete}, or
 * {@code <last segment>/action} (POST); the operations Azure names otherwise are listed. Polls of a long-running
 * operation's status URL are reads like any other ({@code .../locations/workspaceOperationsStatus/read}). Source:
 * Microsoft's resource provider operations reference
 * (https://learn.microsoft.com/azure/role-based-access-control/resource-provider-operations).
 */
public final class ArmActions {
    /** What a PUT that names a user-assigned identity needs on that identity, besides the PUT's own action. */
    public static final String ASSIGN_IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action";

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
            Map.entry("ResourceGroups_List", "Microsoft.Resources/subscriptions/resourceGroups/read"),
            Map.entry("ResourceGroups_CreateOrUpdate", "Microsoft.Resources/subscriptions/resourceGroups/write"),
            Map.entry("ResourceGroups_Update", "Microsoft.Resources/subscriptions/resourceGroups/write"),
            Map.entry("ResourceGroups_Delete", "Microsoft.Resources/subscriptions/resourceGroups/delete"),
            Map.entry("Resources_ListByResourceGroup", "Microsoft.Resources/subscriptions/resourceGroups/resources/read"),
            Map.entry("StorageAccounts_ListKeys", "Microsoft.Storage/storageAccounts/listKeys/action"));

    private ArmActions() {
    }

    /**
     * The action for {@code operation} ({@code method} on {@code path}); null for a call ARM authorizes by no action
     * (the tenant-level list of subscriptions answers only those the caller may see).
     */
    public static String action(String operation, String method, String path) {
        if ("Subscriptions_List".equals(operation)) {
            return null;
        }
        String named = NAMED.get(operation);
        if (named != null) {
            return named;
        }
        Matcher provider = PROVIDER.matcher(path);
        if (!provider.matches()) {
            throw new IllegalArgumentException("no RBAC action known for " + operation + " " + method + " " + path);
        }
        String[] segments = provider.group(2).split("/");
        StringBuilder type = new StringBuilder(namespace(provider.group(1)));
        // type/name pairs; a POST's odd last segment is its action name.
        int pairs = segments.length / 2;
        for (int i = 0; i < pairs; i++) {
            type.append('/').append(segments[2 * i]);
        }
        String verb = method.toUpperCase(Locale.ROOT);
        if (verb.equals("POST")) {
            return type + "/" + segments[segments.length - 1] + "/action";
        }
        if (segments.length % 2 == 1) {
            type.append('/').append(segments[segments.length - 1]);
        }
        return type + "/" + switch (verb) {
            case "GET", "HEAD" -> "read";
            case "PUT", "PATCH" -> "write";
            case "DELETE" -> "delete";
            default -> throw new IllegalArgumentException("no RBAC verb for " + method + " " + path);
        };
    }

    /**
     * Key Vault's data action for a key permission (access-policy terms: get, list, create, delete, purge, recover,
     * wrapkey, unwrapkey), as an RBAC vault checks it and its refusals name it (reading a deleted key is a read).
     * Source: https://learn.microsoft.com/azure/role-based-access-control/permissions/security#microsoftkeyvault
     */
    public static String keyDataAction(String permission) {
        return switch (permission.toLowerCase(Locale.ROOT)) {
            case "get", "list" -> "Microsoft.KeyVault/vaults/keys/read";
            case "create" -> "Microsoft.KeyVault/vaults/keys/create/action";
            case "delete" -> "Microsoft.KeyVault/vaults/keys/delete";
            case "purge" -> "Microsoft.KeyVault/vaults/keys/purge/action";
            case "recover" -> "Microsoft.KeyVault/vaults/keys/recover/action";
            case "wrapkey" -> "Microsoft.KeyVault/vaults/keys/wrap/action";
            case "unwrapkey" -> "Microsoft.KeyVault/vaults/keys/unwrap/action";
            case "update" -> "Microsoft.KeyVault/vaults/keys/update/action";
            case "rotate" -> "Microsoft.KeyVault/vaults/keys/rotate/action";
            case "getrotationpolicy" -> "Microsoft.KeyVault/vaults/keyrotationpolicies/read";
            case "setrotationpolicy" -> "Microsoft.KeyVault/vaults/keyrotationpolicies/write";
            default -> throw new IllegalArgumentException("no data action known for key permission " + permission);
        };
    }

    /** A provider namespace as Azure spells it in actions ({@code microsoft.insights} in SDK paths: Microsoft.Insights). */
    private static String namespace(String segment) {
        return Arrays.stream(segment.split("\\."))
                .map(part -> Character.toUpperCase(part.charAt(0)) + part.substring(1))
                .collect(Collectors.joining("."));
    }
}
