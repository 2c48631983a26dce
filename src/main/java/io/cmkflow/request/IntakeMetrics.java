package io.cmkflow.request;

import io.cmkflow.workflow.CmkWorkflowStarter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.inject.Singleton;

import java.util.function.BooleanSupplier;

/**
 * The intake's meters: {@code cmkflow_intake_messages_total{outcome, reason}} (received, started, duplicate,
 * dead_lettered with its {@link RejectionReason}, abandoned; {@code reason} is "none" except on dead-letters, since a
 * Prometheus metric keeps one set of labels), {@code cmkflow_intake_circuit_open} (1 while the intake takes nothing
 * because Temporal is unreachable) and {@code cmkflow_intake_circuit_openings_total}.
 */
@Singleton
public class IntakeMetrics {
    public static final String MESSAGES = "cmkflow.intake.messages";
    public static final String CIRCUIT_OPEN = "cmkflow.intake.circuit.open";
    public static final String CIRCUIT_OPENINGS = "cmkflow.intake.circuit.openings";
    private static final String NO_REASON = "none";

    private final MeterRegistry registry;

    public IntakeMetrics(MeterRegistry registry) {
        this.registry = registry;
        for (String outcome : new String[] {"received", "started", "duplicate", "abandoned"}) {
            messages(outcome, NO_REASON);
        }
        registry.counter(CIRCUIT_OPENINGS);
    }

    public void received() {
        messages("received", NO_REASON).increment();
    }

    public void completed(IntakeDecision.Complete complete) {
        messages(complete.start().outcome() == CmkWorkflowStarter.Outcome.STARTED ? "started" : "duplicate",
                NO_REASON).increment();
    }

    public void deadLettered(RejectionReason reason) {
        messages("dead_lettered", reason.name()).increment();
    }

    public void abandoned() {
        messages("abandoned", NO_REASON).increment();
    }

    void circuitOpened() {
        registry.counter(CIRCUIT_OPENINGS).increment();
    }

    void circuitState(BooleanSupplier open) {
        Gauge.builder(CIRCUIT_OPEN, () -> open.getAsBoolean() ? 1 : 0)
                .description("1 while the intake takes no requests because Temporal is unreachable")
                .register(registry);
    }

    private Counter messages(String outcome, String reason) {
        return Counter.builder(MESSAGES).description("Request messages the intake handled, by outcome")
                .tag("outcome", outcome).tag("reason", reason).register(registry);
    }
}
