package io.cmkflow.standins.arm;

import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.contract.KeyVaultRoles;
import io.cmkflow.contract.AzureCloud;
import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.resources.models.GenericResource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkspaceTest {
    static final String API = "2026-07-01";
    static final String GROUP = "rg-ml";
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();

    /** A vault, key, storage account and app insights ready for a CMK workspace; returns the key URL with version. */
    private static Cmk prepare(VaultSeed vault) {
        ArmState state = session.arm().state();
        ArmState.VaultView v = state.vault(vault);
        ArmState.KeyView key = state.key(v.id(), "cmk", 3072, Map.of());
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
        ArmState.ResourceView storage = state.storageAccount(SUBSCRIPTION, GROUP, "st" + suffix, "westeurope", Map.of());
        ArmState.ResourceView insights = state.applicationInsights(SUBSCRIPTION, GROUP, "ai" + suffix, "westeurope",
                Map.of());
        return new Cmk(v, v.vaultUri() + "keys/cmk/" + key.latestVersion(), storage.id(), insights.id());
    }

    record Cmk(ArmState.VaultView vault, String keyUrl, String storageId, String insightsId) {
    }

    private static String vaultName() {
        return "kv" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static VaultSeed grantedVault() {
        return VaultSeed.of(SUBSCRIPTION, GROUP, vaultName())
                .accessPolicy(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT), List.of("get", "wrapKey", "unwrapKey"));
    }

    private static Map<String, Object> properties(Cmk cmk) {
        return Map.of(
                "storageAccount", cmk.storageId(),
                "keyVault", cmk.vault().id(),
                "applicationInsights", cmk.insightsId(),
                "hbiWorkspace", true,
                "encryption", Map.of("status", "Enabled", "keyVaultProperties", Map.of(
                        "keyVaultArmId", cmk.vault().id(), "keyIdentifier", cmk.keyUrl())));
    }

    private static GenericResource create(String name, Cmk cmk) {
        return session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().define(name)
                .withRegion(Region.EUROPE_WEST)
                .withExistingResourceGroup(GROUP)
                .withResourceType("workspaces")
                .withProviderNamespace("Microsoft.MachineLearningServices")
                .withoutPlan()
                .withApiVersion(API)
                .withProperties(properties(cmk))
                .withTag("cmkflow-request-id", "r-1")
                .create();
    }

    private static String workspaceId(String name) {
        return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.MachineLearningServices/workspaces/" + name;
    }

    @Test
    void createIsALongRunningOperationEndingWithTheWorkspaceAndItsManagedGroup() {
        Cmk cmk = prepare(grantedVault());

        GenericResource workspace = create("ws-create", cmk);

        @SuppressWarnings("unchecked")
        Map<String, Object> props = (Map<String, Object>) workspace.properties();
        assertThat(props).containsEntry("provisioningState", "Succeeded");
        String managedGroup = (String) props.get("serviceProvisionedResourceGroup");
        assertThat(managedGroup).startsWith("azureml-rg-ws-create_");
        assertThat(workspace.tags()).containsEntry("cmkflow-request-id", "r-1");

        ArmState.ResourceGroupView group = session.arm().state().resourceGroup(SUBSCRIPTION, managedGroup).orElseThrow();
        assertThat(group.managedBy()).isEqualTo(workspaceId("ws-create"));
        assertThat(session.arm().state().resourcesIn(SUBSCRIPTION, managedGroup)).extracting(ArmState.ResourceView::type)
                .containsExactlyInAnyOrder("Microsoft.DocumentDB/databaseAccounts",
                        "Microsoft.Storage/storageAccounts", "Microsoft.Search/searchServices");
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().listByResourceGroup(managedGroup).stream().count()).isEqualTo(3);

        JournalEntry put = session.arm().journal().byOperation("Workspaces_CreateOrUpdate").get(0);
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.path()).isEqualTo(workspaceId("ws-create")).doesNotContain("//");
        assertThat(put.query()).containsEntry("api-version", API);
        assertThat(session.arm().journal().byOperation("WorkspaceOperations_GetStatus")).isNotEmpty();
        assertThat(session.arm().journal().byOperation("Workspaces_Get")).isNotEmpty();
        assertThat(session.arm().journal().unhandled()).isEmpty();

        GenericResource read = session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().getById(workspaceId("ws-create"), API);
        assertThat(read.id()).isEqualTo(workspaceId("ws-create"));
    }

    @Test
    void secondPutIsIdempotentAndMakesNoSecondManagedGroup() {
        Cmk cmk = prepare(grantedVault());
        create("ws-twice", cmk);
        int managedGroups = session.arm().state().managedResourceGroups().size();

        GenericResource again = create("ws-twice", cmk);

        assertThat(session.arm().state().managedResourceGroups()).hasSize(managedGroups);
        assertThat(session.arm().journal().byOperation("Workspaces_CreateOrUpdate")).last()
                .satisfies(e -> assertThat(e.status()).isEqualTo(200));
        assertThat(again.id()).isEqualTo(workspaceId("ws-twice"));
    }

    @Test
    void vaultWithoutPurgeProtectionFailsTheOperation() {
        Cmk cmk = prepare(grantedVault().purgeProtection(false));

        assertThatThrownBy(() -> create("ws-no-purge-protection", cmk))
                .isInstanceOfSatisfying(ManagementException.class, e -> assertThat(e.getValue().getMessage())
                        .isEqualTo("CMK workspaces should have purge protection enabled on their CMK keyvault"));
        // As in Azure, the workspace stays, Failed (a PUT provisions it again, a DELETE removes it).
        assertThat(session.arm().state().workspace(SUBSCRIPTION, GROUP, "ws-no-purge-protection"))
                .hasValueSatisfying(ws -> assertThat(ws.provisioningState()).isEqualTo("Failed"));
    }

    @Test
    void cosmosWithoutKeyPermissionsFailsTheOperation() {
        Cmk cmk = prepare(VaultSeed.of(SUBSCRIPTION, GROUP, vaultName())
                .accessPolicy(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT), List.of("get", "wrapKey")));

        assertThatThrownBy(() -> create("ws-no-grant", cmk))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getValue().getCode()).isEqualTo("KeyVaultAccessDenied");
                });
        assertThat(session.arm().state().managedResourceGroups())
                .noneMatch(g -> g.name().startsWith("azureml-rg-ws-no-grant_"));
    }

    @Test
    void anEntryForCosmosDbsApplicationIdGrantsNoOne() {
        Cmk cmk = prepare(VaultSeed.of(SUBSCRIPTION, GROUP, vaultName())
                .accessPolicy(AzureCloud.PUBLIC.cosmosDbApplicationId(), List.of("get", "wrapKey", "unwrapKey")));

        assertThatThrownBy(() -> create("ws-app-id", cmk))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getValue().getCode()).isEqualTo("KeyVaultAccessDenied");
                    assertThat(e.getValue().getMessage()).contains(
                            SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT));
                });
    }

    @Test
    void aCosmosDbRoleAssignmentCountsOnlyOnceItHasApplied() {
        ArmSimulatorOptions delayed = ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)
                .withRoleAssignmentDelay(Duration.ofMinutes(5));
        try (CmkStack slow = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(delayed).resourceGroup(SUBSCRIPTION, GROUP, "westeurope")
                .build().start()) {
            ArmState state = slow.arm().state();
            ArmState.VaultView vault = state.vault(VaultSeed.of(SUBSCRIPTION, GROUP, vaultName()).rbacAuthorization(true));
            state.key(vault.id(), "cmk", 3072, Map.of());
            ArmState.ResourceView storage = state.storageAccount(SUBSCRIPTION, GROUP, "stdelayed01", "westeurope", Map.of());
            slow.resourceManager(SUBSCRIPTION).accessManagement().roleAssignments().define(UUID.randomUUID().toString())
                    .forObjectId(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT))
                    .withBuiltInRole(com.azure.resourcemanager.authorization.models.BuiltInRole.fromString(
                            KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME))
                    .withScope(vault.id()).create();
            Map<String, Object> properties = Map.of("storageAccount", storage.id(), "keyVault", vault.id(),
                    "encryption", Map.of("status", "Enabled", "keyVaultProperties", Map.of(
                            "keyVaultArmId", vault.id(), "keyIdentifier", vault.vaultUri() + "keys/cmk")));

            assertThatThrownBy(() -> slow.resourceManager(SUBSCRIPTION).genericResources()
                    .define("ws-delayed").withRegion("westeurope").withExistingResourceGroup(GROUP)
                    .withResourceType("workspaces").withProviderNamespace("Microsoft.MachineLearningServices")
                    .withoutPlan().withApiVersion(API).withProperties(properties).create())
                    .isInstanceOfSatisfying(ManagementException.class,
                            e -> assertThat(e.getValue().getCode()).isEqualTo("KeyVaultAccessDenied"));
        }
    }

    @Test
    void aKeyChangeIsALongRunningPatchAfterWhichTheWorkspaceReportsTheNewKey() {
        Cmk cmk = prepare(grantedVault());
        create("ws-rotate", cmk);
        ArmState.KeyView second = session.arm().state().key(cmk.vault().id(), "cmk-2", 3072, Map.of());
        String secondUrl = cmk.vault().vaultUri() + "keys/cmk-2/" + second.latestVersion();

        resources().beginUpdateById(workspaceId("ws-rotate"), API, keyChange(secondUrl)).getFinalResult();

        GenericResource after = session.resourceManager(SUBSCRIPTION).genericResources().getById(workspaceId("ws-rotate"), API);
        assertThat(keyIdentifier(encryption(after))).isEqualTo(secondUrl);
        assertThat(encryption(after)).containsEntry("status", "Enabled");
        @SuppressWarnings("unchecked")
        Map<String, Object> props = (Map<String, Object>) after.properties();
        assertThat(props).containsEntry("provisioningState", "Succeeded");
        JournalEntry patch = session.arm().journal().byOperation("Workspaces_Update").get(0);
        assertThat(patch.status()).isEqualTo(202);
        assertThat(patch.requestBody()).doesNotContain("keyVaultArmId");
        assertThat(session.arm().journal().byOperation("WorkspaceOperations_GetResult")).isNotEmpty();
    }

    @Test
    void aKeyInAnotherVaultIsRefusedAtOnceAndTheWorkspaceKeepsItsKey() {
        Cmk cmk = prepare(grantedVault());
        create("ws-other-vault", cmk);
        Cmk elsewhere = prepare(grantedVault());

        assertThatThrownBy(() -> resources().beginUpdateById(workspaceId("ws-other-vault"), API, keyChange(elsewhere.keyUrl()))
                .getFinalResult())
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(400);
                    assertThat(e.getValue().getMessage()).contains("original key vault '" + cmk.vault().id() + "'");
                });
        GenericResource after = session.resourceManager(SUBSCRIPTION).genericResources().getById(workspaceId("ws-other-vault"), API);
        assertThat(keyIdentifier(encryption(after))).isEqualTo(cmk.keyUrl());
        assertThat(session.arm().journal().byOperation("WorkspaceOperations_GetResult")).isEmpty();
    }

    @Test
    void aKeyChangeToAKeyThatDoesNotExistFailsTheOperationAndTheOldKeyStays() {
        Cmk cmk = prepare(grantedVault());
        create("ws-absent-key", cmk);
        String absent = cmk.vault().vaultUri() + "keys/absent";

        var poller = resources().beginUpdateById(workspaceId("ws-absent-key"), API, keyChange(absent));

        assertThat(poller.waitForCompletion().getStatus()).isEqualTo(com.azure.core.util.polling.LongRunningOperationStatus.FAILED);
        // The operation's Location answers the failure as the PATCH itself would have: 400 KeyNotFound.
        JournalEntry result = session.arm().journal().byOperation("WorkspaceOperations_GetResult").stream()
                .filter(e -> e.status() != 202).findFirst().orElseThrow();
        assertThat(result.status()).isEqualTo(400);
        assertThat(result.errorCode()).isEqualTo("KeyNotFound");
        GenericResource after = session.resourceManager(SUBSCRIPTION).genericResources().getById(workspaceId("ws-absent-key"), API);
        assertThat(keyIdentifier(encryption(after))).isEqualTo(cmk.keyUrl());
        @SuppressWarnings("unchecked")
        Map<String, Object> props = (Map<String, Object>) after.properties();
        assertThat(props).containsEntry("provisioningState", "Succeeded");
    }

    private static com.azure.resourcemanager.resources.fluent.ResourcesClient resources() {
        return session.resourceManager(SUBSCRIPTION).genericResources().manager().serviceClient().getResources();
    }

    /** The body Microsoft's SDKs send to rotate: only the key URL (EncryptionKeyVaultUpdateProperties). */
    private static com.azure.resourcemanager.resources.fluent.models.GenericResourceInner keyChange(String keyUrl) {
        return new com.azure.resourcemanager.resources.fluent.models.GenericResourceInner().withProperties(
                Map.of("encryption", Map.of("keyVaultProperties", Map.of("keyIdentifier", keyUrl))));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> encryption(GenericResource workspace) {
        return (Map<String, Object>) ((Map<String, Object>) workspace.properties()).get("encryption");
    }

    @SuppressWarnings("unchecked")
    private static String keyIdentifier(Map<String, Object> encryption) {
        return (String) ((Map<String, Object>) encryption.get("keyVaultProperties")).get("keyIdentifier");
    }

    @Test
    void missingKeyFailsTheOperation() {
        Cmk cmk = prepare(grantedVault());
        Cmk wrongKey = new Cmk(cmk.vault(), cmk.vault().vaultUri() + "keys/absent", cmk.storageId(), cmk.insightsId());

        assertThatThrownBy(() -> create("ws-no-key", wrongKey))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("KeyNotFound"));
    }

    @Test
    void rbacVaultNeedsTheCryptoServiceEncryptionUserRole() {
        Cmk cmk = prepare(VaultSeed.of(SUBSCRIPTION, GROUP, vaultName()).rbacAuthorization(true));
        assertThatThrownBy(() -> create("ws-rbac", cmk)).isInstanceOf(ManagementException.class);

        session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleAssignments().define(UUID.randomUUID().toString())
                .forObjectId(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT))
                .withBuiltInRole(com.azure.resourcemanager.authorization.models.BuiltInRole.fromString(
                        KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME))
                .withScope(cmk.vault().id())
                .create();

        assertThat(create("ws-rbac", cmk).properties()).isNotNull();
        assertThat(session.arm().state().roleAssignments()).anySatisfy(a -> {
            assertThat(a.principalId()).isEqualTo(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT));
            assertThat(a.roleDefinitionId()).endsWith(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
            assertThat(a.scope()).isEqualTo(cmk.vault().id());
        });
    }

    @Test
    void plannedQuotaFailureFailsTheOperationWithItsCode() {
        Cmk cmk = prepare(grantedVault());
        session.arm().state().failNextWorkspaceProvisioning("ws-quota", "QuotaExceeded",
                "Cosmos DB quota exceeded in westeurope.");

        assertThatThrownBy(() -> create("ws-quota", cmk))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("QuotaExceeded"));
        assertThat(create("ws-quota", cmk).properties()).isNotNull();
    }

    @Test
    void injectedQuotaFaultRefusesThePutUntilItIsUsedUp() {
        Cmk cmk = prepare(grantedVault());
        session.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName("ws-fault")
                .status(409).code("QuotaExceeded").message("Quota exceeded for Cosmos DB accounts.").times(2));

        for (int attempt = 0; attempt < 2; attempt++) {
            assertThatThrownBy(() -> create("ws-fault", cmk))
                    .isInstanceOfSatisfying(ManagementException.class, e -> {
                        assertThat(e.getResponse().getStatusCode()).isEqualTo(409);
                        assertThat(e.getValue().getCode()).isEqualTo("QuotaExceeded");
                    });
        }
        assertThat(session.arm().state().workspace(SUBSCRIPTION, GROUP, "ws-fault")).isEmpty();
        assertThat(create("ws-fault", cmk).id()).isEqualTo(workspaceId("ws-fault"));
        assertThat(session.arm().journal().byOperation("Workspaces_CreateOrUpdate")).extracting(JournalEntry::status)
                .containsExactly(409, 409, 201);
    }

    @Test
    void managedGroupDeletesAreRefusedAndRecorded() {
        Cmk cmk = prepare(grantedVault());
        GenericResource workspace = create("ws-guarded", cmk);
        @SuppressWarnings("unchecked")
        String managedGroup = (String) ((Map<String, Object>) workspace.properties())
                .get("serviceProvisionedResourceGroup");
        String cosmosId = session.arm().state().resourcesIn(SUBSCRIPTION, managedGroup).stream()
                .filter(r -> r.type().equals("Microsoft.DocumentDB/databaseAccounts")).findFirst().orElseThrow().id();

        assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().deleteByName(managedGroup))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(403);
                    assertThat(e.getValue().getCode()).isEqualTo("DenyAssignmentAuthorizationFailed");
                });
        assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().deleteById(cosmosId, "2024-11-15"))
                .isInstanceOf(ManagementException.class);

        assertThat(session.arm().state().refusedDeletes()).extracting(ArmState.RefusedDelete::operation)
                .containsExactly("ResourceGroups_Delete", "DatabaseAccounts_Delete");
        assertThat(session.arm().state().resourceGroup(SUBSCRIPTION, managedGroup)).isPresent();
        assertThat(session.arm().state().resource(cosmosId)).isPresent();
    }

    @Test
    void deleteWithForceToPurgeRemovesTheWorkspaceAndItsManagedGroup() {
        Cmk cmk = prepare(grantedVault());
        GenericResource workspace = create("ws-purged", cmk);
        @SuppressWarnings("unchecked")
        String managedGroup = (String) ((Map<String, Object>) workspace.properties())
                .get("serviceProvisionedResourceGroup");

        session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().deleteById(workspaceId("ws-purged") + "?forceToPurge=true", API);

        assertThat(session.arm().state().workspace(SUBSCRIPTION, GROUP, "ws-purged")).isEmpty();
        assertThat(session.arm().state().resourceGroup(SUBSCRIPTION, managedGroup)).isEmpty();
        assertThat(session.arm().state().resourcesIn(SUBSCRIPTION, managedGroup)).isEmpty();
        assertThat(session.arm().state().softDeletedWorkspaces()).noneMatch(w -> w.name().equals("ws-purged"));
        JournalEntry delete = session.arm().journal().byOperation("Workspaces_Delete").get(0);
        assertThat(delete.status()).isEqualTo(202);
        assertThat(delete.query()).containsEntry("forceToPurge", "true");
        assertThat(session.arm().state().refusedDeletes()).noneMatch(r -> r.path().contains(managedGroup));
    }

    @Test
    void deleteWithoutPurgeSoftDeletesAndBlocksTheName() {
        Cmk cmk = prepare(grantedVault());
        create("ws-soft", cmk);

        session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().deleteById(workspaceId("ws-soft"), API);

        assertThat(session.arm().state().workspace(SUBSCRIPTION, GROUP, "ws-soft")).isEmpty();
        assertThat(session.arm().state().softDeletedWorkspaces()).anyMatch(w -> w.name().equals("ws-soft"));
        assertThatThrownBy(() -> create("ws-soft", cmk))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(409));

        session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().deleteById(workspaceId("ws-soft") + "?forceToPurge=true", API);
        assertThat(session.arm().state().softDeletedWorkspaces()).noneMatch(w -> w.name().equals("ws-soft"));
        assertThat(create("ws-soft", cmk).id()).isEqualTo(workspaceId("ws-soft"));
    }
}
