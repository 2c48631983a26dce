package io.cmkflow.standins.arm;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * ARM-like request throttling: a token bucket per subscription for writes and one for reads. Off by default. When a
 * bucket is empty the request is answered 429 with {@code Retry-After} (seconds until a token is back).
 */
public final class Throttling {
    /** Bucket sizes and refill rates (tokens per second). */
    public record Limits(int writeBurst, double writeRefillPerSecond, int readBurst, double readRefillPerSecond) {
        public Limits {
            if (writeBurst < 1 || readBurst < 1 || writeRefillPerSecond <= 0 || readRefillPerSecond <= 0) {
                throw new IllegalArgumentException("bursts must be >= 1 and refill rates > 0: " + writeBurst + ", "
                        + writeRefillPerSecond + ", " + readBurst + ", " + readRefillPerSecond);
            }
        }

        /**
         * ARM's documented subscription limits (per region, per service principal, since ARM's 2024 token-bucket
         * throttling): writes 200 burst refilling 10/s, reads 250 burst refilling 25/s. ARM keeps deletes in a third
         * bucket of the same size; here they count as writes, which is stricter.
         */
        public static Limits armDefaults() {
            return new Limits(200, 10, 250, 25);
        }
    }

    /** What the bucket said: whether to serve, tokens left, and seconds to wait when refused. */
    record Verdict(boolean allowed, long remaining, long retryAfterSeconds) {
    }

    private static final class Bucket {
        final int capacity;
        final double refillPerNano;
        double tokens;
        long lastRefill;

        Bucket(int capacity, double refillPerSecond, long now) {
            this.capacity = capacity;
            this.refillPerNano = refillPerSecond / 1_000_000_000d;
            this.tokens = capacity;
            this.lastRefill = now;
        }

        Verdict take(long now) {
            tokens = Math.min(capacity, tokens + (now - lastRefill) * refillPerNano);
            lastRefill = now;
            if (tokens >= 1) {
                tokens -= 1;
                return new Verdict(true, (long) Math.floor(tokens), 0);
            }
            long wait = (long) Math.ceil((1 - tokens) / refillPerNano / 1_000_000_000d);
            return new Verdict(false, 0, Math.max(1, wait));
        }

        long remaining(long now) {
            return (long) Math.floor(Math.min(capacity, tokens + (now - lastRefill) * refillPerNano));
        }
    }

    private Limits limits = Limits.armDefaults();
    private boolean enabled;
    private final Map<String, Bucket> buckets = new HashMap<>();

    /** Turns throttling on with ARM's default limits. */
    public Throttling enable() {
        return enable(Limits.armDefaults());
    }

    public synchronized Throttling enable(Limits newLimits) {
        this.limits = newLimits;
        this.enabled = true;
        buckets.clear();
        return this;
    }

    public synchronized Throttling disable() {
        this.enabled = false;
        buckets.clear();
        return this;
    }

    public synchronized boolean enabled() {
        return enabled;
    }

    /** Consumes a token when throttling is on; always allowed when it is off. */
    synchronized Verdict take(String subscription, boolean write) {
        if (!enabled) {
            return new Verdict(true, remaining(subscription, write), 0);
        }
        return bucket(subscription, write).take(System.nanoTime());
    }

    /** Tokens left in the bucket, as ARM reports in x-ms-ratelimit-remaining-subscription-{reads,writes}. */
    synchronized long remaining(String subscription, boolean write) {
        return bucket(subscription, write).remaining(System.nanoTime());
    }

    private Bucket bucket(String subscription, boolean write) {
        String key = (subscription == null ? "-" : subscription.toLowerCase(Locale.ROOT)) + (write ? "|w" : "|r");
        return buckets.computeIfAbsent(key, k -> write
                ? new Bucket(limits.writeBurst(), limits.writeRefillPerSecond(), System.nanoTime())
                : new Bucket(limits.readBurst(), limits.readRefillPerSecond(), System.nanoTime()));
    }
}
