package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.workflow.PostureActivities;
import io.cmkflow.workflow.InFlightRuns;
import io.cmkflow.workflow.ProvisioningActivities;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Value;
import jakarta.inject.Singleton;

import java.time.Duration;
import java.util.List;

/**
 * The Azure layer as beans: the endpoints and credential of {@link AzureConnectionSettings}, polled at Azure's pace
 * (dev mode and the tests replace the {@link PollingPolicy} with the simulator's faster one).
 */
@Factory
public class AzureBeans {

    @Singleton
    ArmConnection armConnection(AzureConnectionSettings settings) {
        return new ArmConnection(settings);
    }

    @Singleton
    PollingPolicy azurePacing() {
        return PollingPolicy.defaults();
    }

    /**
     * {@code cmkflow.azure.cosmos-db-object-ids} lists {@code TENANT_ID=OBJECT_ID} items (comma-separated in an
     * environment variable) for tenants whose Graph cmkflow may not read.
     */
    @Singleton
    AzureClients azureClients(ArmConnection connection, MeterRegistry registry, ArmBudgetSettings budget,
                              @Value("${" + PrincipalSettings.COSMOS_DB_OBJECT_IDS + ":}") List<String> cosmosDbObjectIds,
                              @Value("${" + PrincipalSettings.OWN_OBJECT_ID + ":}") String ownObjectId,
                              @Value("${" + PrincipalSettings.ROLE_ASSIGNMENT_PROPAGATION + ":PT10M}") Duration propagation,
                              @Value("${" + PrincipalSettings.IDENTITY_GRANT_SCOPES + ":}") List<String> identityGrantScopes) {
        return new AzureClients(connection, new ManagedGroupRegistry(), TransientFaultRetryStrategy.defaults(),
                PrincipalSettings.of(cosmosDbObjectIds.stream().filter(item -> !item.isBlank()).toList(), ownObjectId,
                        propagation).withIdentityGrantScopes(identityGrantScopes), budget, registry);
    }

    @Singleton
    ProvisioningActivities provisioningActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope,
                                                  InFlightRuns inFlight) {
        return new AzureProvisioningActivities(clients, polling, scope, inFlight);
    }

    @Singleton
    PostureActivities postureActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope) {
        return new AzurePostureActivities(clients, polling, scope);
    }

    @Singleton
    CompensationActivities compensationActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope,
                                                  InFlightRuns inFlight) {
        return new AzureCompensationActivities(clients, polling, scope, inFlight);
    }
}
