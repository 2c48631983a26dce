package io.cmkflow.standins.arm;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The resource providers the simulator knows, with their resource types and api-versions newest first. The SDK's
 * generic-resource calls read the api-version from here when the caller gives none.
 */
final class ProviderCatalog {
    private static final Map<String, Map<String, List<String>>> NAMESPACES = new LinkedHashMap<>();

    static {
        NAMESPACES.put("Microsoft.KeyVault", types(
                "vaults", List.of("2024-11-01", "2023-07-01", "2023-02-01"),
                "vaults/keys", List.of("2024-11-01", "2023-07-01"),
                "vaults/accessPolicies", List.of("2024-11-01", "2023-07-01"),
                "deletedVaults", List.of("2024-11-01", "2023-07-01"),
                "locations/deletedVaults", List.of("2024-11-01", "2023-07-01"),
                "checkNameAvailability", List.of("2024-11-01", "2023-07-01")));
        NAMESPACES.put("Microsoft.MachineLearningServices", types(
                "workspaces", List.of("2026-07-01", "2025-06-01", "2024-10-01"),
                "locations/workspaceOperationsStatus", List.of("2026-07-01", "2025-06-01")));
        NAMESPACES.put("Microsoft.Storage", types(
                "storageAccounts", List.of("2025-01-01", "2024-01-01", "2023-05-01"),
                "checkNameAvailability", List.of("2025-01-01", "2024-01-01")));
        NAMESPACES.put("microsoft.insights", types(
                "components", List.of("2020-02-02", "2015-05-01")));
        NAMESPACES.put("Microsoft.OperationalInsights", types(
                "workspaces", List.of("2023-09-01", "2022-10-01")));
        NAMESPACES.put("Microsoft.DocumentDB", types(
                "databaseAccounts", List.of("2024-11-15", "2024-08-15")));
        NAMESPACES.put("Microsoft.Search", types(
                "searchServices", List.of("2025-05-01", "2023-11-01")));
        NAMESPACES.put("Microsoft.Authorization", types(
                "roleAssignments", List.of("2022-04-01", "2020-04-01-preview"),
                "roleDefinitions", List.of("2022-04-01", "2018-01-01-preview")));
        NAMESPACES.put("Microsoft.Resources", types(
                "resourceGroups", List.of("2025-04-01", "2024-03-01"),
                "subscriptions", List.of("2025-04-01", "2022-12-01")));
        NAMESPACES.put("Microsoft.ManagedIdentity", types(
                "userAssignedIdentities", List.of("2023-01-31")));
        NAMESPACES.put("Microsoft.ContainerRegistry", types(
                "registries", List.of("2023-07-01")));
    }

    private ProviderCatalog() {
    }

    private static Map<String, List<String>> types(Object... pairs) {
        Map<String, List<String>> map = new LinkedHashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            @SuppressWarnings("unchecked")
            List<String> versions = (List<String>) pairs[i + 1];
            map.put((String) pairs[i], versions);
        }
        return map;
    }

    static boolean known(String namespace) {
        return NAMESPACES.keySet().stream().anyMatch(n -> n.equalsIgnoreCase(namespace));
    }

    /** The namespace as Azure spells it, or the input when unknown. */
    static String canonicalName(String namespace) {
        return NAMESPACES.keySet().stream().filter(n -> n.equalsIgnoreCase(namespace)).findFirst().orElse(namespace);
    }

    static List<String> namespaces() {
        return List.copyOf(NAMESPACES.keySet());
    }

    static Map<String, List<String>> resourceTypes(String namespace) {
        return NAMESPACES.getOrDefault(canonicalName(namespace), Map.of());
    }

    /** The canonical type, e.g. {@code Microsoft.Storage/storageAccounts}, for a namespace and type in any case. */
    static String canonicalType(String namespace, String type) {
        String ns = canonicalName(namespace);
        String t = resourceTypes(ns).keySet().stream().filter(k -> k.equalsIgnoreCase(type)).findFirst().orElse(type);
        return ns + "/" + t;
    }
}
