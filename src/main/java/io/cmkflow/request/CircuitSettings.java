package io.cmkflow.request;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * The intake's circuit breaker on Temporal ({@link IntakeCircuit}): while it is open, Temporal is probed after
 * {@code probeInitialBackoff}, then after twice as long each time, up to {@code probeMaxBackoff}.
 */
@ConfigurationProperties("cmkflow.intake.circuit")
public record CircuitSettings(
        @Bindable(defaultValue = "PT1S") Duration probeInitialBackoff,
        @Bindable(defaultValue = "PT30S") Duration probeMaxBackoff) {
}
