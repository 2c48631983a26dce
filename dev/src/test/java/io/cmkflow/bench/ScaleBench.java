package io.cmkflow.bench;

import io.cmkflow.azure.ProviderRegistrationStep;
import io.cmkflow.cluster.CmkflowServices;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.dev.DevTemporal;
import io.cmkflow.operator.RunControl;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.arm.Throttling;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.workflow.CmkPostureInput;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkStep;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One worker carrying many runs (docs/benchmarks.md, "Scale"): the production jar's worker in a process of its own,
 * started as compose starts it ({@link CmkflowServices}, with the intake and operator API idle beside it), on the
 * Temporal CLI's dev server; the ARM simulator and the Service Bus stand-in in this JVM. The worker's CPU, threads and
 * heap are its process's alone ({@link WorkerProcess}). One part per invocation:
 * <ul>
 *     <li>{@code part=steady}: CPU per run at zero ARM latency once the JIT has settled, with the compiler's and GC's
 *     threads apart; threads started per run; then one more round under JFR for the profile.</li>
 *     <li>{@code part=inflight}: {@code runs} runs started at {@code start-rate} per second across {@code subscriptions}
 *     subscriptions, each waiting on a workspace operation of {@code operation-s} seconds answered with
 *     {@code Retry-After: 10}, so that all are in flight at once; the worker's heap capped at 512 MiB
 *     ({@code -Xmx512m}); the simulator throttles as ARM does. Peak threads and heap, every run's end-to-end over its
 *     operation.</li>
 *     <li>{@code part=parked}: {@code runs} runs started at once (4 starting threads) and parked by a 403 on the vault
 *     PUT; the worker's heap after GC before and after; then {@code resume} of them retried after the fault is
 *     cleared, which must succeed.</li>
 *     <li>{@code part=cost}: a run that succeeds, one that parks and is retried, one that parks and is aborted
 *     (compensates), one after another, and one posture check: Temporal actions from each history by Temporal
 *     Cloud's rules, heartbeats that reached the server from the worker's SDK metrics, ARM reads and writes from the
 *     simulator's journal.</li>
 * </ul>
 * Each figure is also printed as a {@code RESULT} line for {@link BenchAll}.
 */
public final class ScaleBench {

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String LOCATION = "westeurope";
    private static final String GROUP = "rg-scale";
    private static final Set<String> KEYS = Set.of("part", "runs", "rounds", "subscriptions", "start-rate", "operation-s",
            "activities", "resume", "jfr");
    /** Temporal Cloud's list price for the first 5 million actions a month (docs/benchmarks.md cites it). */
    private static final double DOLLARS_PER_ACTION = 50.0 / 1_000_000;
    private static final Duration SDK_METRICS_REPORTING = Duration.ofSeconds(5);

    private final CmkStack stack;
    private final WorkerProcess worker;
    private final CmkflowServices services;
    private int nextRun;

    private ScaleBench(CmkStack stack, CmkflowServices services) {
        this.stack = stack;
        this.services = services;
        CmkflowServices.Service service = services.service("worker-1");
        this.worker = new WorkerProcess(service.pid(), service.managementPort());
    }

    public static void main(String[] args) throws Exception {
        BenchSupport.exitOnFailure();
        Map<String, String> options = BenchSupport.options(args, KEYS);
        String part = options.getOrDefault("part", "steady");
        BenchSupport.quietLogs();
        ArmSimulatorOptions arm = ArmSimulatorOptions.defaults().withWorkspaceOperationDuration(Duration.ZERO);
        Map<String, String> workerEnvironment = new LinkedHashMap<>();
        workerEnvironment.put("JAVA_TOOL_OPTIONS", "-Xmx512m");
        switch (part) {
            case "inflight" -> {
                arm = ArmSimulatorOptions.defaults()
                        .withWorkspaceOperationDuration(Duration.ofSeconds(Long.parseLong(options.getOrDefault("operation-s", "400"))))
                        .withOperationRetryAfter(Duration.ofSeconds(10));
                workerEnvironment.put("CMKFLOW_WORKER_MAX_CONCURRENT_ACTIVITIES", options.getOrDefault("activities", "1200"));
            }
            case "parked" -> {
                // One subscription, so the worker holds one Azure client; its ARM budget out of the way (not measured here).
                workerEnvironment.put("CMKFLOW_AZURE_BUDGET_WRITE_BURST", "100000");
                workerEnvironment.put("CMKFLOW_AZURE_BUDGET_WRITES_PER_SECOND", "10000");
                workerEnvironment.put("CMKFLOW_AZURE_BUDGET_READ_BURST", "100000");
                workerEnvironment.put("CMKFLOW_AZURE_BUDGET_READS_PER_SECOND", "10000");
            }
            case "cost" -> arm = ArmSimulatorOptions.defaults()
                    .withProviderRegistrationDuration(Duration.ofSeconds(8))
                    .withWorkspaceOperationDuration(Duration.ofSeconds(120))
                    .withOperationRetryAfter(Duration.ofSeconds(10));
            case "steady" -> { }
            default -> throw new IllegalArgumentException("part=" + part + ": expected steady, inflight, parked or cost");
        }
        CmkflowServices services = new CmkflowServices(Map.of("CMKFLOW_AZURE_SCOPE", "AzureCloud/" + TENANT + "/*/" + GROUP), 1)
                .withEnvironment(workerEnvironment);
        System.out.printf(Locale.ROOT, "machine: %d cores, Java %s; worker: the production jar, %s; part=%s%n",
                Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"), workerEnvironment, part);
        try (CmkStack stack = CmkStack.builder().temporalServer(DevTemporal::start).worker(false).intake(false).arm(arm)
                .part(services).build().start()) {
            ScaleBench bench = new ScaleBench(stack, services);
            switch (part) {
                case "steady" -> bench.steady(Integer.parseInt(options.getOrDefault("runs", "50")),
                        Integer.parseInt(options.getOrDefault("rounds", "3")), options.get("jfr"));
                case "inflight" -> bench.inflight(Integer.parseInt(options.getOrDefault("runs", "1000")),
                        Integer.parseInt(options.getOrDefault("subscriptions", "50")),
                        Double.parseDouble(options.getOrDefault("start-rate", "3")),
                        Duration.ofSeconds(Long.parseLong(options.getOrDefault("operation-s", "400"))));
                case "parked" -> bench.parked(Integer.parseInt(options.getOrDefault("runs", "10000")),
                        Integer.parseInt(options.getOrDefault("resume", "20")));
                default -> bench.cost();
            }
        }
        System.exit(0);
    }

    // ---- steady state: CPU and threads per run ---------------------------------------------------------------------

    private void steady(int runs, int rounds, String jfr) throws Exception {
        List<String> subscriptions = subscriptions(10, true);
        // Until the compiler's share of the worker's CPU in a round is under a tenth (at most 8 rounds of 20 runs).
        for (int round = 1; round <= 8; round++) {
            WorkerProcess.Cpu before = worker.cpu();
            long started = System.nanoTime();
            runAll(20, subscriptions);
            WorkerProcess.Cpu used = worker.cpu().minus(before);
            System.out.printf(Locale.ROOT, "warm-up round %d: 20 runs in %d ms, worker CPU %d ms, of it JIT compiler %d ms%n", round,
                    (System.nanoTime() - started) / 1_000_000, used.totalNanos() / 1_000_000, used.compilerNanos() / 1_000_000);
            if (used.compilerNanos() * 10 < used.totalNanos()) {
                break;
            }
        }
        for (int round = 1; round <= rounds; round++) {
            WorkerProcess.Cpu before = worker.cpu();
            long threadsBefore = worker.threadsStarted();
            long othersBefore = otherProcessesCpu();
            long started = System.nanoTime();
            runAll(runs, subscriptions);
            double seconds = (System.nanoTime() - started) / 1e9;
            WorkerProcess.Cpu used = worker.cpu().minus(before);
            double threadsPerRun = (double) (worker.threadsStarted() - threadsBefore) / runs;
            int live = worker.liveThreads();
            double perRun = used.totalNanos() / 1e6 / runs;
            double compiler = used.compilerNanos() / 1e6 / runs;
            double gc = used.gcNanos() / 1e6 / runs;
            double server = (otherProcessesCpu() - othersBefore) / 1e6 / runs;
            System.out.printf(Locale.ROOT, "steady N=%d: %.1f s; worker CPU per run %.0f ms (JIT compiler %.0f, GC %.0f, the rest %.0f);"
                            + " threads started per run %.2f, live threads %d; dev server CPU per run %.0f ms%n",
                    runs, seconds, perRun, compiler, gc, perRun - compiler - gc, threadsPerRun, live, server);
            String key = "scale/steady/";
            BenchSupport.result(key + "cpu_ms_per_run", perRun);
            BenchSupport.result(key + "compiler_ms_per_run", compiler);
            BenchSupport.result(key + "gc_ms_per_run", gc);
            BenchSupport.result(key + "rest_ms_per_run", perRun - compiler - gc);
            BenchSupport.result(key + "threads_started_per_run", threadsPerRun);
            BenchSupport.result(key + "live_threads", live);
            BenchSupport.result(key + "server_cpu_ms_per_run", server);
        }
        if (jfr != null) {
            // A round of its own: JFR starts threads of its own, which the rounds above must not count.
            worker.startRecording();
            runAll(runs, subscriptions);
            worker.stopRecording(Path.of(jfr));
            System.out.println("worker profile of one more round of " + runs + " runs: " + jfr);
        }
    }

    /** CPU of this JVM's child processes other than the services' (the dev server and its launcher). */
    private long otherProcessesCpu() {
        return BenchSupport.childrenCpuNanos() - services.pids().stream().mapToLong(BenchSupport::cpuNanos).sum();
    }

    // ---- many runs in flight ---------------------------------------------------------------------------------------

    /** A run's result and when it arrived. */
    private record Ended(CmkRunState state, Instant at) {
    }

    private void inflight(int runs, int subscriptionCount, double startRate, Duration operation) throws Exception {
        List<String> subscriptions = subscriptions(subscriptionCount, true);
        stack.arm().throttling().enable(Throttling.Limits.armDefaults());
        AtomicInteger ended = new AtomicInteger();
        AtomicInteger peakThreads = new AtomicInteger();
        AtomicLong peakHeap = new AtomicLong();
        AtomicInteger peakInFlight = new AtomicInteger();
        AtomicInteger startedCount = new AtomicInteger();
        List<Instant> startedAt = new ArrayList<>();
        List<CompletableFuture<Ended>> endedAt = new ArrayList<>();
        ExecutorService sampler = Executors.newSingleThreadExecutor();
        CompletableFuture<Void> sampling = CompletableFuture.runAsync(() -> {
            // Every 10 s until the last run ends: live threads, heap in use (garbage included), runs in flight.
            while (ended.get() < runs) {
                int inFlight = startedCount.get() - ended.get();
                int threads = worker.liveThreads();
                long heap = worker.heapUsed();
                peakThreads.accumulateAndGet(threads, Math::max);
                peakHeap.accumulateAndGet(heap, Math::max);
                peakInFlight.accumulateAndGet(inFlight, Math::max);
                System.out.printf(Locale.ROOT, "  in flight %4d (started %4d, ended %4d): worker threads %4d, heap in use %.0f MiB%n",
                        inFlight, startedCount.get(), ended.get(), threads, heap / 1048576.0);
                BenchSupport.sleep(Duration.ofSeconds(10));
            }
        }, sampler);
        long t0 = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            long due = t0 + (long) (i * 1e9 / startRate);
            long wait = due - System.nanoTime();
            if (wait > 0) {
                TimeUnit.NANOSECONDS.sleep(wait);
            }
            CmkRequest request = request(subscriptions.get(i % subscriptions.size()));
            startedAt.add(Instant.now());
            String workflowId = BenchSupport.start(stack, request);
            startedCount.incrementAndGet();
            endedAt.add(stack.client().newUntypedWorkflowStub(workflowId).getResultAsync(CmkRunState.class)
                    .thenApply(state -> {
                        ended.incrementAndGet();
                        return new Ended(state, Instant.now());
                    }));
        }
        System.out.printf(Locale.ROOT, "started %d runs in %.0f s%n", runs, (System.nanoTime() - t0) / 1e9);
        CompletableFuture.allOf(endedAt.toArray(CompletableFuture[]::new)).get(operation.toMinutes() + 60, TimeUnit.MINUTES);
        sampling.get(1, TimeUnit.MINUTES);
        sampler.shutdown();
        double seconds = (System.nanoTime() - t0) / 1e9;
        int succeeded = 0;
        double[] ratios = new double[runs];
        for (int i = 0; i < runs; i++) {
            Ended run = endedAt.get(i).join();
            if (run.state().status() == CmkStatus.Succeeded) {
                succeeded++;
            }
            // The longest chain of Azure waits of a run: its workspace operation (zero ARM latency, providers registered).
            ratios[i] = (double) Duration.between(startedAt.get(i), run.at()).toMillis() / operation.toMillis();
        }
        Arrays.sort(ratios);
        long throttled = stack.arm().journal().entries().stream().filter(e -> e.status() == 429).count();
        long afterGc = worker.heapUsedAfterGc();
        System.out.printf(Locale.ROOT, "inflight: %d runs (%d succeeded) in %.0f s, peak %d in flight; worker peak threads %d, peak heap in use"
                        + " %.0f MiB (max heap 512 MiB), %.0f MiB after GC at the end; end-to-end / workspace operation median %.3f,"
                        + " p95 %.3f, max %.3f; ARM 429 answers %d%n", runs, succeeded, seconds, peakInFlight.get(), peakThreads.get(),
                peakHeap.get() / 1048576.0, afterGc / 1048576.0, ratios[runs / 2], ratios[(int) (runs * 0.95)], ratios[runs - 1], throttled);
        String key = "scale/inflight/";
        BenchSupport.result(key + "runs", runs);
        BenchSupport.result(key + "succeeded", succeeded);
        BenchSupport.result(key + "peak_in_flight", peakInFlight.get());
        BenchSupport.result(key + "peak_threads", peakThreads.get());
        BenchSupport.result(key + "peak_heap_mib", peakHeap.get() / 1048576.0);
        BenchSupport.result(key + "ratio_median", ratios[runs / 2]);
        BenchSupport.result(key + "ratio_p95", ratios[(int) (runs * 0.95)]);
        BenchSupport.result(key + "ratio_max", ratios[runs - 1]);
        BenchSupport.result(key + "throttled", throttled);
        BenchSupport.result(key + "seconds", seconds);
    }

    // ---- many runs parked ------------------------------------------------------------------------------------------

    private void parked(int runs, int resume) throws Exception {
        List<String> subscriptions = subscriptions(1, true);
        // The worker warmed and its one Azure client built before the baseline: 20 runs that succeed.
        runAll(20, subscriptions);
        long before = worker.heapUsedAfterGc();
        int threadsBefore = worker.liveThreads();
        stack.arm().faults().inject(FaultRule.forOperation("Vaults_CreateOrUpdate").status(403).code("AuthorizationFailed")
                .message("bench: the worker may not create key vaults").always());
        List<CmkRequest> requests = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            requests.add(request(subscriptions.get(0)));
        }
        long started = System.nanoTime();
        ExecutorService starters = Executors.newFixedThreadPool(4);
        List<CompletableFuture<String>> starts = requests.stream()
                .map(request -> CompletableFuture.supplyAsync(() -> BenchSupport.start(stack, request), starters)).toList();
        CompletableFuture.allOf(starts.toArray(CompletableFuture[]::new)).get(60, TimeUnit.MINUTES);
        starters.shutdown();
        double startSeconds = (System.nanoTime() - started) / 1e9;
        System.out.printf(Locale.ROOT, "parked: %d runs started in %.0f s%n", runs, startSeconds);
        long parked;
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(60));
        while ((parked = stack.client().countWorkflows("CmkStatus = 'AwaitingOperator'").getCount()) < runs) {
            System.out.printf(Locale.ROOT, "  %d of %d parked after %.0f s%n", parked, runs, (System.nanoTime() - started) / 1e9);
            if (Instant.now().isAfter(giveUp)) {
                throw new IllegalStateException("only " + parked + " of " + runs + " runs parked within 60 minutes");
            }
            BenchSupport.sleep(Duration.ofSeconds(15));
        }
        double parkSeconds = (System.nanoTime() - started) / 1e9;
        long after = worker.heapUsedAfterGc();
        int threadsAfter = worker.liveThreads();
        double growth = (after - before) / 1048576.0;
        System.out.printf(Locale.ROOT, "parked: %d runs parked in %.0f s; worker heap after GC %.1f MiB before, %.1f MiB after: growth %.1f MiB"
                        + " (%.2f KiB per run); live threads %d before, %d after%n", runs, parkSeconds, before / 1048576.0,
                after / 1048576.0, growth, (after - before) / 1024.0 / runs, threadsBefore, threadsAfter);
        // A sample, spread over the start order, retried by an operator once the fault is gone: each must succeed.
        stack.arm().faults().clear();
        RunControl control = new RunControl(stack.client());
        List<CompletableFuture<CmkRunState>> resumed = new ArrayList<>();
        for (int k = 0; k < resume; k++) {
            String workflowId = WorkflowIds.forRequest(requests.get((int) ((long) k * runs / resume)));
            control.retry(workflowId, "bench: the vault fault is gone");
            resumed.add(stack.client().newUntypedWorkflowStub(workflowId).getResultAsync(CmkRunState.class));
        }
        CompletableFuture.allOf(resumed.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
        long succeeded = resumed.stream().map(CompletableFuture::join).filter(s -> s.status() == CmkStatus.Succeeded).count();
        System.out.printf(Locale.ROOT, "parked: %d of %d retried runs succeeded%n", succeeded, resume);
        String key = "scale/parked/";
        BenchSupport.result(key + "runs", runs);
        BenchSupport.result(key + "growth_mib", growth);
        BenchSupport.result(key + "kib_per_run", (after - before) / 1024.0 / runs);
        BenchSupport.result(key + "park_s", parkSeconds);
        BenchSupport.result(key + "threads_before", threadsBefore);
        BenchSupport.result(key + "threads_after", threadsAfter);
        BenchSupport.result(key + "resumed", resume);
        BenchSupport.result(key + "resumed_succeeded", succeeded);
    }

    // ---- the cost of a run -----------------------------------------------------------------------------------------

    private void cost() throws Exception {
        RunControl control = new RunControl(stack.client());
        // Each scenario in a subscription of its own whose providers are not registered: the journal tells them apart.
        List<String> subscriptions = subscriptions(3, false);
        CmkRequest succeeded = request(subscriptions.get(0));
        costOf("succeeded", succeeded, null);
        costOf("parked, retried", request(subscriptions.get(1)), workflowId -> {
            stack.arm().faults().clear();
            control.retry(workflowId, "bench: the fault is gone");
        });
        costOf("parked, aborted", request(subscriptions.get(2)), workflowId -> control.abort(workflowId, "bench: abort"));
        postureCheckCost(succeeded);
    }

    /**
     * One run: with {@code operator} null it runs through; else a 403 on the workspace PUT parks it and the operator
     * acts. Counts the run's Temporal actions, the heartbeats that reached the server while it ran, its ARM requests.
     */
    private void costOf(String scenario, CmkRequest request, Consumer<String> operator) throws Exception {
        BenchSupport.sleep(SDK_METRICS_REPORTING);
        double heartbeatsBefore = worker.temporalRequests("RecordActivityTaskHeartbeat");
        if (operator != null) {
            stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").subscription(request.subscriptionId())
                    .status(403).code("AuthorizationFailed").message("bench: the worker may not create workspaces").always());
        }
        String workflowId = BenchSupport.start(stack, request);
        if (operator != null) {
            stack.awaitParked(workflowId, CmkStep.CREATE_WORKSPACE.stage());
            operator.accept(workflowId);
        }
        String outcome;
        try {
            outcome = stack.client().newUntypedWorkflowStub(workflowId).getResult(CmkRunState.class).status().name();
        } catch (WorkflowFailedException failed) {
            // An aborted run ends failed (ABORTED) once its undo has run.
            outcome = "failed, " + (failed.getCause() instanceof ApplicationFailure cause ? cause.getType() : failed.getCause());
        }
        BenchSupport.sleep(SDK_METRICS_REPORTING.multipliedBy(2));
        double heartbeats = worker.temporalRequests("RecordActivityTaskHeartbeat") - heartbeatsBefore;
        Map<String, Integer> actions = actions(stack.client().fetchHistory(workflowId).getEvents());
        actions.put("heartbeats that reached the server", (int) heartbeats);
        report(scenario, outcome, actions);
        List<JournalEntry> calls = stack.arm().journal().entries().stream()
                .filter(e -> request.subscriptionId().equals(e.subscription())).toList();
        long writes = calls.stream().filter(JournalEntry::isWrite).count();
        Map<String, Integer> byOperation = new TreeMap<>();
        calls.forEach(c -> byOperation.merge(c.method() + " " + c.operation(), 1, Integer::sum));
        System.out.printf(Locale.ROOT, "arm %s: %d reads, %d writes: %s%n", scenario, calls.size() - writes, writes, byOperation);
        String key = "scale/cost/" + scenario + "/";
        BenchSupport.result(key + "arm_reads", calls.size() - writes);
        BenchSupport.result(key + "arm_writes", writes);
    }

    /** One posture check, triggered on the workspace's schedule as its daily firing would start it. */
    private void postureCheckCost(CmkRequest create) throws Exception {
        String schedule = WorkflowIds.forPosture(create);
        Instant triggered = Instant.now();
        CmkPostureInput.schedules(stack.client()).getHandle(schedule).trigger();
        WorkflowExecutionMetadata check = null;
        Instant giveUp = Instant.now().plus(Duration.ofMinutes(5));
        while (check == null) {
            check = stack.client().listExecutions("WorkflowType = 'CmkPosture' AND ExecutionStatus = 'Completed'")
                    .filter(w -> w.getStartTime().isAfter(triggered.minusSeconds(1))).findFirst().orElse(null);
            if (check == null) {
                if (Instant.now().isAfter(giveUp)) {
                    throw new IllegalStateException("no posture check completed within 5 minutes of the trigger");
                }
                BenchSupport.sleep(Duration.ofSeconds(1));
            }
        }
        Map<String, Integer> actions = actions(stack.client().fetchHistory(check.getExecution().getWorkflowId(),
                check.getExecution().getRunId()).getEvents());
        // Temporal Cloud: each firing of a schedule is 2 actions besides the workflow start it makes.
        actions.put("schedule firing", 2);
        report("posture check", "Completed", actions);
    }

    /** A history's actions by Temporal Cloud's rules, by kind (docs/benchmarks.md, "Cost of a run", cites them). */
    private static Map<String, Integer> actions(List<HistoryEvent> events) {
        Map<String, Integer> actions = new LinkedHashMap<>();
        for (String kind : List.of("workflow start", "activity attempts", "timers", "search attribute upserts", "signals",
                "updates", "child workflows", "markers (not charged)")) {
            actions.put(kind, 0);
        }
        for (HistoryEvent event : events) {
            EventType type = event.getEventType();
            switch (type) {
                case EVENT_TYPE_WORKFLOW_EXECUTION_STARTED -> actions.merge("workflow start", 1, Integer::sum);
                // The first attempt is charged when scheduled; each retry (the started event's attempt past 1) again.
                case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> actions.merge("activity attempts", 1, Integer::sum);
                case EVENT_TYPE_ACTIVITY_TASK_STARTED -> actions.merge("activity attempts",
                        event.getActivityTaskStartedEventAttributes().getAttempt() - 1, Integer::sum);
                case EVENT_TYPE_TIMER_STARTED -> actions.merge("timers", 1, Integer::sum);
                case EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES -> actions.merge("search attribute upserts", 1, Integer::sum);
                case EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED -> actions.merge("signals", 1, Integer::sum);
                case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED -> actions.merge("updates", 1, Integer::sum);
                case EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED -> actions.merge("child workflows", 2, Integer::sum);
                case EVENT_TYPE_MARKER_RECORDED -> actions.merge("markers (not charged)", 1, Integer::sum);
                default -> { }
            }
        }
        return actions;
    }

    private static void report(String scenario, String outcome, Map<String, Integer> actions) {
        int total = actions.entrySet().stream().filter(e -> !e.getKey().startsWith("markers")).mapToInt(Map.Entry::getValue).sum();
        System.out.printf(Locale.ROOT, "cost %s (%s): %d actions, $%.5f: %s%n", scenario, outcome, total, total * DOLLARS_PER_ACTION, actions);
        String key = "scale/cost/" + scenario + "/";
        actions.forEach((kind, count) -> BenchSupport.result(key + kind, count));
        BenchSupport.result(key + "actions", total);
    }

    // ---- shared ----------------------------------------------------------------------------------------------------

    /** {@code count} subscriptions with the resource group, their providers registered or not. */
    private List<String> subscriptions(int count, boolean registered) {
        List<String> subscriptions = new ArrayList<>();
        for (int k = 0; k < count; k++) {
            String subscription = String.format(Locale.ROOT, "00000000-0000-4000-8000-%012d", 700_000 + k);
            stack.arm().state().resourceGroup(subscription, GROUP, LOCATION);
            if (registered) {
                stack.arm().state().registerProviders(subscription, ProviderRegistrationStep.NAMESPACES.toArray(String[]::new));
            }
            subscriptions.add(subscription);
        }
        return subscriptions;
    }

    /** Starts {@code n} runs at once across {@code subscriptions} and waits until all succeeded. */
    private void runAll(int n, List<String> subscriptions) throws Exception {
        List<CompletableFuture<CmkRunState>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String workflowId = BenchSupport.start(stack, request(subscriptions.get(i % subscriptions.size())));
            results.add(stack.client().newUntypedWorkflowStub(workflowId).getResultAsync(CmkRunState.class));
        }
        CompletableFuture.allOf(results.toArray(CompletableFuture[]::new)).get(30, TimeUnit.MINUTES);
        for (CompletableFuture<CmkRunState> result : results) {
            if (result.join().status() != CmkStatus.Succeeded) {
                throw new IllegalStateException("run " + result.join().workflowId() + " ended " + result.join().status());
            }
        }
    }

    private synchronized CmkRequest request(String subscription) {
        int run = ++nextRun;
        return new CmkRequest("req-scale-" + run, subscription, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("mlw-scale-" + run, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-scale-" + run, null, "standard", 7, null),
                new CmkRequest.Key("cmk-scale-" + run, 3072, "RSA"), Map.of("purpose", "benchmark"));
    }

}
