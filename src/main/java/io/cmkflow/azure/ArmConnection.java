package io.cmkflow.azure;

import io.cmkflow.contract.AzureCloud;
import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.identity.DefaultAzureCredentialBuilder;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where ARM is and how to authenticate to it ({@link AzureConnectionSettings}): the public clouds' endpoints by each
 * request's cloud, or the configured endpoints for every request; an azure-identity credential per tenant. Owns the
 * one HTTP client all pipelines and credentials share.
 */
public final class ArmConnection {

    private final AzureConnectionSettings settings;
    private final HttpClient httpClient;
    /** Null when the endpoints come from each request's cloud. */
    private final AzureEnvironment customEnvironment;
    private final Map<String, TokenCredential> credentials = new ConcurrentHashMap<>();

    public ArmConnection(AzureConnectionSettings settings) {
        this.settings = settings;
        this.httpClient = settings.trustedCertificate() == null ? new JdkHttpClientBuilder().build()
                : new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder()
                .sslContext(trusting(settings.trustedCertificate()))).build();
        this.customEnvironment = settings.customEndpoints() ? customEnvironment(settings) : null;
    }

    /** The public clouds with DefaultAzureCredential. */
    public static ArmConnection publicClouds() {
        return new ArmConnection(AzureConnectionSettings.publicClouds());
    }

    public HttpClient httpClient() {
        return httpClient;
    }

    public AzureEnvironment environment(AzureCloud cloud) {
        return customEnvironment != null ? customEnvironment : cloud.environment();
    }

    /** Whether Key Vault's client checks that its challenge names the vault's own domain. */
    public boolean keyVaultChallengeResourceCheck() {
        return settings.keyVaultChallengeResourceCheck();
    }

    /** The credential signing in to {@code tenantId} of {@code cloud} (null: the configured home tenant). */
    public TokenCredential credential(AzureCloud cloud, String tenantId) {
        String tenant = tenantId != null ? tenantId : settings.tenantId();
        return credentials.computeIfAbsent(cloud.name() + "/" + tenant, key -> {
            String authorityHost = environment(cloud).getActiveDirectoryEndpoint();
            // Instance discovery asks the public cloud's Entra ID about the authority: only its own hosts pass.
            boolean discover = customEnvironment == null;
            if (settings.clientSecretConfigured()) {
                ClientSecretCredentialBuilder builder = new ClientSecretCredentialBuilder().tenantId(tenant)
                        .clientId(settings.clientId()).clientSecret(settings.clientSecret())
                        .authorityHost(authorityHost).httpClient(httpClient);
                return (discover ? builder : builder.disableInstanceDiscovery()).build();
            }
            DefaultAzureCredentialBuilder builder = new DefaultAzureCredentialBuilder().tenantId(tenant)
                    .authorityHost(authorityHost).httpClient(httpClient);
            return (discover ? builder : builder.disableInstanceDiscovery()).build();
        });
    }

    /**
     * The public cloud's settings with ARM, the authority and Microsoft Graph at the configured endpoints (the others,
     * portal and gallery, cmkflow never calls).
     */
    private static AzureEnvironment customEnvironment(AzureConnectionSettings settings) {
        if (settings.authorityHost() == null || settings.graphEndpoint() == null) {
            throw new IllegalArgumentException("cmkflow.azure.arm-endpoint needs cmkflow.azure.authority-host and"
                    + " cmkflow.azure.graph-endpoint too");
        }
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        String arm = withSlash(settings.armEndpoint().toString());
        String graph = withSlash(settings.graphEndpoint().toString());
        endpoints.put("resourceManagerEndpointUrl", arm);
        endpoints.put("managementEndpointUrl", arm);
        endpoints.put("activeDirectoryEndpointUrl", withSlash(settings.authorityHost().toString()));
        endpoints.put("microsoftGraphResourceId", graph);
        endpoints.put("activeDirectoryGraphResourceId", graph);
        return new AzureEnvironment(endpoints);
    }

    private static String withSlash(String url) {
        return url.endsWith("/") ? url : url + "/";
    }

    /** A TLS context trusting the JVM's certificate authorities and the PEM certificates in {@code file}. */
    private static SSLContext trusting(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            KeyStore trusted = KeyStore.getInstance(KeyStore.getDefaultType());
            trusted.load(null, null);
            TrustManagerFactory jvm = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            jvm.init((KeyStore) null);
            int n = 0;
            for (X509Certificate authority : ((X509TrustManager) jvm.getTrustManagers()[0]).getAcceptedIssuers()) {
                trusted.setCertificateEntry("jvm-" + n++, authority);
            }
            int configured = 0;
            for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                trusted.setCertificateEntry("configured-" + configured++, certificate);
            }
            if (configured == 0) {
                throw new IllegalArgumentException("cmkflow.azure.trusted-certificate " + file + " holds no certificate");
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(trusted);
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(null, factory.getTrustManagers(), null);
            return context;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read cmkflow.azure.trusted-certificate " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("cmkflow.azure.trusted-certificate " + file + ": " + e.getMessage(), e);
        }
    }
}
