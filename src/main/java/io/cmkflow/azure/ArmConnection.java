package io.cmkflow.azure;

import io.cmkflow.contract.AzureCloud;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.identity.DefaultAzureCredentialBuilder;

import javax.net.ssl.SSLContext;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Where ARM is and how to authenticate to it: the real clouds (endpoints by the request's cloud,
 * DefaultAzureCredential) or the ARM simulator of dev mode (its endpoint, certificate and credentials).
 * Owns the one HTTP client all pipelines share.
 */
public final class ArmConnection {

    private final HttpClient httpClient;
    private final AzureEnvironment simulatorEnvironment;
    /** The simulator's credential per tenant (its tokens name the tenant, as Entra ID's do); null for real Azure. */
    private final Function<String, TokenCredential> simulatorCredentials;
    private final Map<String, TokenCredential> credentials = new ConcurrentHashMap<>();

    private ArmConnection(HttpClient httpClient, AzureEnvironment simulatorEnvironment,
                          Function<String, TokenCredential> simulatorCredentials) {
        this.httpClient = httpClient;
        this.simulatorEnvironment = simulatorEnvironment;
        this.simulatorCredentials = simulatorCredentials;
    }

    /** Real Azure: endpoints per cloud, DefaultAzureCredential per tenant. */
    public static ArmConnection real() {
        return new ArmConnection(new JdkHttpClientBuilder().build(), null, null);
    }

    /**
     * The ARM simulator: every cloud maps to its endpoints; its self-signed certificate is trusted through
     * {@code sslContext}; {@code credentials} gives the simulator's credential for a tenant.
     */
    public static ArmConnection simulator(AzureEnvironment environment, SSLContext sslContext,
                                          Function<String, TokenCredential> credentials) {
        HttpClient client = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(sslContext)).build();
        return new ArmConnection(client, environment, credentials);
    }

    public boolean simulated() {
        return simulatorEnvironment != null;
    }

    public HttpClient httpClient() {
        return httpClient;
    }

    public AzureEnvironment environment(AzureCloud cloud) {
        return simulated() ? simulatorEnvironment : cloud.environment();
    }

    public TokenCredential credential(AzureCloud cloud, String tenantId) {
        if (simulated()) {
            return credentials.computeIfAbsent(tenantId, simulatorCredentials);
        }
        return credentials.computeIfAbsent(cloud.name() + "/" + tenantId, key -> new DefaultAzureCredentialBuilder()
                .tenantId(tenantId)
                .authorityHost(cloud.environment().getActiveDirectoryEndpoint())
                .httpClient(httpClient)
                .build());
    }
}
