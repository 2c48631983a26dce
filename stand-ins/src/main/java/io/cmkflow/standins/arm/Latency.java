package io.cmkflow.standins.arm;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Injected latency before answering: spikes (the next requests of one operation in one subscription, then none), a
 * global delay and per-operation delays. A matching spike wins, then the per-operation delay, then the global one.
 */
public final class Latency {
    private static final class Spike {
        final String operation;
        final String subscription;
        final Duration delay;
        int remaining;

        Spike(String operation, String subscription, Duration delay, int remaining) {
            this.operation = operation;
            this.subscription = subscription;
            this.delay = delay;
            this.remaining = remaining;
        }
    }

    private volatile Duration global = Duration.ZERO;
    private final Map<String, Duration> perOperation = new ConcurrentHashMap<>();
    private final List<Spike> spikes = new ArrayList<>();

    public Latency global(Duration delay) {
        this.global = requireNonNegative(delay);
        return this;
    }

    /** Delay for one operation id, e.g. {@code Vaults_Get}. */
    public Latency forOperation(String operation, Duration delay) {
        perOperation.put(operation.toLowerCase(Locale.ROOT), requireNonNegative(delay));
        return this;
    }

    /**
     * Delays the next {@code times} requests of {@code operation} in {@code subscription} (null: in any) by
     * {@code delay}; later ones are answered without it, as when a slow patch of Azure clears.
     */
    public synchronized Latency spike(String operation, String subscription, Duration delay, int times) {
        if (times < 1) {
            throw new IllegalArgumentException("times must be at least 1, was " + times);
        }
        spikes.add(new Spike(operation, subscription, requireNonNegative(delay), times));
        return this;
    }

    public synchronized void clear() {
        global = Duration.ZERO;
        perOperation.clear();
        spikes.clear();
    }

    /** The delay for this request, consuming one use of the first matching spike. */
    synchronized Duration delayFor(ArmRequest request) {
        Iterator<Spike> it = spikes.iterator();
        while (it.hasNext()) {
            Spike spike = it.next();
            if (spike.operation.equalsIgnoreCase(request.operation)
                    && (spike.subscription == null || spike.subscription.equalsIgnoreCase(request.subscription))) {
                if (--spike.remaining == 0) {
                    it.remove();
                }
                return spike.delay;
            }
        }
        return delayFor(request.operation);
    }

    /** The delay for an operation without spikes: its own, else the global one. */
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
