package io.cmkflow.temporal;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * How cmkflow reaches Temporal. Without {@code address} the local default embeds the Temporal test server on
 * {@code embeddedPort}; with it (e.g. TEMPORAL_ADDRESS=my-ns.a1b2c.tmprl.cloud:7233) it connects there, over TLS
 * when a client certificate or an API key is configured. {@code rpcRetryExpiration} bounds how long one call keeps
 * retrying an unreachable server (the SDK default is about a minute); the intake abandons a message after that.
 */
@ConfigurationProperties("cmkflow.temporal")
public record TemporalSettings(
        @Nullable String address,
        @Bindable(defaultValue = "default") String namespace,
        @Bindable(defaultValue = "7233") int embeddedPort,
        @Nullable String apiKey,
        @Nullable String tlsCertPath,
        @Nullable String tlsKeyPath,
        @Nullable Duration rpcRetryExpiration) {

    public boolean embedded() {
        return address == null || address.isBlank();
    }

    public boolean clientCertificateConfigured() {
        return tlsCertPath != null && !tlsCertPath.isBlank() && tlsKeyPath != null && !tlsKeyPath.isBlank();
    }

    public boolean apiKeyConfigured() {
        return apiKey != null && !apiKey.isBlank();
    }

    public String target() {
        return embedded() ? "localhost:" + embeddedPort : address;
    }
}
