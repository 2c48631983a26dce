package io.cmkflow.azure;

import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.ExponentialBackoff;
import com.azure.core.http.policy.ExponentialBackoffOptions;
import com.azure.core.http.policy.RetryStrategy;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeoutException;

/**
 * The SDK-level retry cmkflow keeps: a couple of quick retries of connection failures and 408/5xx, which are
 * cheap and spare a long-running operation a restart. 429 is deliberately not retried here: the SDK would wait out
 * Retry-After inside the activity, three times, invisibly; instead the failure surfaces as THROTTLED with its
 * Retry-After and Temporal schedules the next attempt, where it is visible and does not hold a worker slot.
 */
public final class TransientFaultRetryStrategy implements RetryStrategy {

    private final ExponentialBackoff backoff;
    private final int maxRetries;

    public TransientFaultRetryStrategy(int maxRetries, Duration baseDelay, Duration maxDelay) {
        this.maxRetries = maxRetries;
        this.backoff = new ExponentialBackoff(new ExponentialBackoffOptions()
                .setMaxRetries(maxRetries).setBaseDelay(baseDelay).setMaxDelay(maxDelay));
    }

    public static TransientFaultRetryStrategy defaults() {
        return new TransientFaultRetryStrategy(2, Duration.ofMillis(250), Duration.ofSeconds(2));
    }

    @Override
    public int getMaxRetries() {
        return maxRetries;
    }

    @Override
    public Duration calculateRetryDelay(int retryAttempts) {
        return backoff.calculateRetryDelay(retryAttempts);
    }

    @Override
    public boolean shouldRetry(HttpResponse response) {
        int status = response.getStatusCode();
        return status == 408 || (status >= 500 && status != 501 && status != 505);
    }

    @Override
    public boolean shouldRetryException(Throwable throwable) {
        for (Throwable t = throwable; t != null; t = t.getCause()) {
            if (t instanceof IOException || t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }
}
