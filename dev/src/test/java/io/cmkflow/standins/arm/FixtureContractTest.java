package io.cmkflow.standins.arm;

import io.cmkflow.contract.AzureCloud;
import com.azure.core.models.ResponseError;
import com.azure.json.JsonProviders;
import com.azure.resourcemanager.authorization.fluent.models.MicrosoftGraphServicePrincipalInner;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.keyvault.fluent.models.CheckNameAvailabilityResultInner;
import com.azure.resourcemanager.keyvault.fluent.models.DeletedVaultInner;
import com.azure.resourcemanager.keyvault.fluent.models.KeyInner;
import com.azure.resourcemanager.keyvault.fluent.models.VaultAccessPolicyParametersInner;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import com.azure.resourcemanager.resources.fluent.models.ProviderInner;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import com.azure.security.keyvault.keys.implementation.models.KeyBundle;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Each fixture response (real Azure examples) and the simulator's answer to the same operation are parsed with the
 * SDK's own model classes; every field cmkflow reads must be present in both.
 */
class FixtureContractTest {
    static final ObjectMapper JSON = new ObjectMapper();
    static final String GROUP = "rg-contract";
    static ArmSimulator sim;
    static HttpClient http;
    static ArmState.VaultView vault;

    @FunctionalInterface
    interface Parser<T> {
        T parse(JsonReader reader) throws IOException;
    }

    @BeforeAll
    static void start() {
        sim = ArmSimulator.start(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true));
        http = HttpClient.newBuilder().sslContext(sim.sslContext()).version(HttpClient.Version.HTTP_1_1).build();
        vault = sim.state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kvcontract01").tags(Map.of("owner", "cmkflow"))
                .accessPolicy(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT),
                        List.of("get", "wrapKey", "unwrapKey"))
                .accessPolicy(SimulatedDirectory.CALLER_OBJECT_ID, List.of("create", "get")));
        sim.state().key(vault.id(), "cmk", 3072, Map.of());
        sim.state().deletedVault(VaultSeed.of(SUBSCRIPTION, GROUP, "kvcontractgone").tags(Map.of("owner", "cmkflow")));
        sim.state().storageAccount(SUBSCRIPTION, GROUP, "stcontract01", "westeurope", Map.of());
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    private static String fixture(String path, String status) throws IOException {
        try (InputStream in = FixtureContractTest.class.getResourceAsStream("/azure-contract/" + path)) {
            assertThat(in).as("fixture %s", path).isNotNull();
            JsonNode body = JSON.readTree(in).path("responses").path(status).path("body");
            assertThat(body.isMissingNode()).as("fixture %s has a %s body", path, status).isFalse();
            return JSON.writeValueAsString(body);
        }
    }

    private static String simulator(String method, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(sim.endpoint()
                        + path.substring(1)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT, SimulatedDirectory.CALLER_OBJECT_ID)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("%s %s -> %s", method, path, response.body()).isBetween(200, 299);
        return response.body();
    }

    private static <T> T parse(Parser<T> parser, String json) throws IOException {
        try (JsonReader reader = JsonProviders.createReader(json)) {
            return parser.parse(reader);
        }
    }

    /** Parses both documents with the SDK and checks that each field cmkflow reads is set in both. */
    private static <T> void assertReadFields(Parser<T> parser, String fixtureJson, String simulatorJson,
                                             Map<String, Function<T, Object>> fieldsCmkflowReads) throws IOException {
        T fromAzure = parse(parser, fixtureJson);
        T fromSimulator = parse(parser, simulatorJson);
        fieldsCmkflowReads.forEach((field, read) -> {
            assertThat(read.apply(fromAzure)).as("fixture field %s", field).isNotNull();
            assertThat(read.apply(fromSimulator)).as("simulator field %s", field).isNotNull();
        });
    }

    private static String sub(String rest) {
        return "/subscriptions/" + SUBSCRIPTION + rest;
    }

    @Test
    void providersGet() throws Exception {
        Map<String, Function<ProviderInner, Object>> fields = new LinkedHashMap<>();
        fields.put("namespace", ProviderInner::namespace);
        fields.put("registrationState", ProviderInner::registrationState);
        fields.put("resourceTypes[0].resourceType", p -> p.resourceTypes().get(0).resourceType());
        fields.put("resourceTypes[0].apiVersions[0]", p -> p.resourceTypes().get(0).apiVersions().get(0));
        assertReadFields(ProviderInner::fromJson, fixture("Microsoft.Resources/GetProvider.json", "200"),
                simulator("GET", sub("/providers/Microsoft.Search?api-version=2025-04-01"), null), fields);
    }

    @Test
    void resourceGroupCreate() throws Exception {
        Map<String, Function<ResourceGroupInner, Object>> fields = new LinkedHashMap<>();
        fields.put("id", ResourceGroupInner::id);
        fields.put("name", ResourceGroupInner::name);
        fields.put("location", ResourceGroupInner::location);
        fields.put("properties.provisioningState", g -> g.properties().provisioningState());
        assertReadFields(ResourceGroupInner::fromJson, fixture("Microsoft.Resources/CreateResourceGroup.json", "201"),
                simulator("PUT", sub("/resourcegroups/rg-contract-new?api-version=2025-04-01"),
                        "{\"location\":\"eastus\"}"), fields);
    }

    @Test
    void vaultCreateAndGet() throws Exception {
        Map<String, Function<VaultInner, Object>> fields = new LinkedHashMap<>();
        fields.put("id", VaultInner::id);
        fields.put("name", VaultInner::name);
        fields.put("location", VaultInner::location);
        fields.put("tags", VaultInner::tags);
        fields.put("properties.tenantId", v -> v.properties().tenantId());
        fields.put("properties.vaultUri", v -> v.properties().vaultUri());
        fields.put("properties.sku.name", v -> v.properties().sku().name());
        fields.put("properties.provisioningState", v -> v.properties().provisioningState());
        fields.put("properties.accessPolicies[0].objectId", v -> v.properties().accessPolicies().get(0).objectId());
        fields.put("properties.accessPolicies[0].permissions.keys",
                v -> v.properties().accessPolicies().get(0).permissions().keys());
        String body = "{\"location\":\"westeurope\",\"tags\":{},\"properties\":{\"tenantId\":"
                + "\"00000000-0000-0000-0000-000000000000\",\"sku\":{\"family\":\"A\",\"name\":\"standard\"},"
                + "\"accessPolicies\":[{\"tenantId\":\"00000000-0000-0000-0000-000000000000\",\"objectId\":"
                + "\"00000000-0000-0000-0000-000000000001\",\"permissions\":{\"keys\":[\"get\"]}}],"
                + "\"enableSoftDelete\":true,\"enablePurgeProtection\":true}}";
        assertReadFields(VaultInner::fromJson, fixture("Microsoft.KeyVault/createVault.json", "201"),
                simulator("PUT", sub("/resourceGroups/" + GROUP + "/providers/Microsoft.KeyVault/vaults/kvcontract02"
                        + "?api-version=2024-11-01"), body), fields);
        assertReadFields(VaultInner::fromJson, fixture("Microsoft.KeyVault/getVault.json", "200"),
                simulator("GET", vault.id() + "?api-version=2024-11-01", null), fields);
        VaultInner created = parse(VaultInner::fromJson, simulator("GET", vault.id() + "?api-version=2024-11-01",
                null));
        assertThat(created.properties().enablePurgeProtection()).isTrue();
        assertThat(created.properties().enableSoftDelete()).isTrue();
        assertThat(created.properties().enableRbacAuthorization()).isFalse();
    }

    @Test
    void deletedVaultGetAndList() throws Exception {
        Map<String, Function<DeletedVaultInner, Object>> fields = new LinkedHashMap<>();
        fields.put("id", DeletedVaultInner::id);
        fields.put("name", DeletedVaultInner::name);
        fields.put("properties.vaultId", d -> d.properties().vaultId());
        fields.put("properties.location", d -> d.properties().location());
        fields.put("properties.tags", d -> d.properties().tags());
        fields.put("properties.deletionDate", d -> d.properties().deletionDate());
        fields.put("properties.scheduledPurgeDate", d -> d.properties().scheduledPurgeDate());
        fields.put("properties.purgeProtectionEnabled", d -> d.properties().purgeProtectionEnabled());
        assertReadFields(DeletedVaultInner::fromJson, fixture("Microsoft.KeyVault/getDeletedVault.json", "200"),
                simulator("GET", sub("/providers/Microsoft.KeyVault/locations/westeurope/deletedVaults/kvcontractgone"
                        + "?api-version=2024-11-01"), null), fields);
        JsonNode listed = JSON.readTree(simulator("GET", sub("/providers/Microsoft.KeyVault/deletedVaults"
                + "?api-version=2024-11-01"), null)).path("value").get(0);
        JsonNode fixtureListed = JSON.readTree(fixture("Microsoft.KeyVault/listDeletedVaults.json", "200"))
                .path("value").get(0);
        assertReadFields(DeletedVaultInner::fromJson, JSON.writeValueAsString(fixtureListed),
                JSON.writeValueAsString(listed), fields);
    }

    @Test
    void checkNameAvailability() throws Exception {
        Map<String, Function<CheckNameAvailabilityResultInner, Object>> fields = new LinkedHashMap<>();
        fields.put("nameAvailable", CheckNameAvailabilityResultInner::nameAvailable);
        assertReadFields(CheckNameAvailabilityResultInner::fromJson,
                fixture("Microsoft.KeyVault/checkVaultNameAvailability.json", "200"),
                simulator("POST", sub("/providers/Microsoft.KeyVault/checkNameAvailability?api-version=2024-11-01"),
                        "{\"name\":\"kvfreename01\",\"type\":\"Microsoft.KeyVault/vaults\"}"), fields);
    }

    @Test
    void keyCreateIfNotExist() throws Exception {
        Map<String, Function<KeyInner, Object>> fields = new LinkedHashMap<>();
        fields.put("id", KeyInner::id);
        fields.put("name", KeyInner::name);
        fields.put("properties.kty", KeyInner::kty);
        fields.put("properties.keySize", KeyInner::keySize);
        fields.put("properties.keyOps", KeyInner::keyOps);
        fields.put("properties.keyUri", KeyInner::keyUri);
        fields.put("properties.keyUriWithVersion", KeyInner::keyUriWithVersion);
        fields.put("properties.attributes.recoveryLevel", k -> k.attributes().recoveryLevel());
        assertReadFields(KeyInner::fromJson, fixture("Microsoft.KeyVault/createKey.json", "200"),
                simulator("PUT", vault.id() + "/keys/cmk2?api-version=2024-11-01",
                        "{\"properties\":{\"kty\":\"RSA\",\"keySize\":3072}}"), fields);
    }

    @Test
    void accessPolicyAdd() throws Exception {
        Map<String, Function<VaultAccessPolicyParametersInner, Object>> fields = new LinkedHashMap<>();
        fields.put("id", VaultAccessPolicyParametersInner::id);
        fields.put("properties.accessPolicies[0].objectId", p -> p.properties().accessPolicies().get(0).objectId());
        fields.put("properties.accessPolicies[0].permissions.keys",
                p -> p.properties().accessPolicies().get(0).permissions().keys());
        assertReadFields(VaultAccessPolicyParametersInner::fromJson,
                fixture("Microsoft.KeyVault/updateAccessPoliciesAdd.json", "200"),
                simulator("PUT", vault.id() + "/accessPolicies/add?api-version=2024-11-01",
                        "{\"properties\":{\"accessPolicies\":[{\"tenantId\":\"00000000-0000-0000-0000-000000000000\","
                                + "\"objectId\":\"" + SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT) + "\",\"permissions\":"
                                + "{\"keys\":[\"get\"]}}]}}"), fields);
    }

    @Test
    void dataPlaneCreateKey() throws Exception {
        Map<String, Function<KeyBundle, Object>> fields = new LinkedHashMap<>();
        fields.put("key.kid", k -> k.getKey().getKid());
        fields.put("key.kty", k -> k.getKey().getKty());
        fields.put("key.n", k -> k.getKey().getN());
        fields.put("key.e", k -> k.getKey().getE());
        fields.put("attributes.recoveryLevel", k -> k.getAttributes().getRecoveryLevel());
        HttpResponse<String> created = http.send(HttpRequest.newBuilder(URI.create(vault.vaultUri()
                        + "keys/cmk3/create?api-version=7.6"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"kty\":\"RSA\",\"key_size\":3072}"))
                .header("Authorization", "Bearer " + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT,
                        SimulatedDirectory.CALLER_OBJECT_ID)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(created.statusCode()).isEqualTo(200);
        assertReadFields(KeyBundle::fromJson, fixture("KeyVault.DataPlane/CreateKey-example.json", "200"),
                created.body(), fields);
    }

    @Test
    void dataPlaneForbidden() throws Exception {
        // The caller holds create and get on kvcontract01's keys, not purge.
        sim.state().key(vault.id(), "cmk-forbidden", 3072, Map.of());
        HttpResponse<String> refused = http.send(HttpRequest.newBuilder(URI.create(vault.vaultUri()
                        + "keys/cmk-forbidden?api-version=7.6")).DELETE()
                .header("Authorization", "Bearer " + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT,
                        SimulatedDirectory.CALLER_OBJECT_ID)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(refused.statusCode()).isEqualTo(403);

        String fixture = fixture("KeyVault.DataPlane/PurgeDeletedKey-forbidden.json", "403");
        Map<String, Function<ResponseError, Object>> fields = new LinkedHashMap<>();
        fields.put("error.code", ResponseError::getCode);
        fields.put("error.message", ResponseError::getMessage);
        assertReadFields(ResponseError::fromJson, JSON.writeValueAsString(JSON.readTree(fixture).path("error")),
                JSON.writeValueAsString(JSON.readTree(refused.body()).path("error")), fields);
        assertThat(JSON.readTree(refused.body()).path("error").path("code").asText())
                .isEqualTo(JSON.readTree(fixture).path("error").path("code").asText());
        assertThat(JSON.readTree(refused.body()).path("error").path("innererror").path("code").asText())
                .isEqualTo(JSON.readTree(fixture).path("error").path("innererror").path("code").asText());
        assertThat(sim.state().key(vault.id(), "cmk-forbidden").orElseThrow().deleted()).isFalse();
    }

    @Test
    void graphServicePrincipalByAppId() throws Exception {
        String tenant = "2b3c4d5e-6f70-4182-93a4-b5c6d7e8f901";
        String appId = AzureCloud.PUBLIC.cosmosDbApplicationId();
        HttpResponse<String> listed = http.send(HttpRequest.newBuilder(URI.create(sim.endpoint()
                        + "v1.0/servicePrincipals?$filter=" + URLEncoder.encode("appId eq '" + appId + "'",
                        StandardCharsets.UTF_8)))
                .header("Authorization", "Bearer " + SimulatedDirectory.token(tenant, SimulatedDirectory.CALLER_OBJECT_ID))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(listed.statusCode()).as(listed.body()).isEqualTo(200);

        Map<String, Function<MicrosoftGraphServicePrincipalInner, Object>> fields = new LinkedHashMap<>();
        fields.put("id", MicrosoftGraphServicePrincipalInner::id);
        fields.put("appId", MicrosoftGraphServicePrincipalInner::appId);
        fields.put("displayName", MicrosoftGraphServicePrincipalInner::displayName);
        fields.put("accountEnabled", MicrosoftGraphServicePrincipalInner::accountEnabled);
        String item = JSON.writeValueAsString(JSON.readTree(listed.body()).path("value").get(0));
        assertReadFields(MicrosoftGraphServicePrincipalInner::fromJson,
                fixture("MicrosoftGraph/serviceprincipal-get.json", "200"), item, fields);
        MicrosoftGraphServicePrincipalInner cosmosDb = parse(MicrosoftGraphServicePrincipalInner::fromJson, item);
        assertThat(cosmosDb.appId()).isEqualTo(appId);
        // An object id is not the application id, and differs per tenant.
        assertThat(cosmosDb.id()).isNotEqualTo(appId)
                .isEqualTo(SimulatedDirectory.cosmosDbObjectId(tenant))
                .isNotEqualTo(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT));
    }

    @Test
    void workspaceCreateAndGet() throws Exception {
        Map<String, Function<GenericResourceInner, Object>> fields = new LinkedHashMap<>();
        fields.put("id", GenericResourceInner::id);
        fields.put("name", GenericResourceInner::name);
        fields.put("type", GenericResourceInner::type);
        fields.put("location", GenericResourceInner::location);
        fields.put("properties.storageAccount", g -> property(g, "storageAccount"));
        fields.put("properties.keyVault", g -> property(g, "keyVault"));
        fields.put("properties.hbiWorkspace", g -> property(g, "hbiWorkspace"));
        fields.put("properties.encryption.status", g -> property(g, "encryption", "status"));
        fields.put("properties.encryption.keyVaultProperties.keyVaultArmId",
                g -> property(g, "encryption", "keyVaultProperties", "keyVaultArmId"));
        fields.put("properties.encryption.keyVaultProperties.keyIdentifier",
                g -> property(g, "encryption", "keyVaultProperties", "keyIdentifier"));
        String storage = sub("/resourceGroups/" + GROUP + "/providers/Microsoft.Storage/storageAccounts/stcontract01");
        String keyUrl = vault.vaultUri() + "keys/cmk";
        String body = "{\"location\":\"westeurope\",\"identity\":{\"type\":\"SystemAssigned\"},\"properties\":{"
                + "\"storageAccount\":\"" + storage + "\",\"keyVault\":\"" + vault.id() + "\",\"hbiWorkspace\":false,"
                + "\"encryption\":{\"status\":\"Enabled\",\"keyVaultProperties\":{\"keyVaultArmId\":\"" + vault.id()
                + "\",\"keyIdentifier\":\"" + keyUrl + "\"}}}}";
        String path = sub("/resourceGroups/" + GROUP + "/providers/Microsoft.MachineLearningServices/workspaces/"
                + "ws-contract?api-version=2026-07-01");
        assertReadFields(GenericResourceInner::fromJson, fixture("Microsoft.MachineLearningServices/create.json",
                "200"), simulator("PUT", path, body), fields);

        await().atMost(Duration.ofSeconds(5)).until(() -> sim.state()
                .workspace(SUBSCRIPTION, GROUP, "ws-contract").map(w -> "Succeeded".equals(w.provisioningState()))
                .orElse(false));
        fields.put("properties.serviceProvisionedResourceGroup", g -> property(g, "serviceProvisionedResourceGroup"));
        assertReadFields(GenericResourceInner::fromJson, fixture("Microsoft.MachineLearningServices/get.json", "200"),
                simulator("GET", path, null), fields);
    }

    private static Object property(GenericResourceInner resource, String... path) {
        Object current = resource.properties();
        for (String p : path) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(p);
        }
        return current;
    }
}
