package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.workflow.ProvisioningActivities;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * The Azure layer as beans. {@code cmkflow.azure.mode=azure} talks to the real clouds with DefaultAzureCredential;
 * dev mode's ARM simulator supplies its own {@link ArmConnection} and a faster {@link PollingPolicy}.
 */
@Factory
public class AzureBeans {

    @Singleton
    @Requires(property = "cmkflow.azure.mode", value = "azure")
    ArmConnection realArm() {
        return ArmConnection.real();
    }

    @Singleton
    @Requires(property = "cmkflow.azure.mode", value = "azure")
    PollingPolicy azurePacing() {
        return PollingPolicy.defaults();
    }

    @Singleton
    AzureClients azureClients(ArmConnection connection, MeterRegistry registry) {
        return new AzureClients(connection, new ManagedGroupRegistry(), TransientFaultRetryStrategy.defaults(), registry);
    }

    @Singleton
    ProvisioningActivities provisioningActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope) {
        return new AzureProvisioningActivities(clients, polling, scope);
    }

    @Singleton
    CompensationActivities compensationActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope) {
        return new AzureCompensationActivities(clients, polling, scope);
    }
}
