package io.cmkflow.request;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * Service Bus settings of the intake and of status events. Real mode: {@code fullyQualifiedNamespace}
 * (DefaultAzureCredential) or {@code connectionString}; dev mode points {@code connectionString} at the
 * in-process stand-in. {@code settleTimeout} bounds how long the intake waits for the broker to acknowledge a
 * complete, dead-letter or abandon before giving the message up to redelivery. {@code activityTimeoutCap} (dev mode
 * only) goes into each run's input: see {@code CmkWorkflowInput}.
 */
@ConfigurationProperties("cmkflow.servicebus")
public record IntakeSettings(
        @Nullable String connectionString,
        @Nullable String fullyQualifiedNamespace,
        @Bindable(defaultValue = IntakeSettings.DEFAULT_REQUEST_QUEUE) String requestQueue,
        @Bindable(defaultValue = IntakeSettings.DEFAULT_STATUS_QUEUE) String statusQueue,
        @Bindable(defaultValue = "16") int maxConcurrentCalls,
        @Bindable(defaultValue = "0") int prefetchCount,
        @Bindable(defaultValue = "262144") int maxMessageBytes,
        @Bindable(defaultValue = "PT10M") Duration maxLockRenewal,
        @Bindable(defaultValue = "PT30S") Duration settleTimeout,
        @Nullable Duration activityTimeoutCap) {

    public static final String DEFAULT_REQUEST_QUEUE = "cmk-requests";
    public static final String DEFAULT_STATUS_QUEUE = "cmk-status";
}
