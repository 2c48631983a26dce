package io.cmkflow;

import io.cmkflow.azure.AzureConnectionSettings;
import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.request.IntakeSettings;
import io.cmkflow.temporal.TemporalSettings;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.Nullable;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code cmkflow serve} refuses to start on a missing or inconsistent setting and names it, as HashiCorp Vault's
 * server does: it never falls back to a stand-in or a Temporal server of its own (that is {@code cmkflow dev}).
 * Checked before any role starts, with the settings as Micronaut resolved them (files and environment variables).
 */
@Context
@Requires(notEnv = {"dev", "test"})
public class ServeSettingsCheck {

    public ServeSettingsCheck(TemporalSettings temporal, IntakeSettings serviceBus, AzureConnectionSettings azure,
                              @Nullable @Property(name = ScopeConfiguration.PROPERTY) List<String> scope,
                              @Property(name = "cmkflow.worker.enabled", defaultValue = "true") boolean worker,
                              @Property(name = "cmkflow.intake.enabled", defaultValue = "true") boolean intake) {
        List<String> problems = new ArrayList<>();
        if (!temporal.addressConfigured()) {
            problems.add("cmkflow.temporal.address (TEMPORAL_ADDRESS) is not set: give your Temporal cluster's or Temporal"
                    + " Cloud's address (serve never starts a Temporal server; `cmkflow dev` runs one on this machine)");
        }
        if ((worker || intake) && blank(serviceBus.connectionString()) && blank(serviceBus.fullyQualifiedNamespace())) {
            problems.add("cmkflow.servicebus.fully-qualified-namespace (SERVICEBUS_FULLY_QUALIFIED_NAMESPACE) or"
                    + " cmkflow.servicebus.connection-string (SERVICEBUS_CONNECTION_STRING) is not set: the "
                    + (intake ? "intake reads requests" : "worker sends status events") + " there");
        }
        if (blank(temporal.tlsCertPath()) != blank(temporal.tlsKeyPath())) {
            problems.add("cmkflow.temporal.tls-cert-path (TEMPORAL_TLS_CLIENT_CERT_PATH) and cmkflow.temporal.tls-key-path"
                    + " (TEMPORAL_TLS_CLIENT_KEY_PATH) go together: mTLS needs both the client certificate and its key");
        }
        if (worker && azure.customEndpoints() && (azure.authorityHost() == null || azure.graphEndpoint() == null)) {
            problems.add("cmkflow.azure.arm-endpoint (CMKFLOW_AZURE_ARM_ENDPOINT) is set without"
                    + " cmkflow.azure.authority-host (CMKFLOW_AZURE_AUTHORITY_HOST) and cmkflow.azure.graph-endpoint"
                    + " (CMKFLOW_AZURE_GRAPH_ENDPOINT): an ARM endpoint of its own comes with its own Entra ID and Graph");
        }
        if (worker || intake) {
            scopeProblem(scope).ifPresent(problems::add);
        }
        if (serviceBus.replyToQueues() != null && serviceBus.replyToQueues().stream()
                .anyMatch(q -> q.equalsIgnoreCase(serviceBus.requestQueue()))) {
            problems.add("cmkflow.servicebus.reply-to-queues names the request queue " + serviceBus.requestQueue()
                    + ": status events sent there would be read as requests");
        }
        if (serviceBus.activityTimeoutCap() != null) {
            problems.add("cmkflow.servicebus.activity-timeout-cap is set (" + serviceBus.activityTimeoutCap() + "): it is for"
                    + " `cmkflow dev`'s simulator; real Azure operations take minutes, so remove it for serve");
        }
        if (!problems.isEmpty()) {
            throw new ConfigurationException("cmkflow serve cannot start:\n  - " + String.join("\n  - ", problems));
        }
    }

    /** Anyone who can send a request chooses its tenant and ids: serve acts only inside a scope its operators gave. */
    private static Optional<String> scopeProblem(List<String> entries) {
        String setting = ScopeConfiguration.PROPERTY + " (CMKFLOW_AZURE_SCOPE)";
        try {
            AuthorizationScope scope = AuthorizationScope.of(entries);
            if (scope.isEmpty()) {
                return Optional.of(setting + " is empty: list the tenants, subscriptions and resource groups cmkflow may act"
                        + " on, e.g. AzureCloud/<tenant>/<subscription>/rg-ml-*");
            }
            if (scope.allowsEverything()) {
                return Optional.of(setting + " is '" + AuthorizationScope.EVERYTHING + "' (everything): that is for"
                        + " `cmkflow dev`; list the tenants, subscriptions and resource groups cmkflow may act on");
            }
            return Optional.empty();
        } catch (IllegalArgumentException malformed) {
            return Optional.of(setting + ": " + malformed.getMessage());
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
