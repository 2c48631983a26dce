package io.cmkflow.temporal;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * CMK posture checks: whether a create schedules them, how often each workspace is checked, how soon a key expiry
 * counts as a risk, and whether a check that finds key access missing starts a repair run (off by default: the repair
 * writes access policies or role assignments, which a platform team may want to decide on itself).
 */
@ConfigurationProperties("cmkflow.posture")
public record PostureSettings(
        @Bindable(defaultValue = "true") boolean enabled,
        @Bindable(defaultValue = "P1D") Duration interval,
        @Bindable(defaultValue = "P30D") Duration expiryThreshold,
        @Bindable(defaultValue = "false") boolean repair) {

    public PostureSettings {
        if (interval == null || interval.compareTo(Duration.ofMinutes(1)) < 0) {
            throw new IllegalArgumentException("cmkflow.posture.interval must be at least PT1M, was " + interval);
        }
        if (expiryThreshold == null || expiryThreshold.isNegative()) {
            throw new IllegalArgumentException("cmkflow.posture.expiry-threshold must not be negative, was " + expiryThreshold);
        }
    }
}
