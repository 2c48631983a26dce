package io.cmkflow.azure;

import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.local.arm.JournalEntry;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Ownership;

import java.time.Duration;
import java.util.List;

/** An ARM simulator, the Azure layer's clients pointed at it, and valid requests to build on. One per test class. */
final class SimulatedAzure implements AutoCloseable {
    static final String TENANT = TestRequests.TENANT;
    static final String SUBSCRIPTION = TestRequests.SUBSCRIPTION;
    static final String OTHER_SUBSCRIPTION = TestRequests.OTHER_SUBSCRIPTION;
    static final String GROUP = TestRequests.GROUP;
    static final String LOCATION = TestRequests.LOCATION;
    static final PollingPolicy FAST = new PollingPolicy(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(10));
    static final Runnable NO_HEARTBEAT = () -> { };

    final ArmSimulator sim;
    final AzureClients clients;

    private SimulatedAzure(ArmSimulatorOptions options) {
        // The SDK's own LRO polling (vault, storage) otherwise waits 30 s between polls.
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(10));
        sim = ArmSimulator.start(options);
        clients = new AzureClients(ArmConnection.simulator(sim.azureEnvironment(), sim.sslContext()));
        sim.state().resourceGroup(SUBSCRIPTION, GROUP, LOCATION);
        sim.state().registerProviders(SUBSCRIPTION, ProviderRegistrationStep.NAMESPACES.toArray(String[]::new));
    }

    static SimulatedAzure start() {
        return new SimulatedAzure(ArmSimulatorOptions.defaults());
    }

    static SimulatedAzure start(ArmSimulatorOptions options) {
        return new SimulatedAzure(options);
    }

    static CmkRequest request(String name) {
        return TestRequests.request(name);
    }

    static Ownership owner(String name) {
        return TestRequests.owner(name);
    }

    static String vaultId(String vaultName) {
        return TestRequests.vaultId(vaultName);
    }

    List<JournalEntry> operations(String operation) {
        return sim.journal().byOperation(operation);
    }

    List<JournalEntry> writes() {
        return sim.journal().writes();
    }

    @Override
    public void close() {
        sim.close();
    }
}
