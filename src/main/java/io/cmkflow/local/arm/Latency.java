package io.cmkflow.local.arm;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Injected latency before answering: a global delay and per-operation delays (the per-operation one wins). */
public final class Latency {
    private volatile Duration global = Duration.ZERO;
    private final Map<String, Duration> perOperation = new ConcurrentHashMap<>();

    public Latency global(Duration delay) {
        this.global = requireNonNegative(delay);
        return this;
    }

    /** Delay for one operation id, e.g. {@code Vaults_Get}. */
    public Latency forOperation(String operation, Duration delay) {
        perOperation.put(operation.toLowerCase(Locale.ROOT), requireNonNegative(delay));
        return this;
    }

    public void clear() {
        global = Duration.ZERO;
        perOperation.clear();
    }

    Duration delayFor(String operation) {
        return perOperation.getOrDefault(operation.toLowerCase(Locale.ROOT), global);
    }

    private static Duration requireNonNegative(Duration delay) {
        if (delay == null || delay.isNegative()) {
            throw new IllegalArgumentException("latency must be zero or positive, was " + delay);
        }
        return delay;
    }
}
