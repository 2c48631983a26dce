package io.cmkflow.standins.arm;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.azure.core.management.Region;
import com.azure.resourcemanager.resources.models.GenericResource;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class JournalAndOptionsTest {

    @Test
    void journalSeparatesReadsFromWritesAndClears() {
        try (CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).sdkPollDelay(Duration.ofMillis(20)).build().start()) {
            session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().define("rg-journal").withRegion(Region.EUROPE_WEST).create();
            session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().getByName("rg-journal");

            Journal journal = session.arm().journal();
            assertThat(journal.writes()).extracting(JournalEntry::operation)
                    .containsExactly("ResourceGroups_CreateOrUpdate");
            assertThat(journal.reads()).extracting(JournalEntry::operation).contains("ResourceGroups_Get")
                    .doesNotContain("ResourceGroups_CreateOrUpdate");
            assertThat(journal.entries()).allSatisfy(e -> {
                assertThat(e.receivedAt()).isNotNull();
                assertThat(e.handled()).isTrue();
            });
            journal.clear();
            assertThat(journal.entries()).isEmpty();
        }
    }

    @Test
    void managedGroupResourcesCanAppearLate() {
        ArmSimulatorOptions options = ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)
                .withManagedResourcesDelay(Duration.ofMillis(1500));
        try (CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(options).sdkPollDelay(Duration.ofMillis(20)).build().start()) {
            ArmState state = session.arm().state();
            ArmState.VaultView vault = state.vault(VaultSeed.of(SUBSCRIPTION, "rg-late", "kvlate01")
                    .accessPolicy(SimulatedDirectory.cosmosDbObjectId(VaultSeed.DEFAULT_TENANT), List.of("get", "wrapKey", "unwrapKey")));
            state.key(vault.id(), "cmk", 3072, Map.of());
            ArmState.ResourceView storage = state.storageAccount(SUBSCRIPTION, "rg-late", "stlate01", "westeurope",
                    Map.of());

            GenericResource workspace = session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().define("ws-late")
                    .withRegion(Region.EUROPE_WEST).withExistingResourceGroup("rg-late")
                    .withResourceType("workspaces").withProviderNamespace("Microsoft.MachineLearningServices")
                    .withoutPlan().withApiVersion("2026-07-01")
                    .withProperties(Map.of("storageAccount", storage.id(), "keyVault", vault.id(),
                            "encryption", Map.of("status", "Enabled", "keyVaultProperties", Map.of(
                                    "keyVaultArmId", vault.id(), "keyIdentifier", vault.vaultUri() + "keys/cmk"))))
                    .create();
            @SuppressWarnings("unchecked")
            String group = (String) ((Map<String, Object>) workspace.properties()).get("serviceProvisionedResourceGroup");

            assertThat(state.resourceGroup(SUBSCRIPTION, group)).isPresent();
            assertThat(state.resourcesIn(SUBSCRIPTION, group)).isEmpty();
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                    assertThat(state.resourcesIn(SUBSCRIPTION, group)).hasSize(3));
        }
    }

    @Test
    void aSlowCallIsInFlightUntilItIsJournaled() {
        try (CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).sdkPollDelay(Duration.ofMillis(20)).build().start()) {
            session.arm().latency().forOperation("ResourceGroups_CreateOrUpdate", Duration.ofSeconds(3));
            CompletableFuture<?> create = CompletableFuture.runAsync(() ->
                    session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().define("rg-slow").withRegion(Region.EUROPE_WEST).create());

            // Both read in one poll: on a busy machine the call may finish between two separate reads.
            await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(10))
                    .until(() -> session.arm().operationsInFlight().contains("ResourceGroups_CreateOrUpdate")
                            && session.arm().journal().byOperation("ResourceGroups_CreateOrUpdate").isEmpty());
            create.join();

            // The client has its answer before the simulator's thread leaves the exchange: wait for that, then read.
            await().atMost(Duration.ofSeconds(10)).until(() -> session.arm().operationsInFlight().isEmpty());
            assertThat(session.arm().journal().byOperation("ResourceGroups_CreateOrUpdate")).hasSize(1);
        }
    }

    @Test
    void writeIntoMissingGroupFailsByDefault() {
        try (CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(
                ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)).sdkPollDelay(Duration.ofMillis(20)).build().start()) {

            assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().define("stnogroup01")
                    .withRegion(Region.EUROPE_WEST).withExistingResourceGroup("rg-absent").create())
                    .hasMessageContaining("ResourceGroupNotFound");
            assertThat(session.arm().state().resourceGroup(SUBSCRIPTION, "rg-absent")).isEmpty();
            assertThat(session.arm().journal().byOperation(ArmRouter.AUTO_CREATE_OPERATION)).isEmpty();
        }
    }

    @Test
    void autoCreatedGroupTakesTheLocationOfTheFirstWriteAndIsJournaledBeforeIt() {
        ArmSimulatorOptions options = ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)
                .withAutoCreateResourceGroups(true);
        try (CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(options).sdkPollDelay(Duration.ofMillis(20)).build().start()) {
            session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().define("stautogroup01")
                    .withRegion(Region.US_EAST2).withExistingResourceGroup("rg-auto").create();

            assertThat(session.arm().state().resourceGroup(SUBSCRIPTION, "rg-auto"))
                    .hasValueSatisfying(g -> assertThat(g.location()).isEqualTo("eastus2"));
            List<JournalEntry> writes = session.arm().journal().writes();
            assertThat(writes).extracting(JournalEntry::operation)
                    .containsExactly(ArmRouter.AUTO_CREATE_OPERATION, "StorageAccounts_Create");
            assertThat(writes.get(0).path()).isEqualTo("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-auto");
            assertThat(writes.get(0).status()).isEqualTo(201);
            assertThat(writes.get(1).status()).isBetween(200, 202);
        }
    }

    @Test
    void autoCreateNeedsALocationAndNeverAppliesToDeletes() {
        ArmSimulatorOptions options = ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)
                .withAutoCreateResourceGroups(true);
        try (CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(options).sdkPollDelay(Duration.ofMillis(20)).build().start()) {
            assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().deleteById("/subscriptions/" + SUBSCRIPTION
                    + "/resourceGroups/rg-gone/providers/Microsoft.Storage/storageAccounts/stgone01", "2023-05-01"))
                    .hasMessageContaining("ResourceGroupNotFound");
            assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().manager().serviceClient().getStorageAccounts()
                    .listKeys("rg-nolocation", "stnolocation01"))
                    .hasMessageContaining("ResourceGroupNotFound");

            assertThat(session.arm().state().resourceGroup(SUBSCRIPTION, "rg-gone")).isEmpty();
            assertThat(session.arm().state().resourceGroup(SUBSCRIPTION, "rg-nolocation")).isEmpty();
            assertThat(session.arm().journal().byOperation(ArmRouter.AUTO_CREATE_OPERATION)).isEmpty();
        }
    }

    @Test
    void optionsRejectNonsense() {
        assertThatThrownBy(() -> ArmSimulatorOptions.defaults().withPort(70000))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("port");
        assertThatThrownBy(() -> ArmSimulatorOptions.defaults().withWorkspaceOperationDuration(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("workspaceOperationDuration");
        assertThatThrownBy(() -> FaultRule.forOperation("Vaults_Get").status(200))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("status");
        assertThatThrownBy(() -> new Throttling.Limits(0, 1, 1, 1)).isInstanceOf(IllegalArgumentException.class);
    }
}
