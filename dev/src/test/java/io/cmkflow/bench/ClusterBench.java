package io.cmkflow.bench;

import io.cmkflow.cluster.CmkflowServices;
import io.cmkflow.cluster.TemporalCluster;
import io.cmkflow.dev.DevTemporal;
import io.cmkflow.soak.SoakRun;
import io.cmkflow.testing.CmkStack;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionMetadata;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * docker-compose.yml's topology under load (docs/benchmarks.md, "Compose topology on a Temporal cluster"): the same
 * processes as {@code ComposeTopologyTest} (intake, two workers, operator-api from the production jar with their compose
 * environment) on the Temporal server built from {@code go.temporal.io/server} on PostgreSQL ({@code server=cluster}) or,
 * to compare, on the Temporal CLI's dev server ({@code server=dev}). The load is {@link SoakRun}'s, through the intake,
 * with its checks. With {@code chaos=true}, {@code chaos-after} seconds into the load a worker is SIGKILLed, the
 * Temporal server process restarted and the worker started again (its activities come back after their 2-minute
 * heartbeat timeout). Prints SoakRun's table, end-to-end latency of the succeeded runs (workflow start to close, from
 * visibility) and CPU per request of every process (this JVM with the simulator and stand-in, and its children);
 * exits 1 on a violated invariant. Arguments (all optional): {@code server=cluster requests=200 fault-rate=0.1 seed=3
 * subscriptions=20 poison=4 chaos=false chaos-after=10 timeout-minutes=15}.
 */
public final class ClusterBench {
    private static final Set<String> KEYS = Set.of("server", "requests", "fault-rate", "seed", "subscriptions", "poison",
            "chaos", "chaos-after", "timeout-minutes");

    private ClusterBench() {
    }

    public static void main(String[] args) throws Exception {
        Map<String, String> options = BenchSupport.options(args, KEYS);
        String server = options.getOrDefault("server", "cluster");
        boolean chaos = Boolean.parseBoolean(options.getOrDefault("chaos", "false"));
        SoakRun.Options run = new SoakRun.Options(
                Integer.parseInt(options.getOrDefault("requests", "200")),
                Double.parseDouble(options.getOrDefault("fault-rate", "0.1")),
                Long.parseLong(options.getOrDefault("seed", "3")),
                Integer.parseInt(options.getOrDefault("subscriptions", "20")),
                Integer.parseInt(options.getOrDefault("poison", "4")), 0,
                Duration.ofMinutes(Long.parseLong(options.getOrDefault("timeout-minutes", "15"))));
        BenchSupport.quietLogs();
        System.out.printf("machine: %d cores, Java %s; server=%s chaos=%s%n", Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.version"), server, chaos);
        CmkflowServices services = new CmkflowServices(Map.of("CMKFLOW_AZURE_SCOPE", "AzureCloud/"
                + io.cmkflow.testing.TestRequests.TENANT + "/*/rg-soak"), 2);
        CmkStack.Builder builder = CmkStack.builder().worker(false).intake(false).part(services);
        builder = switch (server) {
            case "cluster" -> builder.temporalServer(TemporalCluster::start);
            case "dev" -> builder.temporalServer(DevTemporal::start);
            default -> throw new IllegalArgumentException("server=" + server + ": expected cluster or dev");
        };
        SoakRun.Result result;
        double[] latencies;
        long cpu;
        try (CmkStack stack = builder.build().start()) {
            long cpuBefore = BenchSupport.processCpuNanos() + BenchSupport.childrenCpuNanos();
            Instant start = Instant.now();
            CompletableFuture<Void> chaosDone = chaos ? CompletableFuture.runAsync(() -> {
                BenchSupport.sleep(Duration.ofSeconds(Long.parseLong(options.getOrDefault("chaos-after", "10"))));
                String victim = services.service("worker-1").pid() + "@";
                long held = stack.client().listExecutions("ExecutionStatus = 'Running'")
                        .flatMap(w -> stack.run(w.getExecution().getWorkflowId()).stream())
                        .flatMap(d -> d.getRawDescription().getPendingActivitiesList().stream())
                        .filter(a -> a.getLastWorkerIdentity().startsWith(victim)).count();
                services.kill("worker-1");
                System.out.println("chaos: worker-1 had " + held + " activities in flight when it was SIGKILLed");
                stack.temporalServer(TemporalCluster.class).restartServer();
                services.restart("worker-1");
                System.out.println("chaos: worker-1 SIGKILLed, Temporal server restarted, worker-1 started again at "
                        + Duration.between(start, Instant.now()).toSeconds() + " s");
            }) : CompletableFuture.completedFuture(null);
            result = SoakRun.run(stack, run, SoakRun.Budget.arm());
            chaosDone.get(5, TimeUnit.MINUTES);
            cpu = BenchSupport.processCpuNanos() + BenchSupport.childrenCpuNanos() - cpuBefore;
            latencies = stack.client().listExecutions("ExecutionStatus = 'Completed'")
                    .filter(w -> w.getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED)
                    .mapToDouble(ClusterBench::seconds).sorted().toArray();
        }
        System.out.print(result.summary());
        System.out.printf(Locale.ROOT, "| succeeded runs: end-to-end (start to close) median / p95 / max | %.1f s / %.1f s / %.1f s |%n",
                percentile(latencies, 0.5), percentile(latencies, 0.95), percentile(latencies, 1.0));
        System.out.printf(Locale.ROOT, "| throughput (valid requests / wall time) | %.2f requests/s |%n",
                run.requests() / (result.wallTime().toMillis() / 1000.0));
        System.out.printf(Locale.ROOT, "| CPU of every process (test JVM and its children), per request | %d ms |%n",
                TimeUnit.NANOSECONDS.toMillis(cpu) / Math.max(1, run.requests()));
        BenchSupport.result("cluster-" + server + (chaos ? "-chaos" : "") + "-requests-per-second",
                run.requests() / (result.wallTime().toMillis() / 1000.0));
        BenchSupport.result("cluster-" + server + (chaos ? "-chaos" : "") + "-latency-median-seconds", percentile(latencies, 0.5));
        result.violations().forEach(v -> System.out.println("VIOLATION: " + v));
        System.exit(result.violations().isEmpty() ? 0 : 1);
    }

    private static double seconds(WorkflowExecutionMetadata run) {
        return Duration.between(run.getStartTime(), run.getCloseTime()).toMillis() / 1000.0;
    }

    private static double percentile(double[] sorted, double p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int rank = (int) Math.ceil(p * sorted.length) - 1;
        return sorted[Math.min(sorted.length - 1, Math.max(0, rank))];
    }

}
