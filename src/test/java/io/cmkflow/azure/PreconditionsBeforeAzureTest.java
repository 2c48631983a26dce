package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
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

/** Bad input is refused by every step and every undo activity, at the Azure layer's entry, before a single request reaches ARM. */
class PreconditionsBeforeAzureTest {

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();

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
                Arguments.of("non-GUID subscription", TestRequests.copy(valid).subscriptionId("my-subscription").build()));
        VaultOutcome vault = new VaultOutcome(TestRequests.vaultId("kv-bad"), "kv-bad", TestRequests.GROUP,
                "https://localhost/kv/kv-bad/", TestRequests.LOCATION, false, VaultOutcome.Disposition.CREATED);
        KeyOutcome key = new KeyOutcome("id", "cmk", "https://k", "https://k/1", true);
        KeyAccessOutcome grant = new KeyAccessOutcome(vault.vaultId(), "p", KeyAccessOutcome.Mode.ACCESS_POLICY, false, null);
        WorkspaceOutcome ws = new WorkspaceOutcome("id", true, "Succeeded", "s", true, "a", true, "g");
        AzureProvisioningActivities provisioning = new AzureProvisioningActivities(azure.clients(), CmkStack.FAST_POLLING, AuthorizationScope.everything());
        AzureCompensationActivities compensation = new AzureCompensationActivities(azure.clients(), CmkStack.FAST_POLLING, AuthorizationScope.everything());
        List<Function<CmkRequest, Executable>> steps = List.of(
                r -> () -> provisioning.registerProviders(r),
                r -> () -> provisioning.ensureKeyVault(r, owner("bad")),
                r -> () -> provisioning.ensureKey(r, vault, owner("bad")),
                r -> () -> provisioning.grantKeyAccess(r, vault),
                r -> () -> provisioning.ensureWorkspace(r, vault, key, owner("bad")),
                r -> () -> provisioning.verifyManagedGroup(r, ws),
                r -> () -> compensation.deleteWorkspace(r, owner("bad")),
                r -> () -> compensation.removeKeyAccess(r, grant, vault),
                r -> () -> compensation.removeKeyAccess(r, null, vault),
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
}
