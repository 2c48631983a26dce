package io.cmkflow.azure;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * cmkflow's own ARM request budget per subscription ({@link ArmBudget}): token buckets for writes (PUT, PATCH, POST,
 * DELETE) and reads, so the worker slows itself down before ARM throttles it. The defaults are ARM's documented
 * subscription limits for one service principal (writes 200 burst refilling 10/s, reads 250 refilling 25/s, per
 * region since ARM's 2024 token-bucket throttling); ARM's separate delete bucket (also 200 and 10/s) is counted in the
 * write budget here, which is stricter. Workers share no bucket: with N workers under one identity, set each to 1/N.
 *
 * @param writesPerSecond how fast the write bucket refills
 * @param writeBurst      the write bucket's size as ARM counts it; the worker's own holds fewer (see transitAllowance)
 * @param readsPerSecond  how fast the read bucket refills
 * @param readBurst       the read bucket's size as ARM counts it
 * @param maxWait         the longest a request waits for a token; beyond it the step fails THROTTLED with the wait as
 *                        its Retry-After, so an activity never sits out the budget past its heartbeat timeout
 * @param subscriptions   how many subscriptions' buckets the worker keeps (least recently used go first)
 * @param transitAllowance how much later than it left the worker a request may reach ARM and still fit ARM's bucket:
 *                        ARM counts requests as they arrive, and requests sent within budget arrive bunched when the
 *                        earlier ones were delayed on the way; so the worker's buckets hold {@code burst - rate x
 *                        transitAllowance} tokens (rounded up), which keeps arrivals delayed up to it within ARM's
 */
@ConfigurationProperties("cmkflow.azure.budget")
public record ArmBudgetSettings(
        @Bindable(defaultValue = "10") double writesPerSecond,
        @Bindable(defaultValue = "200") int writeBurst,
        @Bindable(defaultValue = "25") double readsPerSecond,
        @Bindable(defaultValue = "250") int readBurst,
        @Bindable(defaultValue = "PT30S") Duration maxWait,
        @Bindable(defaultValue = "1000") int subscriptions,
        @Bindable(defaultValue = "PT1S") Duration transitAllowance) {

    public ArmBudgetSettings {
        require(writesPerSecond > 0, "writes-per-second", "must be > 0, was " + writesPerSecond);
        require(readsPerSecond > 0, "reads-per-second", "must be > 0, was " + readsPerSecond);
        require(maxWait != null && !maxWait.isNegative(), "max-wait", "must not be negative, was " + maxWait);
        require(subscriptions >= 1, "subscriptions", "must be >= 1, was " + subscriptions);
        require(transitAllowance != null && !transitAllowance.isNegative(), "transit-allowance",
                "must not be negative, was " + transitAllowance);
        require(usable(writeBurst, writesPerSecond, transitAllowance) >= 1, "write-burst", "must exceed writes-per-second x "
                + "transit-allowance (" + writesPerSecond + " x " + transitAllowance + "), was " + writeBurst);
        require(usable(readBurst, readsPerSecond, transitAllowance) >= 1, "read-burst", "must exceed reads-per-second x "
                + "transit-allowance (" + readsPerSecond + " x " + transitAllowance + "), was " + readBurst);
    }

    /** The tokens the worker's write bucket holds. */
    int usableWriteBurst() {
        return usable(writeBurst, writesPerSecond, transitAllowance);
    }

    /** The tokens the worker's read bucket holds. */
    int usableReadBurst() {
        return usable(readBurst, readsPerSecond, transitAllowance);
    }

    private static int usable(int burst, double perSecond, Duration allowance) {
        return burst - (int) Math.ceil(perSecond * allowance.toNanos() / 1e9);
    }

    /** ARM's documented subscription limits, the defaults. */
    public static ArmBudgetSettings armDefaults() {
        return new ArmBudgetSettings(10, 200, 25, 250, Duration.ofSeconds(30), 1000, Duration.ofSeconds(1));
    }

    private static void require(boolean holds, String setting, String problem) {
        if (!holds) {
            throw new IllegalArgumentException("cmkflow.azure.budget." + setting + " " + problem);
        }
    }
}
