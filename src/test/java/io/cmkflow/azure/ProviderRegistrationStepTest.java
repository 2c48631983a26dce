package io.cmkflow.azure;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.contract.ProviderRegistration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import io.cmkflow.standins.arm.JournalEntry;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

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
                "Microsoft.KeyVault", "Microsoft.DocumentDB", "Microsoft.Search", "Microsoft.Insights", "Microsoft.OperationalInsights");
        for (String ns : ProviderRegistrationStep.NAMESPACES) {
            assertThat(azure.arm().state().providerState(FRESH_SUBSCRIPTION, ns).registrationState()).isEqualTo("Registered");
        }
        assertThat(azure.arm().journal().byOperation("Providers_Register")).hasSize(6);
        // One list read per round, never one read per namespace: the first look, then two rounds that see Registering
        // (the simulator answers it for two reads) and the one that sees all Registered.
        assertThat(azure.arm().journal().byOperation("Providers_Get")).isEmpty();
        assertThat(azure.arm().journal().byOperation("Providers_List")).hasSize(4);

        azure.arm().journal().clear();
        ProviderRegistration rerun = step.register(request, CmkStack.NO_HEARTBEAT);
        assertThat(rerun.registeredNow()).isEmpty();
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().journal().entries()).extracting(JournalEntry::operation).containsExactly("Providers_List");
    }

    @Test
    void theRegistrationsAreMadeAtTheSameTime() {
        String subscription = "44444444-5555-6666-7777-888888888888";
        var request = TestRequests.copy(TestRequests.request("together")).subscriptionId(subscription).build();
        Duration held = Duration.ofMillis(1500);
        azure.arm().latency().forOperation("Providers_Register", held);
        try {
            step.register(request, CmkStack.NO_HEARTBEAT);
        } finally {
            azure.arm().latency().clear();
        }
        List<Instant> registers = azure.arm().journal().byOperation("Providers_Register").stream()
                .filter(e -> subscription.equals(e.subscription())).map(JournalEntry::receivedAt).sorted().toList();
        assertThat(registers).hasSize(ProviderRegistrationStep.NAMESPACES.size());
        // Every register reached ARM while the first was still held, so none waited for another's answer.
        assertThat(registers.get(registers.size() - 1)).isBefore(registers.get(0).plus(held));
    }

    @Test
    void heartbeatsWhileWaitingForRegistration() {
        String subscription = "33333333-4444-5555-6666-777777777777";
        var request = TestRequests.copy(TestRequests.request("beat")).subscriptionId(subscription).build();
        int[] beats = {0};
        step.register(request, () -> beats[0]++);
        // One beat per wait: after each of the two rounds that still see Registering (the simulator answers it twice).
        assertThat(beats[0]).isEqualTo(2);
    }
}
