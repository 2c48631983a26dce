package io.cmkflow.local.arm;

import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;

import java.time.Duration;

/** A started simulator and the real SDK client pointed at it, for one test class. */
final class SimulatorSession implements AutoCloseable {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
    static final String OTHER_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555";

    final ArmSimulator sim;
    final AzureResourceManager azure;

    SimulatorSession(ArmSimulatorOptions options) {
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(20));
        sim = ArmSimulator.start(options);
        azure = client(SUBSCRIPTION);
    }

    static SimulatorSession start() {
        return new SimulatorSession(ArmSimulatorOptions.defaults());
    }

    AzureResourceManager client(String subscription) {
        return AzureResourceManager.configure()
                .withHttpClient(sim.httpClient())
                .authenticate(sim.credential(), sim.profile(TENANT, subscription))
                .withSubscription(subscription);
    }

    @Override
    public void close() {
        sim.close();
    }
}
