package io.cmkflow.standins.arm;

import java.util.Locale;
import java.util.Objects;

/**
 * An injected error for requests of one operation (optionally only those naming one resource, or in one subscription), answered instead of the
 * real behaviour for the next {@code times} matching requests. Immutable: each setter returns a new rule.
 * <pre>{@code
 * FaultRule.forOperation("Workspaces_CreateOrUpdate").status(409).code("QuotaExceeded").message("...").times(2)
 * }</pre>
 */
public final class FaultRule {
    private final String operation;
    private final String resourceName;
    private final String subscription;
    private final int status;
    private final String code;
    private final String message;
    private final int times;
    private final Integer retryAfterSeconds;

    private FaultRule(String operation, String resourceName, String subscription, int status, String code, String message,
                      int times, Integer retryAfterSeconds) {
        this.operation = Objects.requireNonNull(operation, "operation");
        this.resourceName = resourceName;
        this.subscription = subscription;
        this.status = status;
        this.code = code;
        this.message = message;
        this.times = times;
        this.retryAfterSeconds = retryAfterSeconds;
    }

    /** A rule for an operation id such as {@code Vaults_CreateOrUpdate}; defaults: 500 InternalServerError, once. */
    public static FaultRule forOperation(String operation) {
        return new FaultRule(operation, null, null, 500, "InternalServerError", "Injected fault.", 1, null);
    }

    /** Only requests whose path names this resource (a path segment equal to it, case-insensitive). */
    public FaultRule resourceName(String name) {
        return new FaultRule(operation, name, subscription, status, code, message, times, retryAfterSeconds);
    }

    /**
     * Only requests in this subscription (the one in their path; data-plane and Graph requests name none): lets tests
     * that share one simulator fault their own runs only.
     */
    public FaultRule subscription(String subscriptionId) {
        return new FaultRule(operation, resourceName, subscriptionId, status, code, message, times, retryAfterSeconds);
    }

    public FaultRule status(int httpStatus) {
        if (httpStatus < 400 || httpStatus > 599) {
            throw new IllegalArgumentException("status must be an HTTP error status (400-599), was " + httpStatus);
        }
        return new FaultRule(operation, resourceName, subscription, httpStatus, code, message, times, retryAfterSeconds);
    }

    public FaultRule code(String errorCode) {
        return new FaultRule(operation, resourceName, subscription, status, errorCode, message, times, retryAfterSeconds);
    }

    public FaultRule message(String errorMessage) {
        return new FaultRule(operation, resourceName, subscription, status, code, errorMessage, times, retryAfterSeconds);
    }

    /** How many matching requests fail; {@link Integer#MAX_VALUE} for all of them. */
    public FaultRule times(int count) {
        if (count < 1) {
            throw new IllegalArgumentException("times must be at least 1, was " + count);
        }
        return new FaultRule(operation, resourceName, subscription, status, code, message, count, retryAfterSeconds);
    }

    public FaultRule always() {
        return times(Integer.MAX_VALUE);
    }

    public FaultRule retryAfterSeconds(int seconds) {
        if (seconds < 0) {
            throw new IllegalArgumentException("retryAfterSeconds must not be negative, was " + seconds);
        }
        return new FaultRule(operation, resourceName, subscription, status, code, message, times, seconds);
    }

    public String operation() {
        return operation;
    }

    public String resourceName() {
        return resourceName;
    }

    public String subscription() {
        return subscription;
    }

    public int status() {
        return status;
    }

    public String code() {
        return code;
    }

    public String errorMessage() {
        return message;
    }

    public int times() {
        return times;
    }

    public Integer retryAfterSeconds() {
        return retryAfterSeconds;
    }

    boolean matches(ArmRequest request) {
        if (!operation.equalsIgnoreCase(request.operation)) {
            return false;
        }
        if (subscription != null && !subscription.equalsIgnoreCase(request.subscription)) {
            return false;
        }
        if (resourceName == null) {
            return true;
        }
        String wanted = resourceName.toLowerCase(Locale.ROOT);
        return request.segments.stream().anyMatch(s -> s.toLowerCase(Locale.ROOT).equals(wanted));
    }
}
