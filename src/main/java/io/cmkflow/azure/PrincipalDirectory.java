package io.cmkflow.azure;

import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.CmkRequest;
import com.azure.core.credential.TokenRequestContext;
import com.azure.core.exception.HttpResponseException;
import com.azure.resourcemanager.authorization.models.ServicePrincipal;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Object ids of the principals cmkflow grants key access to. Azure Cosmos DB is known by its application id
 * ({@link AzureCloud#cosmosDbApplicationId()}); an access policy or a role assignment needs its service principal's
 * object id, which differs per tenant: it is read from Microsoft Graph (service principal by {@code appId}) once per
 * tenant, unless configured. cmkflow's own object id is the {@code oid} claim of its access token, unless configured.
 */
public final class PrincipalDirectory {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AzureClients clients;
    private final ArmConnection connection;
    private final PrincipalSettings settings;
    private final Map<String, String> cosmosDbByTenant = new ConcurrentHashMap<>();
    private final Map<String, String> ownByTenant = new ConcurrentHashMap<>();

    PrincipalDirectory(AzureClients clients, ArmConnection connection, PrincipalSettings settings) {
        this.clients = clients;
        this.connection = connection;
        this.settings = settings;
    }

    public PrincipalSettings settings() {
        return settings;
    }

    /** Azure Cosmos DB's object id in the request's tenant: configured, or read from Graph (then cached). */
    public String cosmosDbObjectId(CmkRequest request) {
        String tenant = request.tenantId().toLowerCase(Locale.ROOT);
        String configured = settings.cosmosDbObjectIds().get(tenant);
        if (configured != null) {
            return configured;
        }
        AzureCloud cloud = AzureCloud.of(request);
        // A failed lookup throws out of computeIfAbsent and caches nothing: the next attempt asks Graph again.
        return cosmosDbByTenant.computeIfAbsent(cloud + "/" + tenant, key -> lookUpCosmosDb(request, cloud));
    }

    /** cmkflow's own object id in the request's tenant: configured, or its access token's {@code oid} claim. */
    public String ownObjectId(CmkRequest request) {
        if (settings.ownObjectId() != null) {
            return settings.ownObjectId();
        }
        AzureCloud cloud = AzureCloud.of(request);
        return ownByTenant.computeIfAbsent(cloud + "/" + request.tenantId().toLowerCase(Locale.ROOT),
                key -> oidClaim(cloud, request.tenantId()));
    }

    private String lookUpCosmosDb(CmkRequest request, AzureCloud cloud) {
        String appId = cloud.cosmosDbApplicationId();
        List<ServicePrincipal> found;
        try {
            found = clients.forRequest(request).accessManagement().servicePrincipals()
                    .listByFilter("appId eq '" + appId + "'").stream().toList();
        } catch (HttpResponseException e) {
            int status = e.getResponse() == null ? 0 : e.getResponse().getStatusCode();
            if (status == 401 || status == 403) {
                throw new AzureStepException(AzureFailure.nonRetryable("GraphAccessDenied", "cmkflow's identity may "
                        + "not read service principals in Microsoft Graph (" + cloud.graphEndpoint() + ") of tenant "
                        + request.tenantId() + " (HTTP " + status + "): grant it Application.Read.All, or configure "
                        + PrincipalSettings.COSMOS_DB_OBJECT_IDS + " with " + request.tenantId()
                        + "=<object id of Azure Cosmos DB's service principal>"));
            }
            throw e;
        }
        if (found.isEmpty()) {
            throw new AzureStepException(AzureFailure.nonRetryable("CosmosDbPrincipalNotFound", "Azure Cosmos DB "
                    + "(application id " + appId + ") has no service principal in tenant " + request.tenantId()
                    + ": register the Microsoft.DocumentDB resource provider in subscription "
                    + request.subscriptionId() + " again (the procedure requires it registered; registering creates "
                    + "the service principal), then retry"));
        }
        return found.get(0).id();
    }

    /** The {@code oid} claim of an ARM access token (a JWT); the token itself is never logged or kept. */
    private String oidClaim(AzureCloud cloud, String tenantId) {
        String token = connection.credential(cloud, tenantId).getTokenSync(new TokenRequestContext()
                .addScopes(AzureClients.armScope(connection.environment(cloud)))).getToken();
        String[] parts = token.split("\\.");
        String oid = null;
        if (parts.length >= 2) {
            try {
                JsonNode claims = JSON.readTree(Base64.getUrlDecoder().decode(parts[1]));
                oid = claims.path("oid").isTextual() ? claims.path("oid").asText() : null;
            } catch (IOException | IllegalArgumentException notAJwt) {
                // An opaque token names no one: the configured object id is then the only way.
            }
        }
        if (oid == null) {
            throw new AzureStepException(AzureFailure.nonRetryable("OwnObjectIdUnknown", "the access token of "
                    + "cmkflow's identity in tenant " + tenantId + " carries no oid claim: configure "
                    + PrincipalSettings.OWN_OBJECT_ID + " with its object id"));
        }
        return oid;
    }
}
