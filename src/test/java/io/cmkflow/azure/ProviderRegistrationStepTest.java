package io.cmkflow.azure;

import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.contract.ProviderRegistration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderRegistrationStepTest {

    private static final String FRESH_SUBSCRIPTION = "22222222-3333-4444-5555-666666666666";
    private static SimulatedAzure azure;
    private static ProviderRegistrationStep step;

    @BeforeAll
    static void start() {
        azure = SimulatedAzure.start(ArmSimulatorOptions.defaults().withProviderRegisteringReads(2));
        step = new ProviderRegistrationStep(azure.clients, SimulatedAzure.FAST);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @Test
    void registersEveryMissingProviderAndWaitsUntilRegistered_thenARerunWritesNothing() {
        var request = RequestRulesTest.copy(SimulatedAzure.request("prov")).subscriptionId(FRESH_SUBSCRIPTION).build();
        azure.sim.state().registerProviders(FRESH_SUBSCRIPTION, "Microsoft.Storage");
        azure.sim.journal().clear();

        ProviderRegistration first = step.register(request, SimulatedAzure.NO_HEARTBEAT);

        assertThat(first.namespaces()).containsExactlyElementsOf(ProviderRegistrationStep.NAMESPACES);
        assertThat(first.registeredNow()).containsExactlyInAnyOrder("Microsoft.MachineLearningServices",
                "Microsoft.KeyVault", "Microsoft.DocumentDB", "Microsoft.Search", "Microsoft.Insights");
        for (String ns : ProviderRegistrationStep.NAMESPACES) {
            assertThat(azure.sim.state().providerState(FRESH_SUBSCRIPTION, ns).registrationState()).isEqualTo("Registered");
        }
        assertThat(azure.operations("Providers_Register")).hasSize(5);

        azure.sim.journal().clear();
        ProviderRegistration rerun = step.register(request, SimulatedAzure.NO_HEARTBEAT);
        assertThat(rerun.registeredNow()).isEmpty();
        assertThat(azure.writes()).isEmpty();
        assertThat(azure.operations("Providers_Get")).hasSize(ProviderRegistrationStep.NAMESPACES.size());
    }

    @Test
    void heartbeatsWhileWaitingForRegistration() {
        String subscription = "33333333-4444-5555-6666-777777777777";
        var request = RequestRulesTest.copy(SimulatedAzure.request("beat")).subscriptionId(subscription).build();
        int[] beats = {0};
        step.register(request, () -> beats[0]++);
        // Every poll round beats: the round that still sees Registering and the one that sees Registered.
        assertThat(beats[0]).isGreaterThanOrEqualTo(2);
    }
}
