package io.cmkflow.request;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The intake's circuit breaker on Temporal. A start that fails because the frontend is unreachable opens it; while it
 * is open the intake starts nothing: each handler keeps its message (its lock renewed by the processor) and waits,
 * so the intake holds at most max-concurrent-calls messages and leaves the rest in the queue, their delivery count
 * untouched. A prober asks the frontend for GetSystemInfo with a short deadline, backing
 * off from {@code probeInitialBackoff} to {@code probeMaxBackoff}; the first answer closes the circuit and wakes the
 * handlers, which start their runs. Waiting instead of abandoning keeps the delivery count where it was, so an outage
 * costs a message one delivery per {@code maxLockRenewal} it lasts, not one per failed start.
 */
@Singleton
public class IntakeCircuit implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(IntakeCircuit.class);
    private static final Duration PROBE_DEADLINE = Duration.ofSeconds(3);

    private final WorkflowServiceStubs stubs;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final IntakeMetrics metrics;
    private final ScheduledExecutorService prober = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "intake-circuit-probe");
        thread.setDaemon(true);
        return thread;
    });
    private Instant openSince;
    private String lastError;

    public IntakeCircuit(WorkflowServiceStubs stubs, CircuitSettings settings, IntakeMetrics metrics) {
        this.stubs = stubs;
        this.initialBackoff = settings.probeInitialBackoff();
        this.maxBackoff = settings.probeMaxBackoff();
        this.metrics = metrics;
        metrics.circuitState(this::isOpen);
    }

    /** True when {@code failure} (or a cause) says the Temporal frontend could not be reached, rather than that it refused. */
    public static boolean unreachable(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof StatusRuntimeException grpc) {
                Status.Code code = grpc.getStatus().getCode();
                return code == Status.Code.UNAVAILABLE || code == Status.Code.DEADLINE_EXCEEDED;
            }
        }
        return false;
    }

    /** Opens the circuit (once per outage) and schedules the first probe. */
    public synchronized void open(Throwable cause) {
        lastError = cause.toString();
        if (openSince != null) {
            return;
        }
        openSince = Instant.now();
        metrics.circuitOpened();
        log.warn("Temporal is unreachable ({}): the intake stops taking requests and probes it every {} up to {}",
                lastError, initialBackoff, maxBackoff);
        schedule(initialBackoff);
    }

    /** Waits until the circuit is closed, at most {@code max}; true when it is closed. */
    public synchronized boolean awaitClosed(Duration max) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (openSince != null) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            TimeUnit.NANOSECONDS.timedWait(this, left);
        }
        return true;
    }

    public synchronized boolean isOpen() {
        return openSince != null;
    }

    /** When the open circuit opened, or empty while it is closed. */
    public synchronized Optional<Instant> openSince() {
        return Optional.ofNullable(openSince);
    }

    /** The failure that opened the circuit or the last probe's, while it is open. */
    public synchronized Optional<String> lastError() {
        return openSince == null ? Optional.empty() : Optional.ofNullable(lastError);
    }

    private void schedule(Duration delay) {
        if (!prober.isShutdown()) {
            prober.schedule(() -> probe(delay), delay.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private void probe(Duration delay) {
        try {
            stubs.blockingStub().withDeadlineAfter(PROBE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
            closeCircuit();
        } catch (StatusRuntimeException stillDown) {
            synchronized (this) {
                lastError = stillDown.getStatus().getCode() + ": " + stillDown.getStatus().getDescription();
            }
            Duration next = delay.multipliedBy(2).compareTo(maxBackoff) > 0 ? maxBackoff : delay.multipliedBy(2);
            log.info("Temporal still unreachable ({}); next probe in {}", stillDown.getStatus().getCode(), next);
            schedule(next);
        }
    }

    private synchronized void closeCircuit() {
        log.info("Temporal answers again after {}: the intake takes requests again",
                Duration.between(openSince, Instant.now()));
        openSince = null;
        lastError = null;
        notifyAll();
    }

    @PreDestroy
    @Override
    public void close() {
        prober.shutdownNow();
    }
}
