package io.cmkflow.azure;

import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.AuthorizationScope;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.cmkflow.testing.TestRequests.owner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/**
 * Bad input, and input outside the worker's authorization scope, is refused by every step and every undo activity, at
 * the Azure layer's entry, before a single request reaches ARM: however the run was started (here: no intake at all).
 */
class PreconditionsBeforeAzureTest {

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();

    /** The worker's scope: TestRequests' target group only. */
    static final AuthorizationScope SCOPE = AuthorizationScope.of(List.of(
            "AzureCloud/" + TestRequests.TENANT + "/" + TestRequests.SUBSCRIPTION + "/" + TestRequests.GROUP));
    static final String OTHER_TENANT = "0f0f0f0f-1111-2222-3333-444444444444";

    static Stream<Arguments> badInputTimesEveryStep() {
        CmkRequest valid = TestRequests.request("bad");
        List<Arguments> badInputs = List.of(
                Arguments.of("key size 2048", TestRequests.copy(valid).key(new CmkRequest.Key("cmk", 2048, "RSA")).build()),
                Arguments.of("vault in another subscription", TestRequests.copy(valid).vault(new CmkRequest.KeyVault(null,
                        "/subscriptions/" + TestRequests.OTHER_SUBSCRIPTION + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-x",
                        null, null, null)).build()),
                Arguments.of("invalid vault name", TestRequests.copy(valid).vault(new CmkRequest.KeyVault("kv_bad!", null, null, null, null)).build()),
                Arguments.of("invalid workspace name", TestRequests.copy(valid).workspace(
                        new CmkRequest.Workspace("w", null, null, null, null, null, null)).build()),
                Arguments.of("non-GUID subscription", TestRequests.copy(valid).subscriptionId("my-subscription").build()),
                Arguments.of("tenant outside the scope", TestRequests.copy(valid).tenantId(OTHER_TENANT).build()),
                Arguments.of("resource group outside the scope", TestRequests.copy(valid).resourceGroup("rg-finance").build()),
                Arguments.of("identity outside the scope", identityIn(TestRequests.OTHER_SUBSCRIPTION)));
        VaultOutcome vault = new VaultOutcome(TestRequests.vaultId("kv-bad"), "kv-bad", TestRequests.GROUP,
                "https://localhost/kv/kv-bad/", TestRequests.LOCATION, false, VaultOutcome.Disposition.CREATED);
        KeyOutcome key = new KeyOutcome("id", "cmk", "https://k", "https://k/1", true);
        KeyAccessOutcome grant = new KeyAccessOutcome(vault.vaultId(), "p", KeyAccessOutcome.Mode.ACCESS_POLICY, false, null);
        WorkspaceOutcome ws = new WorkspaceOutcome("id", true, "Succeeded", "s", true, "a", true, "l", true, "g");
        AzureProvisioningActivities provisioning = new AzureProvisioningActivities(azure.clients(), CmkStack.FAST_POLLING, SCOPE,
                (vaultId, own) -> { throw new AssertionError("a refused request asked which runs are in flight"); });
        AzureCompensationActivities compensation = new AzureCompensationActivities(azure.clients(), CmkStack.FAST_POLLING, SCOPE,
                (vaultId, own) -> { throw new AssertionError("a refused undo asked which runs are in flight"); });
        List<Function<CmkRequest, Executable>> steps = List.of(
                r -> () -> provisioning.registerResourceProviders(r),
                r -> () -> provisioning.createKeyVault(r, owner("bad")),
                r -> () -> provisioning.createKey(r, vault, owner("bad")),
                r -> () -> provisioning.readCosmosDbKeyAccess(r, vault),
                r -> () -> provisioning.grantCosmosDbKeyAccess(r, vault, grant),
                r -> () -> provisioning.createWorkspace(r, vault, key, owner("bad")),
                r -> () -> provisioning.verifyManagedResourceGroup(r, ws),
                r -> () -> compensation.deleteWorkspace(r, owner("bad")),
                r -> () -> compensation.removeCosmosDbKeyAccess(r, grant),
                r -> () -> compensation.deleteKey(r, owner("bad")),
                r -> () -> compensation.deleteKeyVault(r, owner("bad")));
        return badInputs.stream().flatMap(bad -> {
            int[] index = {0};
            return steps.stream().map(step -> Arguments.of(bad.get()[0] + " / step " + index[0]++,
                    step.apply((CmkRequest) bad.get()[1])));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputTimesEveryStep")
    void isRejectedBeforeAnyRequest(String description, Executable step) {
        azure.arm().journal().clear();

        Throwable thrown = catchThrowable(step::execute);

        assertThat(thrown).isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
            assertThat(failure.getType()).isEqualTo(InvalidRequestException.FAILURE_TYPE);
            assertThat(failure.isNonRetryable()).isTrue();
        });
        assertThat(azure.arm().journal().entries()).isEmpty();
    }

    @Test
    void anOutOfScopeIdentityIsNamedWithItsFieldAndRule() {
        AzureProvisioningActivities provisioning = new AzureProvisioningActivities(azure.clients(), CmkStack.FAST_POLLING, SCOPE,
                (vaultId, own) -> { throw new AssertionError("a refused request asked which runs are in flight"); });
        azure.arm().journal().clear();

        Throwable thrown = catchThrowable(() -> provisioning.grantCosmosDbKeyAccess(identityIn(TestRequests.OTHER_SUBSCRIPTION),
                new VaultOutcome(TestRequests.vaultId("kv-scope"), "kv-scope", TestRequests.GROUP, "https://localhost/kv/kv-scope/",
                        TestRequests.LOCATION, false, VaultOutcome.Disposition.CREATED), null));

        assertThat(thrown).isInstanceOfSatisfying(ApplicationFailure.class, failure -> {
            assertThat(failure.getType()).isEqualTo(InvalidRequestException.FAILURE_TYPE);
            assertThat(failure.getDetails().get(0, String.class)).isEqualTo("workspace.userAssignedIdentityId");
            assertThat(failure.getDetails().get(1, String.class)).isEqualTo("scope.subscription");
        });
        assertThat(azure.arm().journal().entries()).isEmpty();
    }

    private static CmkRequest identityIn(String subscription) {
        CmkRequest valid = TestRequests.request("scope");
        return TestRequests.copy(valid).workspace(new CmkRequest.Workspace(valid.workspace().name(), null, null,
                ArmResourceId.of(subscription, "rg-identities", "Microsoft.ManagedIdentity", "userAssignedIdentities", "uai-ml"),
                "3c9b1f2e-7a4d-4b8e-9f01-23456789abcd", null, null)).build();
    }
}
