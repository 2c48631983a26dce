package io.cmkflow.request;

import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Readiness of the intake role: DOWN while its circuit on Temporal is open (it takes no requests), with when it opened
 * and the last failure; UP with {@code circuit: closed} otherwise. Reads state only, so it answers at once.
 */
@Singleton
@Readiness
@Requires(property = "cmkflow.intake.enabled", notEquals = "false")
public class IntakeReadiness implements HealthIndicator {
    static final String NAME = "intake";

    private final IntakeCircuit circuit;

    public IntakeReadiness(IntakeCircuit circuit) {
        this.circuit = circuit;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        return Mono.just(circuit.openSince().map(since -> {
            details.put("circuit", "open");
            details.put("openSince", since.toString());
            circuit.lastError().ifPresent(error -> details.put("error", error));
            return HealthResult.builder(NAME, HealthStatus.DOWN).details(details).build();
        }).orElseGet(() -> {
            details.put("circuit", "closed");
            return HealthResult.builder(NAME, HealthStatus.UP).details(details).build();
        }));
    }
}
