package io.cmkflow.azure;

import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.local.arm.JournalEntry;
import io.cmkflow.contract.ManagedGroupOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.cmkflow.azure.SimulatedAzure.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;

class ManagedGroupCheckTest {

    private static SimulatedAzure azure;

    @BeforeAll
    static void start() {
        azure = SimulatedAzure.start(ArmSimulatorOptions.defaults().withManagedResourcesDelay(Duration.ofMillis(300)));
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @Test
    void readsTheGroupFromTheWorkspaceAndWaitsForItsThreeResources_readOnly() {
        var request = SimulatedAzure.request("check");
        var owner = SimulatedAzure.owner("check");
        var vault = new KeyVaultStep(azure.clients, SimulatedAzure.FAST).ensure(request, owner, SimulatedAzure.NO_HEARTBEAT);
        var key = new CmkKeyStep(azure.clients).ensure(request, vault, owner);
        new KeyAccessStep(azure.clients).grant(request, vault);
        var workspace = new WorkspaceStep(azure.clients, SimulatedAzure.FAST).ensure(request, vault, key, owner, SimulatedAzure.NO_HEARTBEAT);
        azure.sim.journal().clear();
        int[] beats = {0};

        ManagedGroupOutcome group = new ManagedGroupCheck(azure.clients, SimulatedAzure.FAST).verify(request, workspace, () -> beats[0]++);

        var stored = azure.sim.state().managedResourceGroups().stream()
                .filter(g -> g.managedBy().equalsIgnoreCase(workspace.workspaceId())).findFirst().orElseThrow();
        assertThat(group.resourceGroupName()).isEqualTo(stored.name()).isEqualTo(workspace.serviceProvisionedResourceGroup());
        assertThat(group.cosmosDbAccountId()).containsIgnoringCase("/providers/Microsoft.DocumentDB/databaseAccounts/");
        assertThat(group.storageAccountId()).containsIgnoringCase("/providers/Microsoft.Storage/storageAccounts/");
        assertThat(group.searchServiceId()).containsIgnoringCase("/providers/Microsoft.Search/searchServices/");
        assertThat(azure.sim.state().resourcesIn(SUBSCRIPTION, stored.name())).extracting(r -> r.id().toLowerCase())
                .contains(group.cosmosDbAccountId().toLowerCase(), group.storageAccountId().toLowerCase(),
                        group.searchServiceId().toLowerCase());
        assertThat(azure.sim.journal().entries()).extracting(JournalEntry::method).containsOnly("GET");
        assertThat(beats[0]).isGreaterThan(1);
    }
}
