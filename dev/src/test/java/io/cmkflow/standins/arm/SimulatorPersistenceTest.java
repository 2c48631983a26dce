package io.cmkflow.standins.arm;

import io.cmkflow.testing.TestRequests;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.Region;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.authorization.models.BuiltInRole;
import com.azure.resourcemanager.authorization.models.RoleAssignment;
import com.azure.resourcemanager.keyvault.fluent.models.DeletedVaultInner;
import com.azure.resourcemanager.keyvault.models.Key;
import com.azure.resourcemanager.keyvault.models.KeyPermissions;
import com.azure.resourcemanager.keyvault.models.Vault;
import com.azure.resourcemanager.resources.models.GenericResource;
import com.azure.resourcemanager.storage.models.StorageAccount;
import com.azure.resourcemanager.storage.models.StorageAccountSkuType;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.KeyVaultRoles;
import io.cmkflow.testing.CmkStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A simulator on a state file answers after a restart (clean or a crash) exactly as before, through the real SDK.
 */
class SimulatorPersistenceTest {
    static final String API = "2026-07-01";
    static final String GROUP = "rg-persist";
    static final String COSMOS = SimulatedDirectory.cosmosDbObjectId(TestRequests.TENANT);
    static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static ArmSimulatorOptions options(Path file) {
        return ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true).withStateFile(file);
    }

    /** What the first runs made, as the SDK answered it. */
    record Made(String vaultId, String vaultUri, String keyId, String keyVersion, String deletedVault,
                OffsetDateTime deletionDate, OffsetDateTime scheduledPurgeDate, String roleAssignmentId,
                String principal, String storageId, String insightsId, String instrumentationKey, String identityId,
                String workspaceId, String managedGroup, String inFlightId, String operationUrl) {
    }

    @Test
    void everythingIsThereAfterACleanRestart() throws Exception {
        Path file = dir.resolve("state").resolve("arm.json");
        Made made = firstRun(file);
        CmkStack second = stack(options(file).withWorkspaceOperationDuration(
                Duration.ofSeconds(4)));
        made = inFlightWorkspace(second, made);
        int secondPort = second.arm().endpoint().getPort();
        second.close();

        try (CmkStack third = stack(options(file))) {
            assertAllThere(third, made);
            // Its ports were free: the vault listens where it did, so the key URL a workflow kept still answers.
            assertThat(third.resourceManager(SUBSCRIPTION).vaults().getById(made.vaultId()).vaultUri()).isEqualTo(made.vaultUri());
            assertThat(third.arm().endpoint().getPort()).isEqualTo(secondPort);
            assertOperationFinishes(third, made);
        }
    }

    @Test
    void everythingIsThereAfterACrash() throws Exception {
        Path file = dir.resolve("arm.json");
        Made made = firstRun(file);
        CmkStack second = stack(options(file).withWorkspaceOperationDuration(
                Duration.ofSeconds(4)));
        made = inFlightWorkspace(second, made);
        String written = Files.readString(file);

        // The second run is "killed": the third starts on what it last wrote, while it still holds its ports.
        try (CmkStack third = stack(options(file))) {
            second.arm().abandon();
            assertAllThere(third, made);
            String vaultUri = third.resourceManager(SUBSCRIPTION).vaults().getById(made.vaultId()).vaultUri();
            assertThat(vaultUri).isNotEqualTo(made.vaultUri()).matches("https://localhost:\\d+/");
            assertThat(third.arm().endpoint()).isNotEqualTo(second.arm().endpoint());
            // The in-flight create kept the key URL of the old port: it still names the key of that vault.
            assertOperationFinishes(third, made);
        }
        assertThat(written).doesNotContain("https://localhost:" + second.arm().endpoint().getPort())
                .doesNotContain(made.vaultUri()).contains("{{vault:");
    }

    @Test
    void aStateFileOfAnotherFormatVersionIsRefusedNamingTheFile() throws IOException {
        Path file = dir.resolve("future.json");
        Files.writeString(file, "{\"format\":\"cmkflow-arm-simulator-state\",\"formatVersion\":99,\"state\":{}}");
        assertThatThrownBy(() -> ArmSimulator.start(options(file)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(file.toAbsolutePath().toString()).hasMessageContaining("format version 99");

        Path garbage = dir.resolve("garbage.json");
        Files.writeString(garbage, "{not json");
        assertThatThrownBy(() -> ArmSimulator.start(options(garbage)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining(garbage.toAbsolutePath().toString());
    }

    @Test
    void withoutAStateFileNothingIsWritten() throws IOException {
        List<Path> folders = List.of(Paths.get("").toAbsolutePath(), Paths.get(System.getProperty("java.io.tmpdir")),
                dir);
        Set<Path> before = listing(folders);
        try (CmkStack session = stack(ArmSimulatorOptions.defaults()
                .withProvidersRegisteredAtStart(true))) {
            session.resourceManager(SUBSCRIPTION).resourceGroups().define(GROUP).withRegion(Region.EUROPE_WEST).create();
            session.resourceManager(SUBSCRIPTION).vaults().define("kv" + suffix()).withRegion(Region.EUROPE_WEST)
                    .withExistingResourceGroup(GROUP).withEmptyAccessPolicy().withPurgeProtectionEnabled().create();
        }
        Set<Path> created = listing(folders);
        created.removeAll(before);
        assertThat(created).noneMatch(SimulatorPersistenceTest::isStateFile);
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void snapshotCost() throws Exception {
        Path file = dir.resolve("cost.json");
        Made made = firstRun(file);
        try (CmkStack session = stack(options(file))) {
            made = inFlightWorkspace(session, made);
            ArmState state = session.arm().state();
            int rounds = 200;
            long start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                // A tag change per round: every snapshot differs from the last, so each is serialised and written.
                state.resourceGroup(SUBSCRIPTION, "rg-cost", "westeurope");
                state.storageAccount(SUBSCRIPTION, "rg-cost", "stcost", "westeurope", Map.of("round", "" + i));
            }
            long perWrite = (System.nanoTime() - start) / rounds / 2;
            start = System.nanoTime();
            for (int i = 0; i < rounds; i++) {
                synchronized (state) {
                    JsonDocuments.MAPPER.writeValueAsString(state.export());
                }
            }
            long perExport = (System.nanoTime() - start) / rounds;
            System.out.printf("ARM simulator snapshot: %d bytes, %.2f ms per change written, %.3f ms to serialise"
                    + " (paid by every request, written or not)%n", Files.size(file), perWrite / 1e6, perExport / 1e6);
            assertThat(Files.size(file)).isPositive();
        }
    }

    // --- the runs -------------------------------------------------------------------------------------------------

    /** Makes every kind of resource through the SDK (plus seeds the SDK cannot make), then closes. */
    private Made firstRun(Path file) {
        try (CmkStack s = stack(options(file))) {
            AzureResourceManager azure = s.resourceManager(SUBSCRIPTION);
            s.arm().state().unregisterProvider(SUBSCRIPTION, "Microsoft.Search");
            azure.resourceGroups().define(GROUP).withRegion(Region.EUROPE_WEST).create();
            Vault vault = azure.vaults().define("kv" + suffix()).withRegion(Region.EUROPE_WEST)
                    .withExistingResourceGroup(GROUP)
                    .defineAccessPolicy().forObjectId(COSMOS)
                    .allowKeyPermissions(KeyPermissions.GET, KeyPermissions.WRAP_KEY, KeyPermissions.UNWRAP_KEY)
                    .attach()
                    .defineAccessPolicy().forObjectId(SimulatedDirectory.CALLER_OBJECT_ID)
                    .allowKeyPermissions(KeyPermissions.CREATE, KeyPermissions.GET, KeyPermissions.LIST)
                    .attach()
                    .withPurgeProtectionEnabled().create();
            Key key = vault.keys().define("cmk")
                    .withKeyTypeToCreate(KeyType.RSA).withKeySize(3072)
                    .create();
            String keyId = key.id();
            String keyVersion = keyId.substring(keyId.lastIndexOf('/') + 1);

            String deletedName = "kv" + suffix();
            Vault doomed = azure.vaults().define(deletedName).withRegion(Region.EUROPE_WEST)
                    .withExistingResourceGroup(GROUP).withEmptyAccessPolicy().withPurgeProtectionEnabled().create();
            azure.vaults().deleteById(doomed.id());
            DeletedVaultInner deleted = azure.vaults().manager().serviceClient().getVaults()
                    .getDeleted(deletedName, "westeurope");

            String principal = UUID.randomUUID().toString();
            RoleAssignment assignment = azure.accessManagement().roleAssignments()
                    .define(UUID.randomUUID().toString()).forObjectId(principal)
                    .withBuiltInRole(BuiltInRole.fromString(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME))
                    .withScope(vault.id()).create();

            StorageAccount storage = azure.storageAccounts().define("st" + suffix())
                    .withRegion(Region.EUROPE_WEST).withExistingResourceGroup(GROUP)
                    .withSku(StorageAccountSkuType.STANDARD_LRS).withGeneralPurposeAccountKindV2().create();
            GenericResource insights = azure.genericResources().define("ai-persist")
                    .withRegion(Region.EUROPE_WEST).withExistingResourceGroup(GROUP)
                    .withResourceType("components").withProviderNamespace("microsoft.insights")
                    .withoutPlan().withApiVersion("2020-02-02").withKind("web")
                    .withProperties(Map.of("Application_Type", "web")).create();
            String identityId = s.arm().state().userAssignedIdentity(SUBSCRIPTION, GROUP, "id-persist", principal,
                    UUID.randomUUID().toString()).id();

            GenericResource workspace = azure.genericResources().define("ws-done")
                    .withRegion(Region.EUROPE_WEST).withExistingResourceGroup(GROUP)
                    .withResourceType("workspaces").withProviderNamespace("Microsoft.MachineLearningServices")
                    .withoutPlan().withApiVersion(API)
                    .withProperties(workspaceProperties(vault.id(), keyId, storage.id(), insights.id()))
                    .create();
            return new Made(vault.id(), vault.vaultUri(), keyId, keyVersion, deletedName,
                    deleted.properties().deletionDate(), deleted.properties().scheduledPurgeDate(), assignment.id(),
                    principal, storage.id(), insights.id(), (String) props(insights).get("InstrumentationKey"),
                    identityId, workspace.id(), (String) props(workspace).get("serviceProvisionedResourceGroup"),
                    null, null);
        }
    }

    /** Starts a workspace create over plain HTTP, as a client that keeps the operation URL to poll it. */
    private Made inFlightWorkspace(CmkStack s, Made made) throws IOException {
        String id = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.MachineLearningServices/workspaces/ws-in-flight";
        Map<String, Object> body = Map.of("location", "westeurope", "properties",
                workspaceProperties(made.vaultId(), made.keyId(), made.storageId(), made.insightsId()));
        HttpRequest put = new HttpRequest(HttpMethod.PUT, s.arm().endpoint() + id.substring(1) + "?api-version=" + API)
                .setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT, SimulatedDirectory.CALLER_OBJECT_ID))
                .setHeader(HttpHeaderName.CONTENT_TYPE, "application/json")
                .setBody(JSON.writeValueAsString(body));
        try (HttpResponse response = s.arm().httpClient().send(put).block()) {
            assertThat(response.getStatusCode()).isEqualTo(201);
            String operationUrl = response.getHeaderValue("Azure-AsyncOperation");
            assertThat(operationUrl).isNotNull();
            return new Made(made.vaultId(), made.vaultUri(), made.keyId(), made.keyVersion(), made.deletedVault(),
                    made.deletionDate(), made.scheduledPurgeDate(), made.roleAssignmentId(), made.principal(),
                    made.storageId(), made.insightsId(), made.instrumentationKey(), made.identityId(),
                    made.workspaceId(), made.managedGroup(), id, operationUrl);
        }
    }

    private static void assertAllThere(CmkStack s, Made made) {
        AzureResourceManager azure = s.resourceManager(SUBSCRIPTION);
        assertThat(azure.resourceGroups().getByName(GROUP).regionName()).isEqualTo("westeurope");
        assertThat(azure.providers().getByName("Microsoft.Search").registrationState()).isEqualTo("NotRegistered");

        Vault vault = azure.vaults().getById(made.vaultId());
        assertThat(vault.id()).isEqualTo(made.vaultId());
        assertThat(vault.purgeProtectionEnabled()).isTrue();
        assertThat(vault.accessPolicies()).anySatisfy(p -> {
            assertThat(p.objectId()).isEqualTo(COSMOS);
            assertThat(p.permissions().keys()).contains(KeyPermissions.GET, KeyPermissions.WRAP_KEY,
                    KeyPermissions.UNWRAP_KEY);
        });
        KeyVaultKey key = new KeyClientBuilder().vaultUrl(vault.vaultUri()).credential(s.arm().credential())
                .httpClient(s.arm().httpClient()).retryPolicy(new RetryPolicy(new FixedDelay(0, Duration.ofMillis(1))))
                .disableChallengeResourceVerification().buildClient().getKey("cmk", made.keyVersion());
        assertThat(key.getId()).isEqualTo(vault.vaultUri() + "keys/cmk/" + made.keyVersion());
        assertThat(key.getKeyType()).isEqualTo(KeyType.RSA);
        assertThat(vault.keys().getByName("cmk").id()).isEqualTo(key.getId());

        DeletedVaultInner deleted = azure.vaults().manager().serviceClient().getVaults()
                .getDeleted(made.deletedVault(), "westeurope");
        assertThat(deleted.properties().deletionDate()).isEqualTo(made.deletionDate());
        assertThat(deleted.properties().scheduledPurgeDate()).isEqualTo(made.scheduledPurgeDate());

        RoleAssignment assignment = azure.accessManagement().roleAssignments().getById(made.roleAssignmentId());
        assertThat(assignment.principalId()).isEqualTo(made.principal());
        assertThat(assignment.scope()).isEqualTo(made.vaultId());
        assertThat(azure.storageAccounts().getById(made.storageId()).id()).isEqualTo(made.storageId());
        assertThat(props(azure.genericResources().getById(made.insightsId(), "2020-02-02")))
                .containsEntry("InstrumentationKey", made.instrumentationKey());
        assertThat(props(azure.genericResources().getById(made.identityId(), "2023-01-31")))
                .containsEntry("principalId", made.principal());

        GenericResource workspace = azure.genericResources().getById(made.workspaceId(), API);
        assertThat(props(workspace)).containsEntry("provisioningState", "Succeeded")
                .containsEntry("serviceProvisionedResourceGroup", made.managedGroup());
        assertThat(azure.resourceGroups().getByName(made.managedGroup()).name()).isEqualTo(made.managedGroup());
        assertThat(azure.genericResources().listByResourceGroup(made.managedGroup()).stream().count()).isEqualTo(3);
    }

    /** The operation URL the client kept answers on the endpoint the new simulator reports, and finishes. */
    private static void assertOperationFinishes(CmkStack s, Made made) throws Exception {
        URI kept = URI.create(made.operationUrl());
        String url = s.arm().endpoint() + kept.getRawPath().substring(1) + "?" + kept.getRawQuery();
        String status = poll(s, url);
        assertThat(status).isEqualTo("InProgress");
        Instant until = Instant.now().plusSeconds(20);
        while (!"Succeeded".equals(status) && Instant.now().isBefore(until)) {
            Thread.sleep(100);
            status = poll(s, url);
        }
        assertThat(status).isEqualTo("Succeeded");
        assertThat(props(s.resourceManager(SUBSCRIPTION).genericResources().getById(made.inFlightId(), API)))
                .containsEntry("provisioningState", "Succeeded");
    }

    private static String poll(CmkStack s, String url) throws IOException {
        HttpRequest get = new HttpRequest(HttpMethod.GET, url).setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT, SimulatedDirectory.CALLER_OBJECT_ID));
        try (HttpResponse response = s.arm().httpClient().send(get).block()) {
            assertThat(response.getStatusCode()).isEqualTo(200);
            JsonNode body = JSON.readTree(response.getBodyAsString().block());
            return body.path("status").asText();
        }
    }

    private static Map<String, Object> workspaceProperties(String vaultId, String keyId, String storageId,
                                                           String insightsId) {
        return Map.of("storageAccount", storageId, "keyVault", vaultId, "applicationInsights", insightsId,
                "hbiWorkspace", true, "encryption", Map.of("status", "Enabled", "keyVaultProperties",
                        Map.of("keyVaultArmId", vaultId, "keyIdentifier", keyId)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> props(GenericResource resource) {
        return (Map<String, Object>) resource.properties();
    }

    private static String suffix() {
        return UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private static boolean isStateFile(Path file) {
        try {
            return Files.isRegularFile(file) && Files.size(file) < 10_000_000
                    && new String(Files.readAllBytes(file), java.nio.charset.StandardCharsets.ISO_8859_1)
                    .contains(StateFile.FORMAT);
        } catch (IOException e) {
            return false;
        }
    }

    private static Set<Path> listing(List<Path> folders) throws IOException {
        Set<Path> files = new HashSet<>();
        for (Path folder : folders) {
            try (Stream<Path> list = Files.list(folder)) {
                list.forEach(files::add);
            }
        }
        return files;
    }

    /** A simulator on {@code options} with the SDK pointed at it; closed by the test (or abandoned, for a crash). */
    private static CmkStack stack(ArmSimulatorOptions options) {
        return CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(options).build().start();
    }
}
