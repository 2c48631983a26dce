package io.cmkflow.azure;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.net.URI;
import java.nio.file.Path;

/**
 * How cmkflow reaches Azure: by default the public clouds' endpoints (by each request's cloud) and
 * DefaultAzureCredential. An ARM endpoint other than the public clouds' (Azure Stack Hub, a sovereign cloud, the
 * compose stack's ARM simulator) is ordinary configuration: {@code armEndpoint}, {@code authorityHost} (its Entra ID
 * or AD FS), {@code graphEndpoint}, and {@code trustedCertificate} when its TLS certificate comes from a CA the JVM does
 * not trust. With {@code clientId} and {@code clientSecret} the credential is azure-identity's ClientSecretCredential
 * (one per tenant), otherwise DefaultAzureCredential (environment, workload identity, managed identity, Azure CLI).
 *
 * @param tenantId                       the home tenant: the readiness check's token is asked for there
 * @param keyVaultChallengeResourceCheck Key Vault's client checks that the resource its 401 challenge names is the
 *                                       vault's own domain; only an endpoint whose vaults live on other host names
 *                                       (the simulator's are on localhost) turns it off
 */
@ConfigurationProperties("cmkflow.azure")
public record AzureConnectionSettings(@Nullable URI armEndpoint,
                                      @Nullable URI authorityHost,
                                      @Nullable URI graphEndpoint,
                                      @Nullable Path trustedCertificate,
                                      @Nullable String tenantId,
                                      @Nullable String clientId,
                                      @Nullable String clientSecret,
                                      @Bindable(defaultValue = "true") boolean keyVaultChallengeResourceCheck) {

    public AzureConnectionSettings {
        // An empty environment variable (compose's way of unsetting one) means unset.
        armEndpoint = blank(armEndpoint) ? null : armEndpoint;
        authorityHost = blank(authorityHost) ? null : authorityHost;
        graphEndpoint = blank(graphEndpoint) ? null : graphEndpoint;
        trustedCertificate = blank(trustedCertificate) ? null : trustedCertificate;
    }

    private static boolean blank(Object value) {
        return value == null || value.toString().isBlank();
    }

    /** The public clouds with DefaultAzureCredential. */
    public static AzureConnectionSettings publicClouds() {
        return new AzureConnectionSettings(null, null, null, null, null, null, null, true);
    }

    /** Whether the endpoints are configured rather than taken from each request's cloud. */
    public boolean customEndpoints() {
        return armEndpoint != null;
    }

    /** Whether a client id and secret are configured (ClientSecretCredential rather than DefaultAzureCredential). */
    public boolean clientSecretConfigured() {
        return clientId != null && !clientId.isBlank() && clientSecret != null && !clientSecret.isBlank();
    }

    @Override
    public String toString() {
        // The record's own toString would print the secret.
        return "AzureConnectionSettings[armEndpoint=" + armEndpoint + ", authorityHost=" + authorityHost
                + ", graphEndpoint=" + graphEndpoint + ", trustedCertificate=" + trustedCertificate + ", tenantId="
                + tenantId + ", clientId=" + clientId + ", clientSecret=" + (clientSecret == null ? null : "***")
                + ", keyVaultChallengeResourceCheck=" + keyVaultChallengeResourceCheck + "]";
    }
}
