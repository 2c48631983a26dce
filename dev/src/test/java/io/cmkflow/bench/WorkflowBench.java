package io.cmkflow.bench;

import io.cmkflow.azure.ArmCallMetrics;
import io.cmkflow.azure.PollingPolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.temporal.api.history.v1.HistoryEvent;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.WorkflowIds;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The workflow benchmark (docs/benchmarks.md, section "Workflow"): N concurrent runs through the worker and the
 * embedded Temporal server, with the real Azure activities against the ARM simulator. It reports
 * <ol>
 *   <li>with a fixed latency on every ARM call: each run's end-to-end time divided by (ARM calls on its critical
 *       path x latency); 1.0 is the physical limit, the excess is time the run spent on anything but waiting for ARM;</li>
 *   <li>{@code trace} (only when asked for): one run's history events and ARM calls in time, then the Temporal SDK's
 *       mean latency per server call and task over ten more runs.</li>
 * </ol>
 * With {@code peer=true} the ratio part interleaves each round of N cmkflow runs with a round of N {@link SequentialPeer}
 * programs (the same provisioning's SDK calls one after another, no orchestration) on the same simulator and latency,
 * peer first, and reports cmkflow's median end-to-end time over the peer's.
 * <p>
 * Arguments (all optional): {@code server=dev|test latency-ms=50 runs=1,10,50 parts=ratio,trace peer=true repeat=1}.
 * Each figure is also printed as a {@code RESULT} line for {@link BenchAll}. CPU, threads and memory per run are
 * {@link ScaleBench}'s, measured on the worker's own process.
 */
public final class WorkflowBench {

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String LOCATION = "westeurope";
    private static final Duration RUN_TIMEOUT = Duration.ofMinutes(10);
    /** The Temporal SDK reports its metrics to the registry every few seconds. */
    private static final Duration SDK_METRICS_REPORTING = Duration.ofSeconds(3);
    private static final int WARM_UP_ROUNDS = 3;
    private static final int SINGLE_RUN_SAMPLES = 5;
    private static final String WARM_UP_SUBSCRIPTION = "00000000-0000-4000-8000-888888888888";

    private static final Set<String> KEYS = Set.of("server", "latency-ms", "runs", "parts", "peer", "repeat");

    private final CmkStack stack;
    private final String server;
    private final SequentialPeer peer;
    private int nextRun;
    private double lastPeerMedian;

    private WorkflowBench(CmkStack stack, String server) {
        this.stack = stack;
        this.server = server;
        this.peer = new SequentialPeer(stack.clients(), stack.app().getBean(PollingPolicy.class));
    }

    public static void main(String[] args) throws Exception {
        BenchSupport.exitOnFailure();
        Map<String, String> options = BenchSupport.options(args, KEYS);
        String server = options.getOrDefault("server", "dev");
        Duration latency = Duration.ofMillis(Long.parseLong(options.getOrDefault("latency-ms", "50")));
        List<Integer> runs = BenchSupport.counts(options.getOrDefault("runs", "1,10,50"));
        List<String> parts = List.of(options.getOrDefault("parts", "ratio").split(","));
        boolean withPeer = Boolean.parseBoolean(options.getOrDefault("peer", "true"));
        int repeat = Integer.parseInt(options.getOrDefault("repeat", "1"));

        BenchSupport.quietLogs();
        System.out.printf("machine: %d cores, Java %s, max heap %d MiB; Temporal %s server%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), Runtime.getRuntime().maxMemory() >> 20, server);
        // Workspace operations finish at once, so that every wait left in a run is an ARM call's latency or cmkflow's own.
        ArmSimulatorOptions arm = ArmSimulatorOptions.defaults().withWorkspaceOperationDuration(Duration.ZERO);
        try (CmkStack stack = BenchSupport.onServer(CmkStack.builder(), server).intake(false).arm(arm).build().start()) {
            WorkflowBench bench = new WorkflowBench(stack, server);
            bench.warmUp();
            if (withPeer && parts.contains("ratio")) {
                bench.peerRound(5, Duration.ZERO);
            }
            if (parts.contains("trace")) {
                bench.trace(latency);
            }
            for (int round = 1; round <= repeat; round++) {
                if (parts.contains("ratio")) {
                    for (int n : runs) {
                        bench.ratio(n, latency, withPeer);
                    }
                }
            }
        }
        System.exit(0);
    }

    /**
     * Warm-up (class loading, JIT, TLS sessions), not reported: rounds of 20 runs until the JIT compiler's time in a
     * round is under a tenth of the round's (at most {@link #WARM_UP_ROUNDS}); a fixed 25 runs had left it compiling
     * through the measured rounds (about 500 ms of compile time per run).
     */
    private void warmUp() throws Exception {
        runAll(5, Duration.ZERO);
        for (int round = 1; round <= WARM_UP_ROUNDS; round++) {
            long jitBefore = ManagementFactory.getCompilationMXBean().getTotalCompilationTime();
            long started = System.nanoTime();
            runAll(20, Duration.ZERO, WARM_UP_SUBSCRIPTION);
            long wallMillis = (System.nanoTime() - started) / 1_000_000;
            long jitMillis = ManagementFactory.getCompilationMXBean().getTotalCompilationTime() - jitBefore;
            System.out.printf(Locale.ROOT, "warm-up round %d: 20 runs in %d ms, JIT compiling %d ms%n", round, wallMillis, jitMillis);
            if (jitMillis * 10 < wallMillis) {
                break;
            }
        }
    }

    /** (a) End-to-end time over the sum of injected latencies on the critical path, and against the peer program. */
    private void ratio(int n, Duration latency, boolean withPeer) throws Exception {
        String key = "ratio/" + server + "/" + n + "/";
        // At N=1 one run per round is too few for a median: several, peer and cmkflow taking turns.
        int samples = n == 1 ? SINGLE_RUN_SAMPLES : 1;
        List<RunTiming> peerTimings = new ArrayList<>();
        List<RunTiming> timings = new ArrayList<>();
        for (int sample = 0; sample < samples; sample++) {
            // The peer first, then cmkflow, round after round: the machine's load falls on both alike.
            if (withPeer) {
                peerTimings.addAll(peerRound(n, latency));
            }
            timings.addAll(runAll(n, latency));
        }
        if (withPeer) {
            double peerMedian = BenchSupport.median(peerTimings.stream().mapToDouble(t -> t.endToEnd().toMillis()).toArray());
            double peerCalls = BenchSupport.median(peerTimings.stream().mapToDouble(t -> t.armCalls().size()).toArray());
            System.out.printf(Locale.ROOT, "peer   N=%-3d latency=%d ms  %.0f ARM requests per run, end-to-end median %.0f ms%n",
                    n, latency.toMillis(), peerCalls, peerMedian);
            BenchSupport.result(key + "peer_e2e_ms", peerMedian);
            BenchSupport.result(key + "peer_calls", peerCalls);
            lastPeerMedian = peerMedian;
        }
        double[] ratios = timings.stream().mapToDouble(t -> (double) t.endToEnd().toMillis()
                / (t.criticalPathCalls(latency) * latency.toMillis())).sorted().toArray();
        RunTiming median = timings.stream().sorted((a, b) -> a.endToEnd().compareTo(b.endToEnd())).toList().get(timings.size() / 2);
        System.out.printf(Locale.ROOT, "ratio  N=%-3d latency=%d ms  critical-path calls=%d (of %d ARM requests)  end-to-end median %d ms"
                        + "  ratio min %.2f median %.2f max %.2f%n",
                n, latency.toMillis(), median.criticalPathCalls(latency), median.armCalls().size(), median.endToEnd().toMillis(),
                ratios[0], ratios[ratios.length / 2], ratios[ratios.length - 1]);
        double cmkflowMedian = BenchSupport.median(timings.stream().mapToDouble(t -> t.endToEnd().toMillis()).toArray());
        BenchSupport.result(key + "cmkflow_e2e_ms", cmkflowMedian);
        BenchSupport.result(key + "critical_ratio", BenchSupport.median(ratios));
        BenchSupport.result(key + "critical_calls", median.criticalPathCalls(latency));
        BenchSupport.result(key + "cmkflow_calls", median.armCalls().size());
        if (withPeer) {
            System.out.printf(Locale.ROOT, "         cmkflow / peer (medians): %.2f%n", cmkflowMedian / lastPeerMedian);
            BenchSupport.result(key + "cmkflow_over_peer", cmkflowMedian / lastPeerMedian);
        }
        if (n == 1) {
            stepBreakdown(median, latency, "steps/" + server + "/");
        }
    }

    /**
     * n peer programs at once, each provisioning its own target one call after another; their timings, with the ARM
     * requests each made.
     */
    private List<RunTiming> peerRound(int n, Duration latency) throws Exception {
        stack.arm().latency().global(latency);
        stack.arm().journal().clear();
        List<CmkRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(request(null));
        }
        ExecutorService programs = Executors.newFixedThreadPool(n);
        try {
            List<Future<Instant[]>> done = new ArrayList<>();
            for (CmkRequest request : requests) {
                done.add(programs.submit(() -> {
                    Instant started = Instant.now();
                    peer.provision(request);
                    return new Instant[] {started, Instant.now()};
                }));
            }
            List<Instant[]> times = new ArrayList<>();
            for (Future<Instant[]> f : done) {
                times.add(f.get(RUN_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS));
            }
            stack.arm().latency().clear();
            List<JournalEntry> journal = stack.arm().journal().entries();
            List<RunTiming> timings = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                CmkRequest request = requests.get(i);
                timings.add(new RunTiming(request, times.get(i)[0], times.get(i)[1], null,
                        journal.stream().filter(e -> request.subscriptionId().equals(e.subscription())).toList()));
            }
            return timings;
        } finally {
            programs.shutdownNow();
        }
    }

    /**
     * One run's timeline: its workflow history's events and the ARM calls it made, each at its time from the start
     * call, so the gaps between an activity's scheduling, its first ARM call and its completion can be read off.
     */
    private void trace(Duration latency) throws Exception {
        RunTiming run = runAll(1, latency).get(0);
        record Line(Instant at, String text) {
        }
        List<Line> lines = new ArrayList<>();
        for (HistoryEvent event : stack.client().fetchHistory(WorkflowIds.forRequest(run.request())).getHistory().getEventsList()) {
            String detail = event.hasActivityTaskScheduledEventAttributes()
                    ? " " + event.getActivityTaskScheduledEventAttributes().getActivityType().getName() : "";
            lines.add(new Line(Instant.ofEpochSecond(event.getEventTime().getSeconds(), event.getEventTime().getNanos()),
                    "event " + event.getEventId() + " " + event.getEventType().name().replace("EVENT_TYPE_", "") + detail));
        }
        for (JournalEntry call : run.armCalls()) {
            lines.add(new Line(call.receivedAt(), "                ARM " + call.method() + " " + call.operation() + " " + call.status()));
        }
        lines.sort(Comparator.comparing(Line::at));
        System.out.printf(Locale.ROOT, "trace  N=1 latency=%d ms  end-to-end %d ms  (ms from the start call)%n", latency.toMillis(),
                run.endToEnd().toMillis());
        lines.forEach(line -> System.out.printf(Locale.ROOT, "  %7.1f  %s%n",
                Duration.between(run.started(), line.at()).toNanos() / 1e6, line.text()));
        // Then the SDK's own timers over 10 more runs: what each call to the server and each task cost on average.
        Thread.sleep(SDK_METRICS_REPORTING.toMillis());
        Map<String, double[]> before = sdkTimers();
        Map<String, Double> failedBefore = failedArmAttempts();
        for (int i = 0; i < 10; i++) {
            runAll(1, latency);
        }
        Thread.sleep(SDK_METRICS_REPORTING.toMillis());
        sdkTimers().forEach((name, after) -> {
            double[] was = before.getOrDefault(name, new double[2]);
            double count = after[0] - was[0];
            if (count > 0) {
                System.out.printf(Locale.ROOT, "  %-80s n=%4.0f  mean %7.2f ms%n", name, count, (after[1] - was[1]) / count);
            }
        });
        // Attempts that never reached the simulator's journal (a connection failure the SDK retried) show only here.
        failedArmAttempts().forEach((operation, count) -> System.out.printf(Locale.ROOT, "  ARM attempts without an answer %-50s %3.0f%n",
                operation, count - failedBefore.getOrDefault(operation, 0.0)));
    }

    /** cmkflow's count of ARM attempts that ended without an HTTP answer, by operation. */
    private Map<String, Double> failedArmAttempts() {
        Map<String, Double> failed = new TreeMap<>();
        for (Meter meter : stack.app().getBean(MeterRegistry.class).getMeters()) {
            if (meter instanceof Counter counter && counter.getId().getName().equals(ArmCallMetrics.REQUESTS)
                    && "error".equals(counter.getId().getTag("status"))) {
                failed.merge(counter.getId().getTag("operation"), counter.count(), Double::sum);
            }
        }
        return failed;
    }

    /** Count and total milliseconds of each Temporal SDK timer, by operation or task type. */
    private Map<String, double[]> sdkTimers() {
        Map<String, double[]> timers = new TreeMap<>();
        for (Meter meter : stack.app().getBean(MeterRegistry.class).getMeters()) {
            if (meter instanceof Timer timer && timer.getId().getName().startsWith("temporal_")) {
                String by = Stream.of("operation", "activity_type").map(timer.getId()::getTag)
                        .filter(tag -> tag != null && !"none".equals(tag)).collect(Collectors.joining(" "));
                timers.merge(timer.getId().getName() + (by.isEmpty() ? "" : " " + by),
                        new double[] {timer.count(), timer.totalTime(TimeUnit.MILLISECONDS)},
                        (a, b) -> new double[] {a[0] + b[0], a[1] + b[1]});
            }
        }
        return timers;
    }

    /** Where one run's time went: per step, its duration against the latency of the ARM calls made during it. */
    private static void stepBreakdown(RunTiming run, Duration latency, String key) {
        long stepsTotal = 0;
        for (CmkRunState.StepState step : run.state().steps()) {
            Instant from = Instant.parse(step.startedAt());
            Instant to = Instant.parse(step.finishedAt());
            List<JournalEntry> calls = run.callsBetween(from, to);
            long ms = Duration.between(from, to).toMillis();
            stepsTotal += ms;
            Map<String, Long> byOperation = new HashMap<>();
            calls.forEach(c -> byOperation.merge(c.operation(), 1L, Long::sum));
            System.out.printf(Locale.ROOT, "         step %d %-30s %5d ms  %2d calls (%4d ms latency)  %s%n", step.number(), step.step().title(),
                    ms, calls.size(), calls.size() * latency.toMillis(), byOperation);
            BenchSupport.result(key + step.number() + "/ms", ms);
            BenchSupport.result(key + step.number() + "/calls", calls.size());
            BenchSupport.result(key + step.number() + "/critical_calls", new RunTiming(run.request(), from, to, null, calls)
                    .criticalPathCalls(latency));
        }
        System.out.printf(Locale.ROOT, "         outside the steps (start, status events, workflow tasks): %d ms%n",
                run.endToEnd().toMillis() - stepsTotal);
        BenchSupport.result(key + "outside/ms", run.endToEnd().toMillis() - stepsTotal);
    }

    /** Starts n runs at once with every ARM call delayed by {@code latency}, waits for all, returns their timings. */
    private List<RunTiming> runAll(int n, Duration latency) throws Exception {
        return runAll(n, latency, null);
    }

    /**
     * As {@link #runAll(int, Duration)}, all in {@code subscription} when it is not null (then each timing's ARM calls
     * are every run's), else each run in a subscription of its own.
     */
    private List<RunTiming> runAll(int n, Duration latency, String subscription) throws Exception {
        stack.arm().latency().global(latency);
        stack.arm().journal().clear();
        List<CmkRequest> requests = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            requests.add(request(subscription));
        }
        List<Instant> started = new ArrayList<>();
        List<CompletableFuture<Instant>> finished = new ArrayList<>();
        for (CmkRequest request : requests) {
            started.add(Instant.now());
            String workflowId = BenchSupport.start(stack, request);
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

    /**
     * A valid request; without {@code subscription}, in a subscription of its own, so the simulator journal tells its
     * ARM calls apart.
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
}
