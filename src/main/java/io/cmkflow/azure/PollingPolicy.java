package io.cmkflow.azure;

import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * How the Azure layer waits: at Azure's {@code Retry-After} when an answer carries one, otherwise exponential backoff
 * from {@code initialDelay} up to {@code maxDelay}; giving up at
 * {@code deadline} with a RETRYABLE failure (the activity is idempotent, so Temporal may run it again). Every wait
 * calls the heartbeat first, so a Temporal activity stays alive and learns of cancellation; a poll answered at once
 * makes no heartbeat.
 */
public record PollingPolicy(Duration initialDelay, Duration maxDelay, Duration deadline) {

    /** Production pacing: ARM long-running operations take seconds to minutes. */
    public static PollingPolicy defaults() {
        return new PollingPolicy(Duration.ofSeconds(2), Duration.ofSeconds(30), Duration.ofMinutes(45));
    }

    /** What one poll saw: the value once there is one, else the wait Azure asked for ({@code Retry-After}), if any. */
    public record Poll<T>(Optional<T> value, Duration retryAfter) {
        public static <T> Poll<T> done(T value) {
            return new Poll<>(Optional.of(value), null);
        }

        public static <T> Poll<T> notYet(Duration retryAfter) {
            return new Poll<>(Optional.empty(), retryAfter);
        }
    }

    /** Waits until {@code probe} yields a value; {@code what} names the awaited state in the timeout error. */
    public <T> T await(String what, Runnable heartbeat, Supplier<Optional<T>> probe) {
        return poll(what, heartbeat, () -> new Poll<>(probe.get(), null));
    }

    /**
     * Waits until {@code probe} yields a value, sleeping what Azure asked for between polls ({@code Retry-After}: not
     * sooner, so as not to be throttled, and not later, so a completion is noticed at most one {@code Retry-After}
     * late), or this policy's backoff when Azure asked for nothing.
     */
    public <T> T poll(String what, Runnable heartbeat, Supplier<Poll<T>> probe) {
        Instant giveUp = Instant.now().plus(deadline);
        Duration backoff = initialDelay;
        while (true) {
            Poll<T> poll = probe.get();
            if (poll.value().isPresent()) {
                return poll.value().get();
            }
            long answered = System.nanoTime();
            boolean asked = poll.retryAfter() != null && !poll.retryAfter().isZero() && !poll.retryAfter().isNegative();
            Duration delay = asked ? poll.retryAfter() : backoff;
            if (Instant.now().plus(delay).isAfter(giveUp)) {
                throw new AzureStepException(AzureFailure.retryable("OperationTimedOut",
                        "gave up waiting after " + deadline + " for " + what));
            }
            // The heartbeat belongs to the wait, and its time counts in it: Temporal's first one in an attempt is a
            // blocking call to the server, which a probe answered at once need not pay.
            heartbeat.run();
            sleep(delay.minusNanos(System.nanoTime() - answered));
            if (!asked) {
                backoff = next(backoff);
            }
        }
    }

    /** Drives a long-running operation to a terminal state, at Azure's {@code Retry-After} or this policy's pace. */
    public <P, T> PollResponse<P> awaitCompletion(String what, Runnable heartbeat, SyncPoller<P, T> poller) {
        return poll(what, heartbeat, () -> {
            PollResponse<P> response = poller.poll();
            LongRunningOperationStatus status = response.getStatus();
            return status.isComplete() ? Poll.done(response) : Poll.notYet(response.getRetryAfter());
        });
    }

    private Duration next(Duration delay) {
        Duration doubled = delay.multipliedBy(2);
        return doubled.compareTo(maxDelay) > 0 ? maxDelay : doubled;
    }

    private static void sleep(Duration delay) {
        if (delay.isNegative() || delay.isZero()) {
            return;
        }
        try {
            // Rounded up: never sooner than Azure asked.
            Thread.sleep(TimeUnit.NANOSECONDS.toMillis(delay.toNanos() + 999_999));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AzureStepException(AzureFailure.retryable("Interrupted", "interrupted while waiting"), e);
        }
    }
}
