package io.cmkflow.bench;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.testing.TestRequests;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import io.cmkflow.azure.AzureClients;
import io.cmkflow.azure.KeyStep;
import io.cmkflow.azure.PreexistingResources;
import io.cmkflow.azure.KeyAccessStep;
import io.cmkflow.azure.KeyVaultStep;
import io.cmkflow.azure.ManagedGroupCheck;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.azure.ProviderRegistrationStep;
import io.cmkflow.azure.WorkspaceStep;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Runs the full Azure step sequence (steps 1-6) N times, C at a time, through the real SDK against the ARM
 * simulator with no injected latency, then the full undo sequence, and prints ARM requests per provisioning
 * (reads, writes, by operation) and wall time per provisioning. Not a test: run it by hand (docs/benchmarks.md).
 *
 * <p>Arguments {@code [runs] [concurrency]}, or system properties {@code bench.runs} / {@code bench.concurrency}
 * (exec:java cannot take {@code exec.args} here: micronaut-parent's exec plugin configuration sets {@code arguments}).
 * Defaults: 40 runs, 8 concurrent.
 */
public final class ArmBench {

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
    private static final String GROUP = "rg-bench";
    private static final String LOCATION = "westeurope";
    private static final Runnable NO_HEARTBEAT = () -> { };

    private ArmBench() {
    }

    public static void main(String[] args) throws Exception {
        int runs = args.length > 0 ? Integer.parseInt(args[0]) : Integer.getInteger("bench.runs", 40);
        int concurrency = args.length > 1 ? Integer.parseInt(args[1]) : Integer.getInteger("bench.concurrency", 8);
        // The SDK's own LRO polls (vault, storage) and cmkflow's polling at simulator pace, as in the tests.
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> Duration.ofMillis(10));
        PollingPolicy polling = new PollingPolicy(Duration.ofMillis(10), Duration.ofMillis(100), Duration.ofSeconds(60));

        try (ArmSimulator sim = ArmSimulator.start(ArmSimulatorOptions.defaults())) {
            sim.state().resourceGroup(SUBSCRIPTION, GROUP, LOCATION);
            AzureClients clients = new AzureClients(CmkStack.connectionTo(sim));
            Steps steps = new Steps(clients, polling);

            // Warm-up (class loading, TLS, JIT) and the one-time provider registration, not measured.
            provision(steps, request("warmup"));
            sim.journal().clear();

            Phase provisioning = measure(sim, runs, concurrency, i -> {
                provision(steps, request("b" + i));
                return null;
            });
            Phase compensation = measure(sim, runs, concurrency, i -> {
                undo(steps, request("b" + i));
                return null;
            });

            System.out.printf("%nARM bench: %d provisionings, %d concurrent, simulator defaults (workspace LRO %d ms), no injected latency%n",
                    runs, concurrency, ArmSimulatorOptions.defaults().workspaceOperationDuration().toMillis());
            provisioning.print("provisioning (steps 1-6)", runs);
            compensation.print("compensation (undo workspace, access policy, key, vault)", runs);
        }
    }

    private static void provision(Steps s, CmkRequest request) {
        Ownership owner = new Ownership(request.requestId(), "cmk-" + request.requestId(), "run-" + request.requestId(), List.of(), List.of());
        s.providers.register(request, NO_HEARTBEAT);
        VaultOutcome vault = s.vault.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        KeyOutcome key = s.key.ensure(request, vault, owner, new PreexistingResources());
        s.cosmos.grant(request, vault, s.cosmos.accessBefore(request, vault));
        WorkspaceOutcome workspace = s.workspace.ensure(request, vault, key, owner, new PreexistingResources(), NO_HEARTBEAT);
        s.managedGroup.verify(request, workspace, NO_HEARTBEAT);
    }

    private static void undo(Steps s, CmkRequest request) {
        Ownership owner = new Ownership(request.requestId(), "cmk-" + request.requestId(), "run-" + request.requestId(), List.of(), List.of());
        VaultOutcome vault = new VaultOutcome(request.keyVaultId().id(), request.keyVault().name(),
                GROUP, null, LOCATION, false, VaultOutcome.Disposition.CREATED);
        s.workspace.undo(request, owner, NO_HEARTBEAT);
        s.cosmos.undo(request, new KeyAccessOutcome(vault.vaultId(), SimulatedDirectory.cosmosDbObjectId(TestRequests.TENANT),
                KeyAccessOutcome.Mode.ACCESS_POLICY, false, null));
        s.key.undo(request, owner);
        s.vault.undo(request, owner);
    }

    private static Phase measure(ArmSimulator sim, int runs, int concurrency, Function<Integer, Void> body) throws Exception {
        sim.journal().clear();
        ExecutorService pool = Executors.newFixedThreadPool(concurrency);
        List<Future<Long>> futures = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < runs; i++) {
            int index = i;
            futures.add(pool.submit(() -> {
                long t0 = System.nanoTime();
                body.apply(index);
                return System.nanoTime() - t0;
            }));
        }
        List<Long> nanos = new ArrayList<>();
        for (Future<Long> f : futures) {
            nanos.add(f.get());
        }
        long total = System.nanoTime() - start;
        pool.shutdown();
        return new Phase(nanos, total, sim.journal().entries());
    }

    private static CmkRequest request(String name) {
        return new CmkRequest("req-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("ws-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk", 3072, "RSA"), Map.of());
    }

    private record Steps(ProviderRegistrationStep providers, KeyVaultStep vault, KeyStep key, KeyAccessStep cosmos,
                         WorkspaceStep workspace, ManagedGroupCheck managedGroup) {
        Steps(AzureClients clients, PollingPolicy polling) {
            this(new ProviderRegistrationStep(clients, polling), new KeyVaultStep(clients, polling), new KeyStep(clients),
                    new KeyAccessStep(clients), new WorkspaceStep(clients, polling), new ManagedGroupCheck(clients, polling));
        }
    }

    private record Phase(List<Long> nanos, long totalNanos, List<JournalEntry> journal) {
        void print(String title, int runs) {
            List<Long> sorted = new ArrayList<>(nanos);
            Collections.sort(sorted);
            long reads = journal.stream().filter(e -> !e.isWrite()).count();
            long writes = journal.stream().filter(JournalEntry::isWrite).count();
            System.out.printf("%n## %s%n", title);
            System.out.printf("ARM requests per run: %.1f reads, %.1f writes (%.1f total); unhandled: %d; non-2xx answers: %d%n",
                    reads / (double) runs, writes / (double) runs, journal.size() / (double) runs,
                    journal.stream().filter(e -> !e.handled()).count(),
                    journal.stream().filter(e -> e.status() >= 300).count());
            System.out.printf("wall time per run: p50 %d ms, p95 %d ms, max %d ms; all %d runs in %d ms (%.1f runs/s)%n",
                    ms(percentile(sorted, 50)), ms(percentile(sorted, 95)), ms(sorted.get(sorted.size() - 1)), runs,
                    ms(totalNanos), runs / (totalNanos / 1e9));
            Map<String, Long> byOperation = journal.stream().collect(Collectors.groupingBy(
                    e -> e.method() + " " + e.operation(), TreeMap::new, Collectors.counting()));
            System.out.println("| request | per run |");
            System.out.println("|---|---|");
            byOperation.forEach((op, count) -> System.out.printf("| %s | %.1f |%n", op, count / (double) runs));
        }

        private static long percentile(List<Long> sorted, int p) {
            int index = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
            return sorted.get(Math.max(0, Math.min(index, sorted.size() - 1)));
        }

        private static long ms(long nanos) {
            return nanos / 1_000_000;
        }
    }
}
