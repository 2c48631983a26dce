package io.cmkflow.standins.arm;

import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import reactor.core.publisher.Mono;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.OffsetDateTime;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

/**
 * The simulated Microsoft Entra directory: who a bearer token says the caller is, and the object ids of service
 * principals. Like Entra ID, a service principal's object id differs from its application id and from one tenant to
 * the next, so code that confuses the two is refused by the vault checks.
 * <p>
 * Tokens are JWTs in Entra ID's shape ({@code oid}, {@code tid}, {@code appid} claims) but unsigned: the simulator
 * trusts whoever holds one. A client gets one from {@link TokenEndpoint} with the simulated application's secret, as
 * from Entra ID; the simulator's own tests sign in as other principals with {@link #credential(String, String)}.
 */
public final class SimulatedDirectory {
    /** The object id the simulator's credential signs in as: cmkflow's own identity in the simulated tenants. */
    public static final String CALLER_OBJECT_ID = "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f";
    /** The application id of the simulated caller (an app registration; shows in Key Vault's 403 messages). */
    public static final String CALLER_APPLICATION_ID = "0b8f6c2a-1d3e-4f5a-9b7c-8d6e5f4a3b2c";
    /**
     * The simulated application's client secret, which {@link TokenEndpoint} accepts for {@link #CALLER_APPLICATION_ID}.
     * Public on purpose, like the Service Bus emulator's key: it opens nothing but this simulator.
     */
    public static final String CALLER_CLIENT_SECRET = "cmkflow-simulator-client-secret";

    /** Who sent a request: the token's claims, any of them null when the token lacks it. */
    record Caller(String objectId, String tenantId, String applicationId) {
        /** Key Vault's way of naming a caller in its error messages. */
        String describe() {
            return "appid=" + applicationId + ";oid=" + objectId + ";iss=https://sts.windows.net/" + tenantId + "/";
        }
    }

    /**
     * The application id of the "Azure Cosmos DB" first-party application in the public cloud and in Azure Government
     * (https://learn.microsoft.com/azure/cosmos-db/how-to-setup-customer-managed-keys).
     */
    public static final String COSMOS_DB_PUBLIC_CLOUD = "a232010e-820c-4083-83bb-3ace5fc29d0b";
    public static final String COSMOS_DB_US_GOVERNMENT = "57506a73-e302-42a9-b869-6f12d9ec29e9";
    static final List<String> COSMOS_DB_APPLICATION_IDS = List.of(COSMOS_DB_PUBLIC_CLOUD, COSMOS_DB_US_GOVERNMENT);

    private SimulatedDirectory() {
    }

    /** A credential signing in as {@code objectId} in {@code tenantId} (null = no tenant claim). */
    public static TokenCredential credential(String tenantId, String objectId) {
        return request -> Mono.just(new AccessToken(token(tenantId, objectId), OffsetDateTime.now().plusHours(1)));
    }

    /** A credential signing in as {@link #CALLER_OBJECT_ID} in {@code tenantId}. */
    public static TokenCredential credential(String tenantId) {
        return credential(tenantId, CALLER_OBJECT_ID);
    }

    /** The object id of the service principal of application {@code appId} in {@code tenantId}. */
    public static String servicePrincipalObjectId(String tenantId, String appId) {
        return UUID.nameUUIDFromBytes(("servicePrincipal|" + tenantId.toLowerCase(Locale.ROOT) + "|"
                + appId.toLowerCase(Locale.ROOT)).getBytes(StandardCharsets.UTF_8)).toString();
    }

    /** Azure Cosmos DB's object id in {@code tenantId} of the public cloud. */
    public static String cosmosDbObjectId(String tenantId) {
        return servicePrincipalObjectId(tenantId, COSMOS_DB_PUBLIC_CLOUD);
    }

    static String token(String tenantId, String objectId) {
        return token(tenantId, objectId, "https://management.azure.com");
    }

    static String token(String tenantId, String objectId, String audience) {
        Base64.Encoder url = Base64.getUrlEncoder().withoutPadding();
        ObjectNode claims = JsonDocuments.object();
        claims.put("aud", audience);
        claims.put("appid", CALLER_APPLICATION_ID);
        claims.put("oid", objectId);
        if (tenantId != null) {
            claims.put("tid", tenantId);
        }
        claims.put("exp", OffsetDateTime.now().plusHours(1).toEpochSecond());
        return url.encodeToString("{\"alg\":\"none\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + url.encodeToString(claims.toString().getBytes(StandardCharsets.UTF_8)) + ".";
    }

    /** The caller the request's bearer token names; a token that is not a JWT names no one. */
    static Caller caller(ArmRequest request) {
        String authorization = request.header("Authorization");
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return new Caller(null, null, null);
        }
        String[] parts = authorization.substring(7).trim().split("\\.");
        if (parts.length < 2) {
            return new Caller(null, null, null);
        }
        try {
            JsonNode claims = JsonDocuments.MAPPER.readTree(Base64.getUrlDecoder().decode(parts[1]));
            return new Caller(JsonDocuments.text(claims, "oid"), JsonDocuments.text(claims, "tid"),
                    JsonDocuments.text(claims, "appid"));
        } catch (IOException | IllegalArgumentException notAJwt) {
            return new Caller(null, null, null);
        }
    }
}
