package io.cmkflow.bench;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.local.arm.FaultRule;
import io.cmkflow.local.arm.JournalEntry;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The workflow benchmark (docs/benchmarks.md, section "Workflow"): N concurrent runs through the worker and the
 * embedded Temporal server, with the real Azure activities against the ARM simulator. It reports
 * <ol>
 *   <li>with a fixed latency on every ARM call: each run's end-to-end time divided by (ARM calls on its critical
 *       path x latency); 1.0 is the physical limit, the excess is time the run spent on anything but waiting for ARM;</li>
 *   <li>with no latency: completed runs per second;</li>
 *   <li>heap (after GC) per run parked in flight (AwaitingOperator at the workspace step, by an injected
 *       non-retryable fault), against the same process with none.</li>
 * </ol>
 * Arguments (all optional): {@code latency-ms=50 runs=1,10,50 heap-runs=50,200 parts=ratio,throughput,heap}.
 */
public final class WorkflowBench {

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String LOCATION = "westeurope";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    private static final String HEAP_SUBSCRIPTION = "00000000-0000-4000-8000-999999999999";

    private final CmkStack stack;
    private int nextRun;

    private WorkflowBench(CmkStack stack) {
        this.stack = stack;
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = options(args);
        Duration latency = Duration.ofMillis(Long.parseLong(options.getOrDefault("latency-ms", "50")));
        List<Integer> runs = counts(options.getOrDefault("runs", "1,10,50"));
        List<Integer> heapRuns = counts(options.getOrDefault("heap-runs", "50,200"));
        List<String> parts = List.of(options.getOrDefault("parts", "ratio,throughput,heap").split(","));

        // The parked runs' injected failures are expected: keep their stack traces out of the figures.
        for (String logger : List.of(org.slf4j.Logger.ROOT_LOGGER_NAME, "io.cmkflow", "io.temporal", "com.azure")) {
            ((Logger) LoggerFactory.getLogger(logger)).setLevel(Level.ERROR);
        }
        System.out.printf("machine: %d cores, Java %s, max heap %d MiB%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20);
        // Workspace operations finish at once, so that every wait left in a run is an ARM call's latency or cmkflow's own.
        ArmSimulatorOptions arm = ArmSimulatorOptions.defaults().withWorkspaceOperationDuration(Duration.ZERO);
        try (CmkStack stack = CmkStack.builder().intake(false).arm(arm).build().start()) {
            WorkflowBench bench = new WorkflowBench(stack);
            // Warm-up (class loading, JIT, TLS sessions), not reported.
            bench.runAll(5, Duration.ZERO);
            if (parts.contains("ratio")) {
                for (int n : runs) {
                    bench.ratio(n, latency);
                }
            }
            if (parts.contains("throughput")) {
                for (int n : runs) {
                    bench.throughput(n);
                }
            }
            if (parts.contains("heap")) {
                for (int n : heapRuns) {
                    bench.heap(n);
                }
            }
        }
        System.exit(0);
    }

    /** (a) End-to-end time over the sum of injected latencies on the critical path. */
    private void ratio(int n, Duration latency) throws Exception {
        List<RunTiming> timings = runAll(n, latency);
        double[] ratios = timings.stream().mapToDouble(t -> (double) t.endToEnd().toMillis()
                / (t.criticalPathCalls(latency) * latency.toMillis())).sorted().toArray();
        RunTiming median = timings.stream().sorted((a, b) -> a.endToEnd().compareTo(b.endToEnd())).toList().get(timings.size() / 2);
        System.out.printf(Locale.ROOT, "ratio  N=%-3d latency=%d ms  critical-path calls=%d (of %d ARM requests)  end-to-end median %d ms"
                        + "  ratio min %.2f median %.2f max %.2f%n",
                n, latency.toMillis(), median.criticalPathCalls(latency), median.armCalls().size(), median.endToEnd().toMillis(),
                ratios[0], ratios[ratios.length / 2], ratios[ratios.length - 1]);
        if (n == 1) {
            stepBreakdown(median, latency);
        }
    }

    /** Where one run's time went: per step, its duration against the latency of the ARM calls made during it. */
    private static void stepBreakdown(RunTiming run, Duration latency) {
        long stepsTotal = 0;
        for (CmkRunState.StepState step : run.state().steps()) {
            Instant from = Instant.parse(step.startedAt());
            Instant to = Instant.parse(step.finishedAt());
            List<JournalEntry> calls = run.callsBetween(from, to);
            long ms = Duration.between(from, to).toMillis();
            stepsTotal += ms;
            Map<String, Long> byOperation = new HashMap<>();
            calls.forEach(c -> byOperation.merge(c.operation(), 1L, Long::sum));
            System.out.printf(Locale.ROOT, "         step %d %-20s %5d ms  %2d calls (%4d ms latency)  %s%n", step.number(), step.step().title(),
                    ms, calls.size(), calls.size() * latency.toMillis(), byOperation);
        }
        System.out.printf(Locale.ROOT, "         outside the steps (start, status events, workflow tasks): %d ms%n",
                run.endToEnd().toMillis() - stepsTotal);
    }

    /** (b) Completed runs per second with no injected latency. */
    private void throughput(int n) throws Exception {
        long cpuBefore = processCpuNanos();
        List<RunTiming> timings = runAll(n, Duration.ZERO);
        long cpuPerRun = (processCpuNanos() - cpuBefore) / n / 1_000_000;
        Instant first = timings.stream().map(RunTiming::started).min(Instant::compareTo).orElseThrow();
        Instant last = timings.stream().map(RunTiming::finished).max(Instant::compareTo).orElseThrow();
        double seconds = Duration.between(first, last).toMillis() / 1000.0;
        long median = timings.stream().mapToLong(t -> t.endToEnd().toMillis()).sorted().toArray()[n / 2];
        System.out.printf(Locale.ROOT, "rate   N=%-3d latency=0 ms  all done in %.2f s  %.1f runs/s  end-to-end median %d ms"
                        + "  process CPU %d ms per run%n", n, seconds, n / seconds, median, cpuPerRun);
    }

    /** (c) Heap after GC with n runs parked AwaitingOperator, against none, per run. */
    private void heap(int n) throws Exception {
        long before = usedHeapAfterGc();
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").status(403).code("AuthorizationFailed")
                .message("bench: the worker may not create workspaces").always());
        List<CmkRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(request(HEAP_SUBSCRIPTION));
        }
        try {
            for (CmkRequest request : requests) {
                start(request);
            }
            awaitParked(requests);
            long parked = usedHeapAfterGc();
            System.out.printf(Locale.ROOT, "heap   N=%-3d parked AwaitingOperator at step 5: %.1f MiB -> %.1f MiB after GC,"
                            + " %.1f KiB per in-flight run%n",
                    n, before / 1048576.0, parked / 1048576.0, (parked - before) / 1024.0 / n);
        } finally {
            stack.arm().faults().clear();
            for (CmkRequest request : requests) {
                stack.client().newUntypedWorkflowStub(WorkflowIds.forRequest(request)).terminate("benchmark done");
            }
        }
    }

    /** Starts n runs at once with every ARM call delayed by {@code latency}, waits for all, returns their timings. */
    private List<RunTiming> runAll(int n, Duration latency) throws Exception {
        stack.arm().latency().global(latency);
        stack.arm().journal().clear();
        List<CmkRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(request(null));
        }
        List<Instant> started = new ArrayList<>();
        List<CompletableFuture<Instant>> finished = new ArrayList<>();
        for (CmkRequest request : requests) {
            started.add(Instant.now());
            String workflowId = start(request);
            finished.add(stack.client().newUntypedWorkflowStub(workflowId).getResultAsync(CmkRunState.class)
                    .thenApply(state -> Instant.now()));
        }
        CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new)).get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        stack.arm().latency().clear();
        List<JournalEntry> journal = stack.arm().journal().entries();
        List<RunTiming> timings = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            CmkRequest request = requests.get(i);
            CmkRunState state = stack.client().newUntypedWorkflowStub(WorkflowIds.forRequest(request))
                    .query("state", CmkRunState.class);
            if (state.status() != CmkStatus.Succeeded) {
                throw new IllegalStateException("run " + request.requestId() + " ended " + state.status() + ": " + state.lastError());
            }
            List<JournalEntry> calls = journal.stream().filter(e -> request.subscriptionId().equals(e.subscription())).toList();
            timings.add(new RunTiming(request, started.get(i), finished.get(i).get(), state, calls));
        }
        return timings;
    }

    private String start(CmkRequest request) {
        CmkWorkflowStarter.StartResult result = stack.starter().start(new CmkWorkflowInput(request));
        if (result.outcome() != CmkWorkflowStarter.Outcome.STARTED) {
            throw new IllegalStateException("run for " + request.requestId() + " not started: " + result.outcome());
        }
        return result.workflowId();
    }

    private void awaitParked(List<CmkRequest> requests) throws InterruptedException {
        Instant giveUp = Instant.now().plus(RUN_TIMEOUT);
        List<String> ids = requests.stream().map(CmkRequest::requestId).toList();
        while (requests.stream().map(WorkflowIds::forRequest).map(id -> stack.client().newUntypedWorkflowStub(id).describe()
                .getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).filter(CmkStatus.AwaitingOperator.name()::equals).count()
                < ids.size()) {
            if (Instant.now().isAfter(giveUp)) {
                throw new IllegalStateException("runs did not all park within " + RUN_TIMEOUT);
            }
            Thread.sleep(100);
        }
        String last = WorkflowIds.forRequest(requests.get(requests.size() - 1));
        String status = stack.client().newUntypedWorkflowStub(last).describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS);
        if (!CmkStatus.AwaitingOperator.name().equals(status)) {
            throw new IllegalStateException("run " + last + " is " + status + ", not parked");
        }
    }

    /**
     * A valid request; without {@code subscription}, in a subscription of its own, so the simulator journal tells its
     * ARM calls apart (the worker then holds one Azure client per subscription, so heap is measured in one subscription).
     */
    private CmkRequest request(String subscription) {
        int run = ++nextRun;
        String name = "b" + run;
        if (subscription == null) {
            subscription = String.format(Locale.ROOT, "00000000-0000-4000-8000-%012d", run);
        }
        String group = "rg-bench";
        stack.arm().state().resourceGroup(subscription, group, LOCATION);
        return new CmkRequest("req-bench-" + run, subscription, TENANT, CmkRequest.AZURE_CLOUD, group, LOCATION,
                new CmkRequest.Workspace("mlw-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-bench-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"),
                Map.of("purpose", "benchmark"));
    }

    /** CPU time of the whole process: worker, embedded Temporal server and ARM simulator together. */
    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    private static long usedHeapAfterGc() throws InterruptedException {
        for (int i = 0; i < 3; i++) {
            System.gc();
            Thread.sleep(300);
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static Map<String, String> options(String[] args) {
        Map<String, String> options = new HashMap<>();
        for (String arg : args) {
            for (String pair : arg.trim().split("\\s+")) {
                int eq = pair.indexOf('=');
                if (eq <= 0) {
                    throw new IllegalArgumentException("argument '" + pair + "': expected key=value, keys: latency-ms, runs, heap-runs, parts");
                }
                options.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        return options;
    }

    private static List<Integer> counts(String list) {
        return Arrays.stream(list.split(",")).map(String::trim).map(Integer::parseInt).toList();
    }
}
