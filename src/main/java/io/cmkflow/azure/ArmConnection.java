package io.cmkflow.azure;

import io.cmkflow.contract.AzureCloud;
import com.azure.core.credential.AccessToken;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.identity.DefaultAzureCredentialBuilder;
import reactor.core.publisher.Mono;

import javax.net.ssl.SSLContext;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where ARM is and how to authenticate to it: the real clouds (endpoints by the request's cloud,
 * DefaultAzureCredential) or the ARM simulator of dev mode (its endpoint and certificate, a fixed token).
 * Owns the one HTTP client all pipelines share.
 */
public final class ArmConnection {

    private final HttpClient httpClient;
    private final AzureEnvironment simulatorEnvironment;
    private final TokenCredential simulatorCredential;
    private final Map<String, TokenCredential> realCredentials = new ConcurrentHashMap<>();

    private ArmConnection(HttpClient httpClient, AzureEnvironment simulatorEnvironment) {
        this.httpClient = httpClient;
        this.simulatorEnvironment = simulatorEnvironment;
        this.simulatorCredential = simulatorEnvironment == null ? null
                : request -> Mono.just(new AccessToken("cmkflow-simulator-token", OffsetDateTime.now().plusHours(1)));
    }

    /** Real Azure: endpoints per cloud, DefaultAzureCredential per tenant. */
    public static ArmConnection real() {
        return new ArmConnection(new JdkHttpClientBuilder().build(), null);
    }

    /** The ARM simulator: every cloud maps to its endpoints; its self-signed certificate is trusted through {@code sslContext}. */
    public static ArmConnection simulator(AzureEnvironment environment, SSLContext sslContext) {
        HttpClient client = new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(sslContext)).build();
        return new ArmConnection(client, environment);
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
            return simulatorCredential;
        }
        return realCredentials.computeIfAbsent(cloud.name() + "/" + tenantId, key -> new DefaultAzureCredentialBuilder()
                .tenantId(tenantId)
                .authorityHost(cloud.environment().getActiveDirectoryEndpoint())
                .httpClient(httpClient)
                .build());
    }
}
