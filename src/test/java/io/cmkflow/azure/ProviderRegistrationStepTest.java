package io.cmkflow.azure;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.contract.ProviderRegistration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProviderRegistrationStepTest {

    private static final String FRESH_SUBSCRIPTION = "22222222-3333-4444-5555-666666666666";
    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().arm(ArmSimulatorOptions.defaults().withProviderRegisteringReads(2)).requestTarget().build();
    private static ProviderRegistrationStep step;

    @BeforeAll
    static void steps() {
        step = new ProviderRegistrationStep(azure.clients(), CmkStack.FAST_POLLING);
    }

    @Test
    void registersEveryMissingProviderAndWaitsUntilRegistered_thenARerunWritesNothing() {
        var request = TestRequests.copy(TestRequests.request("prov")).subscriptionId(FRESH_SUBSCRIPTION).build();
        azure.arm().state().registerProviders(FRESH_SUBSCRIPTION, "Microsoft.Storage");
        azure.arm().journal().clear();

        ProviderRegistration first = step.register(request, CmkStack.NO_HEARTBEAT);

        assertThat(first.namespaces()).containsExactlyElementsOf(ProviderRegistrationStep.NAMESPACES);
        assertThat(first.registeredNow()).containsExactlyInAnyOrder("Microsoft.MachineLearningServices",
                "Microsoft.KeyVault", "Microsoft.DocumentDB", "Microsoft.Search", "Microsoft.Insights");
        for (String ns : ProviderRegistrationStep.NAMESPACES) {
            assertThat(azure.arm().state().providerState(FRESH_SUBSCRIPTION, ns).registrationState()).isEqualTo("Registered");
        }
        assertThat(azure.arm().journal().byOperation("Providers_Register")).hasSize(5);

        azure.arm().journal().clear();
        ProviderRegistration rerun = step.register(request, CmkStack.NO_HEARTBEAT);
        assertThat(rerun.registeredNow()).isEmpty();
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().journal().byOperation("Providers_Get")).hasSize(ProviderRegistrationStep.NAMESPACES.size());
    }

    @Test
    void heartbeatsWhileWaitingForRegistration() {
        String subscription = "33333333-4444-5555-6666-777777777777";
        var request = TestRequests.copy(TestRequests.request("beat")).subscriptionId(subscription).build();
        int[] beats = {0};
        step.register(request, () -> beats[0]++);
        // Every poll round beats: the round that still sees Registering and the one that sees Registered.
        assertThat(beats[0]).isGreaterThanOrEqualTo(2);
    }
}
