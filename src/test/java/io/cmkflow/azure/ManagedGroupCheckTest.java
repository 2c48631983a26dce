package io.cmkflow.azure;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.contract.ManagedGroupOutcome;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;

class ManagedGroupCheckTest {

    /**
     * The managed group's resources appear this long after the workspace succeeds: long enough that the check, which
     * starts right after, always finds them missing first and waits (300 ms was not, on a busy machine).
     */
    private static final Duration RESOURCES_DELAY = Duration.ofSeconds(3);

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().arm(ArmSimulatorOptions.defaults().withManagedResourcesDelay(RESOURCES_DELAY))
            .requestTarget().build();

    @Test
    void readsTheGroupFromTheWorkspaceAndWaitsForItsThreeResources_readOnly() {
        var request = TestRequests.request("check");
        var owner = TestRequests.owner("check");
        var vault = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING).ensure(request, owner, new PreexistingResources(), CmkStack.NO_HEARTBEAT);
        var key = new KeyStep(azure.clients()).ensure(request, vault, owner, new PreexistingResources());
        KeyAccessStep access = new KeyAccessStep(azure.clients());
        access.grant(request, vault, access.accessBefore(request, vault));
        var workspace = new WorkspaceStep(azure.clients(), CmkStack.FAST_POLLING).ensure(request, vault, key, owner, new PreexistingResources(), CmkStack.NO_HEARTBEAT);
        azure.arm().journal().clear();
        int[] beats = {0};

        ManagedGroupOutcome group = new ManagedGroupCheck(azure.clients(), CmkStack.FAST_POLLING).verify(request, workspace, () -> beats[0]++);

        var stored = azure.arm().state().managedResourceGroups().stream()
                .filter(g -> g.managedBy().equalsIgnoreCase(workspace.workspaceId())).findFirst().orElseThrow();
        assertThat(group.resourceGroupName()).isEqualTo(stored.name()).isEqualTo(workspace.serviceProvisionedResourceGroup());
        assertThat(group.cosmosDbAccountId()).containsIgnoringCase("/providers/Microsoft.DocumentDB/databaseAccounts/");
        assertThat(group.storageAccountId()).containsIgnoringCase("/providers/Microsoft.Storage/storageAccounts/");
        assertThat(group.searchServiceId()).containsIgnoringCase("/providers/Microsoft.Search/searchServices/");
        assertThat(azure.arm().state().resourcesIn(SUBSCRIPTION, stored.name())).extracting(r -> r.id().toLowerCase())
                .contains(group.cosmosDbAccountId().toLowerCase(), group.storageAccountId().toLowerCase(),
                        group.searchServiceId().toLowerCase());
        assertThat(azure.arm().journal().entries()).extracting(JournalEntry::method).containsOnly("GET");
        assertThat(beats[0]).as("heartbeats while waiting for the resources").isGreaterThanOrEqualTo(1);
    }
}
