package io.cmkflow.azure;

/**
 * A token bucket that hands out reservations: a caller takes the next token even when it is not there yet and learns
 * how long to wait for it, so waiting callers are served in arrival order at exactly the refill rate, without
 * polling. A caller whose wait would exceed the bound it gives reserves nothing. Thread-safe.
 * <p>
 * Requests sent at the times it hands out never exceed the bucket: in any window of length w at most {@code
 * capacity + refillPerSecond * w} of them, because tokens only go negative while reservations are outstanding, and
 * the cap applies only when none is.
 */
final class TokenBucket {

    /** The bucket's answer: the token is the caller's after {@code waitNanos}, or it was refused (nothing reserved). */
    record Reservation(boolean granted, long waitNanos) {
    }

    private final double capacity;
    private final double tokensPerNano;
    private double tokens;
    private long updatedAt;

    TokenBucket(double capacity, double refillPerSecond, long now) {
        if (capacity < 1 || refillPerSecond <= 0) {
            throw new IllegalArgumentException("a bucket needs capacity >= 1 and refill > 0, was " + capacity + ", " + refillPerSecond);
        }
        this.capacity = capacity;
        this.tokensPerNano = refillPerSecond / 1_000_000_000d;
        this.tokens = capacity;
        this.updatedAt = now;
    }

    /**
     * Reserves one token if it is there within {@code maxWaitNanos} of {@code now}; otherwise reserves nothing and
     * says how long the wait would have been.
     */
    synchronized Reservation reserve(long now, long maxWaitNanos) {
        if (now > updatedAt) {
            tokens = Math.min(capacity, tokens + (now - updatedAt) * tokensPerNano);
            updatedAt = now;
        }
        long wait = tokens >= 1 ? 0 : (long) Math.ceil((1 - tokens) / tokensPerNano);
        if (wait > maxWaitNanos) {
            return new Reservation(false, wait);
        }
        tokens -= 1;
        return new Reservation(true, wait);
    }
}
