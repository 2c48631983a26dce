package io.cmkflow.azure;

import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.standins.arm.VaultSeed;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.workflow.ProvisioningActivities;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.List;

import static io.cmkflow.testing.TestRequests.GROUP;
import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static io.cmkflow.testing.TestRequests.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Anyone who can put tasks on the task queue can hand an activity any input. With an in-scope request, each forged
 * id (a vault in another resource group, a key in another vault, another workspace, key access on another vault,
 * principals that are not the request's, another run's ownership) is refused non-retryably, and nothing is written.
 */
class ForgedActivityInputTest {

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();
    private static TestActivityEnvironment env;
    private static ProvisioningActivities provisioning;
    private static CompensationActivities compensation;

    private final CmkRequest request = TestRequests.request("forged");
    private final VaultOutcome ownVault = vault(GROUP, "kv-forged");
    /** A vault of someone else's, in another resource group of the same subscription. */
    private final VaultOutcome otherVault = vault("rg-finance", "kv-finance");

    @BeforeAll
    static void activities() {
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(new AzureProvisioningActivities(azure.clients(), CmkStack.FAST_POLLING, AuthorizationScope.everything(),
                (vaultId, own) -> { throw new AssertionError("a refused activity asked which runs are in flight"); }),
                new AzureCompensationActivities(azure.clients(), CmkStack.FAST_POLLING, AuthorizationScope.everything(),
                        (vaultId, own) -> { throw new AssertionError("a refused undo asked which runs are in flight"); }));
        ActivityOptions once = ActivityOptions.newBuilder().setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build();
        provisioning = env.newActivityStub(ProvisioningActivities.class, once);
        compensation = env.newActivityStub(CompensationActivities.class, once);
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-finance", "kv-finance").tenantId(TENANT));
    }

    @AfterAll
    static void close() {
        env.close();
    }

    @BeforeEach
    void clearJournal() {
        azure.arm().journal().clear();
    }

    @Test
    void aVaultInAnotherResourceGroupIsRefusedBeforeAnyCall() {
        KeyAccessOutcome before = new KeyAccessOutcome(otherVault.vaultId(), "p", KeyAccessOutcome.Mode.ACCESS_POLICY, false, null);

        assertRefused(() -> provisioning.grantCosmosDbKeyAccess(request, otherVault, before), "kv-finance");
        assertRefused(() -> provisioning.readCosmosDbKeyAccess(request, otherVault), "kv-finance");
        assertThat(azure.arm().journal().entries()).isEmpty();
    }

    @Test
    void keyAccessOnAnotherVaultIsNeitherGrantedNorRemoved() {
        KeyAccessOutcome onOther = new KeyAccessOutcome(otherVault.vaultId(), "p", KeyAccessOutcome.Mode.ACCESS_POLICY, false, null);

        assertRefused(() -> provisioning.grantCosmosDbKeyAccess(request, ownVault, onOther), "kv-finance");
        assertRefused(() -> compensation.removeCosmosDbKeyAccess(request, onOther), "kv-finance");
        assertThat(azure.arm().journal().entries()).isEmpty();
    }

    @Test
    void principalsThatAreNotTheRequestsAreNeitherGrantedNorRemoved() {
        String attacker = "0badc0de-0000-4000-8000-000000000001";
        KeyAccessOutcome forged = new KeyAccessOutcome(ownVault.vaultId(), attacker, KeyAccessOutcome.Mode.ACCESS_POLICY, false, null);

        assertRefused(() -> provisioning.grantCosmosDbKeyAccess(request, ownVault, forged), "not the request's");
        assertRefused(() -> compensation.removeCosmosDbKeyAccess(request, forged), "not the request's");
        // Only the read of Azure Cosmos DB's object id (Graph) was sent to check them.
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(SimulatedDirectory.cosmosDbObjectId(TENANT)).isNotEqualTo(attacker);
    }

    @Test
    void aKeyInAnotherVaultOrAnotherWorkspaceIsRefusedBeforeAnyCall() {
        KeyOutcome otherKey = new KeyOutcome(otherVault.vaultId() + "/keys/cmk-forged", "cmk-forged",
                "https://kv-finance.vault.azure.net/keys/cmk-forged", "https://kv-finance.vault.azure.net/keys/cmk-forged/1", false);
        KeyOutcome keyElsewhere = new KeyOutcome(ownVault.vaultId() + "/keys/cmk-forged", "cmk-forged",
                "https://kv-finance.vault.azure.net/keys/cmk-forged", "https://kv-finance.vault.azure.net/keys/cmk-forged/1", false);
        WorkspaceOutcome otherWorkspace = new WorkspaceOutcome(ArmResourceId.of(SUBSCRIPTION, "rg-finance",
                "Microsoft.MachineLearningServices", "workspaces", "mlw-finance"), false, "Succeeded", null, false, null, false, null, false,
                "rg-managed");

        // The workspace step's check of its key (its ownership check, which comes first, is the next test's).
        assertThat(catchThrowable(() -> ActivityInputs.requireKey(request, ownVault, otherKey)))
                .isInstanceOf(AzureStepException.class).hasMessageContaining("kv-finance");
        // Its id in the request's vault, its URL in another: the workspace would be encrypted with that one.
        assertThat(catchThrowable(() -> ActivityInputs.requireKey(request, ownVault, keyElsewhere)))
                .isInstanceOf(AzureStepException.class).hasMessageContaining("kv-finance.vault.azure.net");
        assertRefused(() -> provisioning.verifyManagedResourceGroup(request, otherWorkspace), "mlw-finance");
        assertThat(azure.arm().journal().entries()).isEmpty();
    }

    @Test
    void anotherRunsOwnershipIsRefusedByEveryCreateAndUndo() {
        // The request's own target and ids, but a run id that is not this activity's run.
        Ownership anotherRun = new Ownership(request.requestId(), WorkflowIds.forRequest(request), "run-of-someone-else", List.of(), List.of());

        assertRefused(() -> provisioning.createKeyVault(request, anotherRun), "run-of-someone-else");
        assertRefused(() -> compensation.deleteKeyVault(request, anotherRun), "run-of-someone-else");
        assertRefused(() -> compensation.deleteKey(request, anotherRun), "run-of-someone-else");
        assertRefused(() -> compensation.deleteWorkspace(request, anotherRun), "run-of-someone-else");
        assertThat(azure.arm().journal().entries()).isEmpty();
    }

    private static void assertRefused(Runnable call, String named) {
        Throwable thrown = catchThrowable(call::run);
        assertThat(thrown).isInstanceOf(ActivityFailure.class);
        assertThat(thrown.getCause()).isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
            assertThat(failure.getType()).isEqualTo(AzureErrorClass.NON_RETRYABLE.name());
            assertThat(failure.isNonRetryable()).isTrue();
            assertThat(failure.getOriginalMessage()).contains("ActivityInputMismatch", named);
        });
    }

    private static VaultOutcome vault(String group, String name) {
        return new VaultOutcome(ArmResourceId.of(SUBSCRIPTION, group, "Microsoft.KeyVault", "vaults", name), name, group,
                "https://" + name + ".vault.azure.net/", TestRequests.LOCATION, false, VaultOutcome.Disposition.CREATED);
    }
}
