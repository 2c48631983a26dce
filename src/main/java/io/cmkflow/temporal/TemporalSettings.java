package io.cmkflow.temporal;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * How cmkflow reaches Temporal: {@code address} (e.g. TEMPORAL_ADDRESS=my-ns.a1b2c.tmprl.cloud:7233, or the dev
 * server `cmkflow dev` starts), over TLS when a client certificate or an API key is configured.
 * {@code rpcRetryExpiration} bounds how long one call keeps retrying an unreachable server (the SDK default is about
 * a minute); the intake abandons a message after that. {@code uiAddress} is the Temporal UI that status events and log
 * lines link runs to (the dev server's UI by default).
 */
@ConfigurationProperties("cmkflow.temporal")
public record TemporalSettings(
        @Nullable String address,
        @Bindable(defaultValue = "default") String namespace,
        @Nullable String apiKey,
        @Nullable String tlsCertPath,
        @Nullable String tlsKeyPath,
        @Nullable Duration rpcRetryExpiration,
        @Bindable(defaultValue = "http://127.0.0.1:8233") String uiAddress) {

    public boolean addressConfigured() {
        return address != null && !address.isBlank();
    }

    public boolean clientCertificateConfigured() {
        return tlsCertPath != null && !tlsCertPath.isBlank() && tlsKeyPath != null && !tlsKeyPath.isBlank();
    }

    public boolean apiKeyConfigured() {
        return apiKey != null && !apiKey.isBlank();
    }

    /** The run's page in the Temporal UI. */
    public String runLink(String workflowId, String runId) {
        String base = uiAddress.endsWith("/") ? uiAddress.substring(0, uiAddress.length() - 1) : uiAddress;
        return base + "/namespaces/" + encode(namespace) + "/workflows/" + encode(workflowId)
                + (runId == null ? "" : "/" + encode(runId)) + "/history";
    }

    private static String encode(String segment) {
        return java.net.URLEncoder.encode(segment, java.nio.charset.StandardCharsets.UTF_8).replace("+", "%20");
    }
}
