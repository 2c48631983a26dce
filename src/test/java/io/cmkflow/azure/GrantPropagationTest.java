package io.cmkflow.azure;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static io.cmkflow.testing.CmkStack.NO_HEARTBEAT;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Azure applies a new role assignment only after a while: on an RBAC vault, the workspace create that follows step 4's
 * grants can fail because Azure Cosmos DB cannot use the key yet. Step 5 provisions the (Failed) workspace again until
 * the grant applies, within cmkflow's propagation bound, and succeeds.
 */
class GrantPropagationTest {
    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly()
            .arm(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true).withRoleAssignmentDelay(Duration.ofSeconds(6)))
            .requestTarget().build();

    @Test
    void aWorkspaceCreateRefusedWhileTheKeyGrantPropagatesIsProvisionedAgainOnceItApplies() {
        CmkRequest base = TestRequests.request("propagating");
        CmkRequest request = TestRequests.copy(base).vault(new CmkRequest.KeyVault(base.keyVault().name(), null, "premium", 30, true)).build();
        Ownership owner = TestRequests.owner("propagating");
        VaultOutcome vault = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING).ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        KeyOutcome key = new KeyStep(azure.clients()).ensure(request, vault, owner, new PreexistingResources());
        KeyAccessStep access = new KeyAccessStep(azure.clients());
        access.grant(request, vault, access.accessBefore(request, vault));
        azure.arm().journal().clear();

        WorkspaceOutcome workspace = new WorkspaceStep(azure.clients(), CmkStack.FAST_POLLING)
                .ensure(request, vault, key, owner, new PreexistingResources(), NO_HEARTBEAT);

        assertThat(workspace.provisioningState()).isEqualTo("Succeeded");
        assertThat(workspace.created()).isTrue();
        assertThat(azure.arm().journal().where(call -> "PUT".equals(call.method())
                && "Workspaces_CreateOrUpdate".equals(call.operation()))).as("provisioned again after the refusal").hasSizeGreaterThan(1);
    }
}
