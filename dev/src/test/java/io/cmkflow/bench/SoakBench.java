package io.cmkflow.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.cmkflow.soak.SoakRun;
import io.cmkflow.testing.CmkStack;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The load and soak benchmark (docs/benchmarks.md, section "Load and soak"): {@link SoakRun} at full size, the same
 * code and checks as {@code SoakTest}, with ARM's documented limits as both the worker's budget and the simulator's
 * throttling. Prints the figures as a Markdown table and every violated invariant; exits 1 when there is one.
 * Arguments (all optional): {@code requests=1000 fault-rate=0.05 seed=1 subscriptions=1 poison=10 calibration=3
 * timeout-minutes=20}.
 */
public final class SoakBench {
    private static final Set<String> KEYS = Set.of("requests", "fault-rate", "seed", "subscriptions", "poison",
            "calibration", "timeout-minutes");

    private SoakBench() {
    }

    public static void main(String[] args) {
        Map<String, String> options = BenchSupport.options(args, KEYS);
        SoakRun.Options run = new SoakRun.Options(
                Integer.parseInt(options.getOrDefault("requests", "1000")),
                Double.parseDouble(options.getOrDefault("fault-rate", "0.05")),
                Long.parseLong(options.getOrDefault("seed", "1")),
                Integer.parseInt(options.getOrDefault("subscriptions", "1")),
                Integer.parseInt(options.getOrDefault("poison", "10")),
                Integer.parseInt(options.getOrDefault("calibration", "3")),
                Duration.ofMinutes(Long.parseLong(options.getOrDefault("timeout-minutes", "20"))));
        // Injected faults are expected: keep their stack traces out of the figures.
        for (String logger : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "io.cmkflow", "io.temporal", "com.azure")) {
            ((Logger) LoggerFactory.getLogger(logger)).setLevel(Level.ERROR);
        }
        System.out.printf("machine: %d cores, Java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        SoakRun.Budget budget = SoakRun.Budget.arm();
        SoakRun.Result result;
        try (CmkStack stack = budget.stack().build().start()) {
            result = SoakRun.run(stack, run, budget);
        }
        System.out.print(result.summary());
        result.violations().forEach(v -> System.out.println("VIOLATION: " + v));
        System.exit(result.violations().isEmpty() ? 0 : 1);
    }
}
