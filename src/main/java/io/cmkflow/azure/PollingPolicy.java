package io.cmkflow.azure;

import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * How the Azure layer waits: exponential backoff from {@code initialDelay} up to {@code maxDelay}, giving up at
 * {@code deadline} with a RETRYABLE failure (the activity is idempotent, so Temporal may run it again). Every wait
 * calls the heartbeat first, so a Temporal activity stays alive and learns of cancellation.
 */
public record PollingPolicy(Duration initialDelay, Duration maxDelay, Duration deadline) {

    /** Production pacing: ARM long-running operations take seconds to minutes. */
    public static PollingPolicy defaults() {
        return new PollingPolicy(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(45));
    }

    /** Waits until {@code probe} yields a value; {@code what} names the awaited state in the timeout error. */
    public <T> T await(String what, Runnable heartbeat, Supplier<Optional<T>> probe) {
        Instant giveUp = Instant.now().plus(deadline);
        Duration delay = initialDelay;
        while (true) {
            heartbeat.run();
            Optional<T> value = probe.get();
            if (value.isPresent()) {
                return value.get();
            }
            if (Instant.now().plus(delay).isAfter(giveUp)) {
                throw new AzureStepException(AzureFailure.retryable("OperationTimedOut",
                        "gave up waiting after " + deadline + " for " + what));
            }
            sleep(delay);
            delay = next(delay);
        }
    }

    /** Drives a long-running operation to a terminal state, polling at this policy's pace. */
    public <P, T> PollResponse<P> awaitCompletion(String what, Runnable heartbeat, SyncPoller<P, T> poller) {
        return await(what, heartbeat, () -> {
            PollResponse<P> response = poller.poll();
            LongRunningOperationStatus status = response.getStatus();
            return status.isComplete() ? Optional.of(response) : Optional.empty();
        });
    }

    private Duration next(Duration delay) {
        Duration doubled = delay.multipliedBy(2);
        return doubled.compareTo(maxDelay) > 0 ? maxDelay : doubled;
    }

    private static void sleep(Duration delay) {
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AzureStepException(AzureFailure.retryable("Interrupted", "interrupted while waiting"), e);
        }
    }
}
