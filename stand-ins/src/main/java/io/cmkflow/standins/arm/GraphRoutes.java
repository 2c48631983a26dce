package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Microsoft Graph's service principals, read-only, as the SDK's {@code servicePrincipals().listByFilter("appId eq
 * '…'")} and Graph's own {@code servicePrincipals(appId='…')} ask for them: Azure Cosmos DB's, in the caller's
 * tenant (the token's {@code tid}), under an object id that differs from its application id and per tenant.
 */
final class GraphRoutes implements Route.Family {
    private static final Pattern APP_ID_FILTER = Pattern.compile("^\\s*appId\\s+eq\\s+'([^']*)'\\s*$",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern APP_ID_KEY = Pattern.compile("^servicePrincipals\\(appId='([^']*)'\\)$",
            Pattern.CASE_INSENSITIVE);
    /** The tenant Microsoft's first-party applications belong to. */
    private static final String MICROSOFT_TENANT = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

    private final ArmSimulatorOptions options;

    GraphRoutes(ArmSimulatorOptions options) {
        this.options = options;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "v1.0") || r.size() < 2 || !"GET".equalsIgnoreCase(r.method)) {
            return null;
        }
        if (r.size() == 2 && r.is(1, "servicePrincipals")) {
            return new Route("Graph_ListServicePrincipals", () -> list(r));
        }
        Matcher byAppId = APP_ID_KEY.matcher(r.segment(1));
        if (r.size() == 2 && byAppId.matches()) {
            String appId = byAppId.group(1);
            return new Route("Graph_GetServicePrincipalByAppId", () -> ArmResponse.ok(
                    find(tenant(r), appId).orElseThrow(() -> notFound(appId))));
        }
        if (r.size() == 3 && r.is(1, "servicePrincipals")) {
            String objectId = r.segment(2);
            return new Route("Graph_GetServicePrincipal", () -> ArmResponse.ok(cosmosDbApplications()
                    .map(appId -> find(tenant(r), appId)).flatMap(Optional::stream)
                    .filter(sp -> objectId.equalsIgnoreCase(JsonDocuments.text(sp, "id"))).findFirst()
                    .orElseThrow(() -> notFound(objectId))));
        }
        return null;
    }

    private ArmResponse list(ArmRequest r) {
        String filter = r.query("$filter");
        Matcher m = filter == null ? null : APP_ID_FILTER.matcher(filter);
        if (m == null || !m.matches()) {
            throw ArmError.badRequest("Request_UnsupportedQuery", "Unsupported query: the simulator lists service "
                    + "principals only with $filter=appId eq '{appId}', was " + filter + ".");
        }
        ObjectNode page = JsonDocuments.object();
        page.put("@odata.context", "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals");
        var value = page.putArray("value");
        find(tenant(r), m.group(1)).ifPresent(value::add);
        return ArmResponse.ok(page);
    }

    private static String tenant(ArmRequest r) {
        String tenant = SimulatedDirectory.caller(r).tenantId();
        if (tenant == null) {
            throw new ArmError(401, "InvalidAuthenticationToken", "Access token validation failure: the token has "
                    + "no tenant (tid) claim.");
        }
        return tenant;
    }

    private static Stream<String> cosmosDbApplications() {
        return SimulatedDirectory.COSMOS_DB_APPLICATION_IDS.stream();
    }

    /** Azure Cosmos DB's service principal in {@code tenant}, unless that tenant has none. */
    private Optional<ObjectNode> find(String tenant, String appId) {
        boolean cosmosDb = cosmosDbApplications().anyMatch(appId::equalsIgnoreCase);
        if (!cosmosDb || options.tenantsWithoutCosmosDb().contains(tenant.toLowerCase(Locale.ROOT))) {
            return Optional.empty();
        }
        return Optional.of(servicePrincipal(tenant, appId.toLowerCase(Locale.ROOT)));
    }

    /** Shaped like Graph's servicePrincipal (the Get servicePrincipal example of Graph's v1.0 reference). */
    private static ObjectNode servicePrincipal(String tenant, String appId) {
        ObjectNode sp = JsonDocuments.object();
        sp.put("id", SimulatedDirectory.servicePrincipalObjectId(tenant, appId));
        sp.put("accountEnabled", true);
        sp.putArray("addIns");
        sp.putArray("alternativeNames");
        sp.put("appDisplayName", "Azure Cosmos DB");
        sp.put("appId", appId);
        sp.put("appOwnerOrganizationId", MICROSOFT_TENANT);
        sp.put("appRoleAssignmentRequired", false);
        sp.putArray("appRoles");
        sp.putNull("disabledByMicrosoftStatus");
        sp.put("displayName", "Azure Cosmos DB");
        sp.putArray("endpoints");
        sp.putNull("homepage");
        sp.putArray("keyCredentials");
        sp.putArray("oauth2PermissionScopes");
        sp.putArray("passwordCredentials");
        sp.putArray("replyUrls");
        sp.putArray("servicePrincipalNames").add(appId);
        sp.put("servicePrincipalType", "Application");
        sp.put("signInAudience", "AzureADMultipleOrgs");
        sp.putArray("tags");
        return sp;
    }

    private static ArmError notFound(String id) {
        return new ArmError(404, "Request_ResourceNotFound", "Resource '" + id + "' does not exist or one of its "
                + "queried reference-property objects are not present.");
    }
}
