package io.cmkflow.standins.arm;

import java.util.Locale;

/**
 * Any other resource in a resource group, by id, as {@code azure.genericResources()} reaches it: create/replace, get,
 * existence, patch, delete. Application Insights components get their generated properties; the managed group's
 * Cosmos DB / storage / search resources and user-assigned identities ({@link ArmState#userAssignedIdentity}) are
 * served from the same store.
 */
final class GenericRoutes implements Route.Family {
    private final GenericResourceStore generic;
    private final ResourceStore resources;

    GenericRoutes(GenericResourceStore generic, ResourceStore resources) {
        this.generic = generic;
        this.resources = resources;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!(r.is(0, "subscriptions") && r.is(2, "resourceGroups") && r.is(4, "providers")) || r.size() < 8
                || r.size() % 2 != 0) {
            return null;
        }
        String namespace = ProviderCatalog.canonicalName(r.segment(5));
        StringBuilder typeBuilder = new StringBuilder(namespace);
        StringBuilder idBuilder = new StringBuilder(ResourceIds.group(r.segment(1), r.segment(3)) + "/providers/"
                + namespace);
        for (int i = 6; i < r.size(); i += 2) {
            typeBuilder.append('/').append(r.segment(i));
            idBuilder.append('/').append(r.segment(i)).append('/').append(r.segment(i + 1));
        }
        String type = r.size() == 8 ? ProviderCatalog.canonicalType(namespace, r.segment(6)) : typeBuilder.toString();
        String id = idBuilder.toString();
        String family = operationFamily(type);
        return switch (r.method.toUpperCase(Locale.ROOT)) {
            case "PUT" -> new Route(family + "_CreateOrUpdate", () -> {
                GenericResourceStore.Saved saved = generic.createOrReplace(id, type, r.jsonBody());
                return ArmResponse.status(saved.created() ? 201 : 200, saved.resource());
            });
            case "GET" -> new Route(family + "_Get", () -> ArmResponse.ok(resources.require(id, type)));
            case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                    resources.exists(id) ? 204 : 404));
            case "PATCH" -> new Route(family + "_Update", () -> {
                resources.require(id, type);
                return ArmResponse.ok(generic.patch(id, type, r.jsonBody()));
            });
            case "DELETE" -> new Route(family + "_Delete", () -> ArmResponse.empty(
                    resources.remove(id) == null ? 204 : 200));
            default -> null;
        };
    }

    private static String operationFamily(String type) {
        return switch (type.toLowerCase(Locale.ROOT)) {
            case "microsoft.insights/components" -> "Components";
            case "microsoft.operationalinsights/workspaces" -> "LogAnalyticsWorkspaces";
            case "microsoft.documentdb/databaseaccounts" -> "DatabaseAccounts";
            case "microsoft.search/searchservices" -> "Services";
            case "microsoft.managedidentity/userassignedidentities" -> "UserAssignedIdentities";
            default -> "Resources";
        };
    }
}
