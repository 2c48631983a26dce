package io.cmkflow.azure;

import io.cmkflow.contract.AzureCloud;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineBuilder;
import com.azure.core.http.policy.BearerTokenAuthenticationPolicy;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.cmkflow.contract.CmkRequest;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Builds and caches one {@link AzureResourceManager} per (cloud, tenant, subscription) over the connection's shared
 * HTTP client. Every pipeline carries the {@link ManagedGroupGuard}, cmkflow's retry policy
 * ({@link TransientFaultRetryStrategy}: 429 is left to Temporal), the per-subscription {@link ArmBudget} (one for all
 * clients, so every request in a subscription draws on the same buckets) and {@link ArmCallMetrics}. Building a
 * client sends no request.
 */
public final class AzureClients {

    private final ArmConnection connection;
    private final ManagedGroupRegistry managedGroups;
    private final RetryPolicy retryPolicy;
    private final PrincipalDirectory principals;
    private final ArmCallMetrics callMetrics;
    private final ArmBudget budget;
    private final Map<String, AzureResourceManager> managers = new ConcurrentHashMap<>();

    /** Counting ARM calls nowhere (tests that build the Azure layer without the application). */
    public AzureClients(ArmConnection connection) {
        this(connection, PrincipalSettings.lookedUp());
    }

    public AzureClients(ArmConnection connection, PrincipalSettings principalSettings) {
        this(connection, new ManagedGroupRegistry(), TransientFaultRetryStrategy.defaults(), principalSettings,
                ArmBudgetSettings.armDefaults(), new CompositeMeterRegistry());
    }

    public AzureClients(ArmConnection connection, ManagedGroupRegistry managedGroups, TransientFaultRetryStrategy retries) {
        this(connection, managedGroups, retries, PrincipalSettings.lookedUp(), ArmBudgetSettings.armDefaults(),
                new CompositeMeterRegistry());
    }

    public AzureClients(ArmConnection connection, ManagedGroupRegistry managedGroups, TransientFaultRetryStrategy retries,
                        PrincipalSettings principalSettings, ArmBudgetSettings budget, MeterRegistry registry) {
        this.connection = connection;
        this.managedGroups = managedGroups;
        this.retryPolicy = new RetryPolicy(retries);
        this.principals = new PrincipalDirectory(this, connection, principalSettings);
        this.callMetrics = new ArmCallMetrics(registry);
        this.budget = new ArmBudget(budget, registry);
    }

    /** The client for the request's cloud, tenant and subscription. */
    public AzureResourceManager forRequest(CmkRequest request) {
        return resourceManager(AzureCloud.of(request), request.tenantId(), request.subscriptionId());
    }

    public AzureResourceManager resourceManager(AzureCloud cloud, String tenantId, String subscriptionId) {
        return managers.computeIfAbsent(cloud + "/" + tenantId + "/" + subscriptionId, key -> {
            AzureEnvironment environment = connection.environment(cloud);
            TokenCredential credential = connection.credential(cloud, tenantId);
            HttpPipeline lookup = new HttpPipelineBuilder()
                    .httpClient(connection.httpClient())
                    .policies(new BearerTokenAuthenticationPolicy(credential, armScope(environment)), budget)
                    .build();
            return AzureResourceManager.configure()
                    .withHttpClient(connection.httpClient())
                    .withRetryPolicy(retryPolicy)
                    .withPolicy(new ManagedGroupGuard(managedGroups, lookup))
                    // After the guard: a delete it refuses takes no token.
                    .withPolicy(budget)
                    .withPolicy(callMetrics)
                    .authenticate(credential, new AzureProfile(tenantId, subscriptionId, environment))
                    .withSubscription(subscriptionId);
        });
    }

    /**
     * A Key Vault data-plane client for {@code vaultUri} (used only to delete a key: the management plane has no
     * key delete). The check that the challenge names the vault's domain is on unless the connection turns it off
     * (the simulator's vaults are on localhost).
     */
    public KeyClient keyClient(CmkRequest request, String vaultUri) {
        AzureCloud cloud = AzureCloud.of(request);
        KeyClientBuilder builder = new KeyClientBuilder()
                .vaultUrl(vaultUri)
                .credential(connection.credential(cloud, request.tenantId()))
                .httpClient(connection.httpClient())
                .retryPolicy(retryPolicy)
                .addPolicy(callMetrics);
        if (!connection.keyVaultChallengeResourceCheck()) {
            builder.disableChallengeResourceVerification();
        }
        return builder.buildClient();
    }

    /** Object ids of Azure Cosmos DB and of cmkflow itself, per tenant. */
    public PrincipalDirectory principals() {
        return principals;
    }

    /** Managed groups known to this process; steps record the groups they read so the guard knows them at once. */
    public ManagedGroupRegistry managedGroups() {
        return managedGroups;
    }

    static String armScope(AzureEnvironment environment) {
        String endpoint = environment.getResourceManagerEndpoint();
        return (endpoint.endsWith("/") ? endpoint : endpoint + "/") + ".default";
    }
}
