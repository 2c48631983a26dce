package io.cmkflow.azure;

import io.cmkflow.request.CmkRequest;
import io.cmkflow.workflow.CosmosGrantOutcome;
import io.cmkflow.workflow.KeyOutcome;
import io.cmkflow.workflow.VaultOutcome;
import io.cmkflow.workflow.WorkspaceOutcome;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.function.Function;
import java.util.stream.Stream;

import static io.cmkflow.azure.SimulatedAzure.NO_HEARTBEAT;
import static io.cmkflow.azure.SimulatedAzure.owner;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Bad input is refused by every step and every undo before a single request reaches ARM. */
class PreconditionsBeforeAzureTest {

    private static SimulatedAzure azure;

    @BeforeAll
    static void start() {
        azure = SimulatedAzure.start();
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    static Stream<Arguments> badInputTimesEveryStep() {
        CmkRequest valid = SimulatedAzure.request("bad");
        List<Arguments> badInputs = List.of(
                Arguments.of("key size 2048", StepPreconditionsTest.copy(valid).key(new CmkRequest.Key("cmk", 2048, "RSA")).build()),
                Arguments.of("vault in another subscription", StepPreconditionsTest.copy(valid).vault(new CmkRequest.KeyVault(null,
                        "/subscriptions/" + SimulatedAzure.OTHER_SUBSCRIPTION + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-x",
                        null, null, null)).build()),
                Arguments.of("invalid vault name", StepPreconditionsTest.copy(valid).vault(new CmkRequest.KeyVault("kv_bad!", null, null, null, null)).build()),
                Arguments.of("invalid workspace name", StepPreconditionsTest.copy(valid).workspace(
                        new CmkRequest.Workspace("w", null, null, null, null, null, null)).build()),
                Arguments.of("non-GUID subscription", StepPreconditionsTest.copy(valid).subscriptionId("my-subscription").build()));
        VaultOutcome vault = new VaultOutcome(SimulatedAzure.vaultId("kv-bad"), "kv-bad", SimulatedAzure.GROUP,
                "https://localhost/kv/kv-bad/", SimulatedAzure.LOCATION, false, VaultOutcome.Disposition.CREATED);
        KeyOutcome key = new KeyOutcome("id", "cmk", "https://k", "https://k/1", true);
        CosmosGrantOutcome grant = new CosmosGrantOutcome(vault.vaultId(), "p", CosmosGrantOutcome.Mode.ACCESS_POLICY, false, null);
        WorkspaceOutcome ws = new WorkspaceOutcome("id", true, "Succeeded", "s", true, "a", true, "g");
        List<Function<CmkRequest, Executable>> steps = List.of(
                r -> () -> new ProviderRegistrationStep(azure.clients, SimulatedAzure.FAST).register(r, NO_HEARTBEAT),
                r -> () -> new KeyVaultStep(azure.clients, SimulatedAzure.FAST).ensure(r, owner("bad"), NO_HEARTBEAT),
                r -> () -> new CmkKeyStep(azure.clients).ensure(r, vault, owner("bad")),
                r -> () -> new CosmosKeyAccessStep(azure.clients).grant(r, vault),
                r -> () -> new WorkspaceStep(azure.clients, SimulatedAzure.FAST).ensure(r, vault, key, owner("bad"), NO_HEARTBEAT),
                r -> () -> new ManagedGroupCheck(azure.clients, SimulatedAzure.FAST).verify(r, ws, NO_HEARTBEAT),
                r -> () -> new WorkspaceStep(azure.clients, SimulatedAzure.FAST).undo(r, owner("bad"), NO_HEARTBEAT),
                r -> () -> new CosmosKeyAccessStep(azure.clients).undo(r, grant),
                r -> () -> new CmkKeyStep(azure.clients).undo(r, owner("bad")),
                r -> () -> new KeyVaultStep(azure.clients, SimulatedAzure.FAST).undo(r, owner("bad")));
        return badInputs.stream().flatMap(bad -> {
            int[] index = {0};
            return steps.stream().map(step -> Arguments.of(bad.get()[0] + " / step " + index[0]++,
                    step.apply((CmkRequest) bad.get()[1])));
        });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badInputTimesEveryStep")
    void isRejectedBeforeAnyRequest(String description, Executable step) {
        azure.sim.journal().clear();

        Throwable thrown = catchThrowable(step::execute);

        assertThat(thrown).isInstanceOf(InvalidRequestException.class);
        assertThat(azure.sim.journal().entries()).isEmpty();
    }
}
