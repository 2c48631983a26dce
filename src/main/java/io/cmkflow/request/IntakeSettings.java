package io.cmkflow.request;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Service Bus settings of the intake and of status events. Real mode: {@code fullyQualifiedNamespace}
 * (DefaultAzureCredential) or {@code connectionString}; dev mode points {@code connectionString} at the
 * in-process stand-in. {@code settleTimeout} bounds how long the intake waits for the broker to acknowledge a
 * complete, dead-letter or abandon before giving the message up to redelivery; {@code statusEventTimeout} how long a
 * `rejected` event is retried while the status queue refuses it before the request is dead-lettered without it.
 * {@code maxDeliveryCount} is the request queue's MaxDeliveryCount: on that delivery a request the intake cannot start
 * is dead-lettered by the intake, with its `rejected` event. {@code activityTimeoutCap} (dev mode
 * only) goes into each run's input: see {@code CmkWorkflowInput}. {@code replyToQueues} are the entities a request's
 * ReplyTo may name besides the status queue; events of a request naming any other go to the status queue.
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
        @Bindable(defaultValue = "PT1M") Duration statusEventTimeout,
        @Bindable(defaultValue = "5") int maxDeliveryCount,
        @Nullable Duration activityTimeoutCap,
        @Nullable List<String> replyToQueues) {

    public static final String DEFAULT_REQUEST_QUEUE = "cmk-requests";
    public static final String DEFAULT_STATUS_QUEUE = "cmk-status";

    /**
     * The configured entity {@code replyTo} names (Service Bus compares entity names without case), or empty when it
     * names none or one that is not allowed: anything but the status queue and {@code replyToQueues}, and never the
     * request queue, whose messages would start runs.
     */
    public Optional<String> replyToEntity(String replyTo) {
        if (replyTo == null || replyTo.equalsIgnoreCase(requestQueue)) {
            return Optional.empty();
        }
        return Stream.concat(Stream.of(statusQueue), replyToQueues == null ? Stream.empty() : replyToQueues.stream())
                .filter(entity -> entity.equalsIgnoreCase(replyTo.trim()) && !entity.equalsIgnoreCase(requestQueue))
                .findFirst();
    }
}
