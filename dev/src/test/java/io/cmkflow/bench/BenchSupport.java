package io.cmkflow.bench;

import io.cmkflow.CommonPool;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.dev.DevTemporal;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What the benchmark entry points share: {@code key=value} arguments, the Temporal server choice, CPU readings, and
 * the {@code RESULT} lines {@link BenchAll} collects (one sample each: {@code RESULT<TAB>key<TAB>value}).
 */
final class BenchSupport {

    /** Prefix of a machine-readable sample on a benchmark's standard output. */
    static final String RESULT = "RESULT\t";
    /** Linux reports process times in clock ticks of 1/100 s (USER_HZ) on every architecture the JDK runs on. */
    private static final long NANOS_PER_TICK = 10_000_000L;

    static {
        // As the product's main does: every entry point touches this class before anything touches the common pool.
        CommonPool.atLeastTwoThreads();
    }

    private BenchSupport() {
    }

    /**
     * A benchmark's main thread that dies of an exception ends the JVM (exit 1) instead of leaving it to the stack's
     * non-daemon threads, so {@code ./bench all} moves on to the next part.
     */
    static void exitOnFailure() {
        Thread.currentThread().setUncaughtExceptionHandler((thread, failure) -> {
            failure.printStackTrace();
            System.exit(1);
        });
    }

    static Map<String, String> options(String[] args, Set<String> keys) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            for (String pair : arg.trim().split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq <= 0 || !keys.contains(pair.substring(0, eq))) {
                    throw new IllegalArgumentException("argument '" + pair + "': expected key=value, keys: " + keys);
                }
                options.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return options;
    }

    static List<Integer> counts(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }

    /** The stack on the Temporal server named by {@code server}: {@code dev} (the CLI's dev server) or {@code test}. */
    static CmkStack.Builder onServer(CmkStack.Builder builder, String server) {
        return switch (server) {
            case "dev" -> builder.temporalServer(DevTemporal::start);
            case "test" -> builder;
            default -> throw new IllegalArgumentException("server=" + server + ": expected dev or test");
        };
    }

    /** The injected failures and retries of a benchmark are expected: keep their stack traces out of its output. */
    static void quietLogs() {
        for (String logger : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "io.cmkflow", "io.temporal", "com.azure")) {
            ((Logger) LoggerFactory.getLogger(logger)).setLevel(Level.ERROR);
        }
    }

    static void result(String key, double value) {
        System.out.println(RESULT + key + "\t" + String.format(Locale.ROOT, "%.3f", value));
    }

    /** CPU time of this process: worker, simulator, stand-in, and the embedded Temporal server when there is one. */
    static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * CPU time of this process's child processes (the dev server, and whatever launcher the CLI runs it under), from
     * {@code /proc/<pid>/stat} (utime + stime); zero when there are none.
     */
    static long childrenCpuNanos() {
        return ProcessHandle.current().descendants().mapToLong(child -> cpuNanos(child.pid())).sum();
    }

    /** CPU time of process {@code pid} (utime + stime of {@code /proc/<pid>/stat}); zero once it is gone. */
    static long cpuNanos(long pid) {
        return statCpuNanos(Path.of("/proc", Long.toString(pid), "stat"));
    }

    /** utime + stime of a {@code /proc} stat file (a process's or one of its threads'); zero once it is gone. */
    static long statCpuNanos(Path stat) {
        try {
            String line = Files.readString(stat);
            // Fields after the command (in parentheses, which may hold spaces): state is field 3, utime 14, stime 15.
            String[] fields = line.substring(line.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(fields[11]) + Long.parseLong(fields[12])) * NANOS_PER_TICK;
        } catch (IOException | RuntimeException gone) {
            return 0L;
        }
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** Sleeps {@code duration}; an interrupt ends the benchmark's wait as a failure, the flag kept. */
    static void sleep(Duration duration) {
        try {
            Thread.sleep(duration.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code request}'s run through the stack's starter; its workflow id. Anything but a new start fails the benchmark. */
    static String start(CmkStack stack, CmkRequest request) {
        CmkWorkflowStarter.StartResult result = stack.starter().start(new CmkWorkflowInput(request));
        if (result.outcome() != CmkWorkflowStarter.Outcome.STARTED) {
            throw new IllegalStateException("run for " + request.requestId() + " not started: " + result.outcome());
        }
        return result.workflowId();
    }
}
