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
 * @param writeBurst      the write bucket's size; the worker keeps one of these tokens spare (see {@link ArmBudget})
 * @param readsPerSecond  how fast the read bucket refills
 * @param readBurst       the read bucket's size, one kept spare
 * @param maxWait         the longest a request waits for a token; beyond it the step fails THROTTLED with the wait as
 *                        its Retry-After, so an activity never sits out the budget past its heartbeat timeout
 * @param subscriptions   how many subscriptions' buckets the worker keeps (least recently used go first)
 */
@ConfigurationProperties("cmkflow.azure.budget")
public record ArmBudgetSettings(
        @Bindable(defaultValue = "10") double writesPerSecond,
        @Bindable(defaultValue = "200") int writeBurst,
        @Bindable(defaultValue = "25") double readsPerSecond,
        @Bindable(defaultValue = "250") int readBurst,
        @Bindable(defaultValue = "PT30S") Duration maxWait,
        @Bindable(defaultValue = "1000") int subscriptions) {

    public ArmBudgetSettings {
        require(writesPerSecond > 0, "writes-per-second", "must be > 0, was " + writesPerSecond);
        require(readsPerSecond > 0, "reads-per-second", "must be > 0, was " + readsPerSecond);
        require(writeBurst >= 2, "write-burst", "must be >= 2 (one token is kept spare), was " + writeBurst);
        require(readBurst >= 2, "read-burst", "must be >= 2 (one token is kept spare), was " + readBurst);
        require(maxWait != null && !maxWait.isNegative(), "max-wait", "must not be negative, was " + maxWait);
        require(subscriptions >= 1, "subscriptions", "must be >= 1, was " + subscriptions);
    }

    /** ARM's documented subscription limits, the defaults. */
    public static ArmBudgetSettings armDefaults() {
        return new ArmBudgetSettings(10, 200, 25, 250, Duration.ofSeconds(30), 1000);
    }

    private static void require(boolean holds, String setting, String problem) {
        if (!holds) {
            throw new IllegalArgumentException("cmkflow.azure.budget." + setting + " " + problem);
        }
    }
}
