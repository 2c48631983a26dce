package io.cmkflow.bench;

import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.azure.ProviderRegistrationStep;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStep;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end time with Azure-like waits (docs/benchmarks.md, "Realistic durations", says where each figure comes from):
 * provider registration takes {@code registration-s} (5 s) from the register call, a workspace create
 * {@code workspace-s} (240 s: 20 minutes scaled down 5 times) as a long-running
 * operation whose in-progress answers carry {@code Retry-After: retry-after-s}, every ARM call holds {@code latency-ms};
 * cmkflow polls with its production policy ({@link PollingPolicy#defaults()}: 2 s doubling to 30 s where Azure sends
 * no Retry-After, as for provider registration). {@code runs} runs start at once, each in a subscription of its own
 * (so each registers its providers); per run it reports end-to-end over the longest chain of Azure waits: registration
 * + the storage account create's {@code Retry-After} + workspace operation + the critical-path calls' own latency.
 * <p>
 * Arguments (all optional): {@code server=dev|test runs=3 registration-s=5 workspace-s=240 retry-after-s=10 latency-ms=50}.
 */
public final class RealisticDurationsBench {

    private static final Set<String> KEYS = Set.of("server", "runs", "registration-s", "workspace-s", "retry-after-s", "latency-ms");
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String LOCATION = "westeurope";

    private RealisticDurationsBench() {
    }

    public static void main(String[] args) throws Exception {
        BenchSupport.exitOnFailure();
        Map<String, String> options = BenchSupport.options(args, KEYS);
        String server = options.getOrDefault("server", "dev");
        int runs = Integer.parseInt(options.getOrDefault("runs", "3"));
        Duration registration = Duration.ofSeconds(Long.parseLong(options.getOrDefault("registration-s", "5")));
        Duration workspace = Duration.ofSeconds(Long.parseLong(options.getOrDefault("workspace-s", "240")));
        Duration retryAfter = Duration.ofSeconds(Long.parseLong(options.getOrDefault("retry-after-s", "10")));
        Duration latency = Duration.ofMillis(Long.parseLong(options.getOrDefault("latency-ms", "50")));
        BenchSupport.quietLogs();
        System.out.printf(Locale.ROOT, "realistic durations: %d runs at once on the %s server, registration %d s, workspace %d s,"
                        + " Retry-After %d s, %d ms per ARM call, production polling%n", runs, server, registration.toSeconds(),
                workspace.toSeconds(), retryAfter.toSeconds(), latency.toMillis());
        ArmSimulatorOptions arm = ArmSimulatorOptions.defaults()
                .withProviderRegistrationDuration(registration)
                .withWorkspaceOperationDuration(workspace)
                .withOperationRetryAfter(retryAfter);
        try (CmkStack stack = BenchSupport.onServer(CmkStack.builder(), server).intake(false).arm(arm)
                .polling(PollingPolicy.defaults()).build().start()) {
            warmUp(stack);
            stack.arm().latency().global(latency);
            List<CmkRequest> requests = new ArrayList<>();
            for (int i = 1; i <= runs; i++) {
                requests.add(request(stack, i));
            }
            List<Instant> started = new ArrayList<>();
            List<CompletableFuture<Instant>> finished = new ArrayList<>();
            for (CmkRequest request : requests) {
                started.add(Instant.now());
                CmkWorkflowStarter.StartResult result = stack.starter().start(new CmkWorkflowInput(request));
                finished.add(stack.client().newUntypedWorkflowStub(result.workflowId()).getResultAsync(CmkRunState.class)
                        .thenApply(state -> Instant.now()));
            }
            CompletableFuture.allOf(finished.toArray(CompletableFuture[]::new)).get(10, TimeUnit.MINUTES);
            List<JournalEntry> journal = stack.arm().journal().entries();
            for (int i = 0; i < runs; i++) {
                CmkRequest request = requests.get(i);
                CmkRunState state = stack.client().newUntypedWorkflowStub(WorkflowIds.forRequest(request))
                        .query("state", CmkRunState.class);
                if (state.status() != CmkStatus.Succeeded) {
                    throw new IllegalStateException("run " + request.requestId() + " ended " + state.status());
                }
                RunTiming run = new RunTiming(request, started.get(i), finished.get(i).get(), state,
                        journal.stream().filter(e -> request.subscriptionId().equals(e.subscription())).toList());
                // Calls on the critical path add their latency to the waits, except the polls made while a wait runs
                // (all but the one that sees it end): they overlap the wait instead of following it.
                int chainCalls = run.criticalPathCalls(latency) - pollsDuringWaits(run.armCalls());
                // The storage account's create answers "in progress, Retry-After" once: a wait Azure imposes too.
                long storageWaitMs = run.armCalls().stream().filter(c -> "StorageAccounts_GetCreateOperation".equals(c.operation())
                        && c.status() == 202).count() * retryAfter.toMillis();
                long chainMs = registration.toMillis() + storageWaitMs + workspace.toMillis() + chainCalls * latency.toMillis();
                double ratio = (double) run.endToEnd().toMillis() / chainMs;
                System.out.printf(Locale.ROOT, "run %d: end-to-end %.1f s, longest chain of Azure waits %.1f s (%d critical-path calls):"
                                + " %.3f%n", i + 1, run.endToEnd().toMillis() / 1000.0, chainMs / 1000.0,
                        chainCalls, ratio);
                String key = "realistic/" + server + "/";
                if (i == 0) {
                    // One run's calls in time, to see where its end-to-end exceeds the chain.
                    for (JournalEntry call : run.armCalls()) {
                        System.out.printf(Locale.ROOT, "         +%7.2f s %s %s %d%n", Duration.between(run.started(), call.receivedAt()).toMillis() / 1000.0,
                                call.method(), call.operation(), call.status());
                    }
                }
                for (CmkRunState.StepState step : state.steps()) {
                    double stepSeconds = Duration.between(Instant.parse(step.startedAt()), Instant.parse(step.finishedAt())).toMillis() / 1000.0;
                    System.out.printf(Locale.ROOT, "         step %d %-30s %6.1f s%n", step.number(), step.step().title(), stepSeconds);
                    BenchSupport.result(key + "steps/" + step.number() + "/s", stepSeconds);
                }
                BenchSupport.result(key + "e2e_s", run.endToEnd().toMillis() / 1000.0);
                BenchSupport.result(key + "chain_s", chainMs / 1000.0);
                BenchSupport.result(key + "ratio", ratio);
            }
        }
        System.exit(0);
    }

    /**
     * One run through steps 1-4 before the measured ones (class loading, JIT, TLS sessions, the Graph lookup), in a
     * subscription with its providers registered, parked at step 5 by an injected 403 and then terminated: a worker
     * that has served before, as users meet it. Measured, the first run of a fresh JVM spent ~6.7 s before its first
     * ARM call.
     */
    private static void warmUp(CmkStack stack) {
        CmkRequest warm = request(stack, 0);
        stack.arm().state().registerProviders(warm.subscriptionId(), ProviderRegistrationStep.NAMESPACES.toArray(String[]::new));
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").subscription(warm.subscriptionId())
                .status(403).code("AuthorizationFailed").message("bench warm-up: parks before the workspace").always());
        String workflowId = stack.starter().start(new CmkWorkflowInput(warm)).workflowId();
        stack.awaitParked(workflowId, CmkStep.CREATE_WORKSPACE.stage());
        stack.client().newUntypedWorkflowStub(workflowId).terminate("bench warm-up done");
        stack.arm().faults().clear();
    }

    private static CmkRequest request(CmkStack stack, int i) {
        String subscription = String.format(Locale.ROOT, "00000000-0000-4000-8000-%012d", 500_000 + i);
        stack.arm().state().resourceGroup(subscription, "rg-bench", LOCATION);
        return new CmkRequest("req-real-" + i, subscription, TENANT, CmkRequest.AZURE_CLOUD, "rg-bench", LOCATION,
                new CmkRequest.Workspace("mlw-real-" + i, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-real-" + i, null, "standard", 7, null),
                new CmkRequest.Key("cmk-real-" + i, 3072, "RSA"), Map.of("purpose", "benchmark"));
    }

    /** Provider polls (every Providers_List but the first read and the last poll) and workspace operation polls but the last. */
    private static int pollsDuringWaits(List<JournalEntry> calls) {
        long providerLists = calls.stream().filter(c -> "Providers_List".equals(c.operation())).count();
        long operationPolls = calls.stream().filter(c -> "WorkspaceOperations_GetStatus".equals(c.operation())).count();
        return (int) (Math.max(0, providerLists - 2) + Math.max(0, operationPolls - 1));
    }
}
