package io.cmkflow.bench;

import io.cmkflow.contract.Operation;
import io.cmkflow.workflow.CmkStep;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordingFile;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./bench all [quick]}: reruns every benchmark, each in a JVM of its own, collects their {@code RESULT} samples,
 * and rewrites the generated parts of docs/benchmarks.md (between {@code <!-- generated:NAME -->} and
 * {@code <!-- /generated:NAME -->}; everything else in the file is hand-written and kept) and docs/benchmarks-n.svg.
 * Figures are medians over every sample (repetitions x runs where a part measures several runs), with min–max.
 * {@code quick}: one repetition and small N, a smoke check whose figures are not for quoting.
 */
public final class BenchAll {

    private static final Path DOC = Path.of("docs/benchmarks.md");
    private static final Path CHART = Path.of("docs/benchmarks-n.svg");
    private static final Path OUT = Path.of("target/bench");
    /** The last run's machine section, for {@code report}. */
    private static final Path MACHINE = OUT.resolve("machine.md");
    private static final Duration PART_TIMEOUT = Duration.ofMinutes(15);
    private static final Pattern SECTION = Pattern.compile("(<!-- generated:([a-z-]+) -->\\n)(.*?)(<!-- /generated:\\2 -->)", Pattern.DOTALL);

    /** One benchmark JVM: its label, entry point and arguments. */
    private record Part(String name, String main, List<String> args) {
        String command() {
            return "./bench " + main + (args.isEmpty() ? "" : " " + String.join(" ", args));
        }
    }

    private final boolean quick;
    private final Map<String, List<Double>> samples = new TreeMap<>();
    private final Map<String, String> commands = new LinkedHashMap<>();
    private final List<String> partLog = new ArrayList<>();

    private BenchAll(boolean quick) {
        this.quick = quick;
    }

    public static void main(String[] args) throws Exception {
        BenchSupport.exitOnFailure();
        List<String> modes = List.of(args);
        BenchAll all = new BenchAll(modes.contains("quick"));
        if (modes.contains("report")) {
            all.report();
        } else {
            all.runAll();
        }
        System.exit(0);
    }

    private List<Part> parts() {
        String repeat = quick ? "1" : "3";
        // Full sizes: about 40 min on 2 cores, most of it the 1,000 runs in flight and the 10,000 parked ones.
        String ratioRuns = quick ? "1,5" : "1,10,50";
        List<Part> parts = new ArrayList<>();
        parts.add(new Part("ratio-dev", "WorkflowBench",
                List.of("server=dev", "parts=ratio", "latency-ms=50", "runs=" + ratioRuns, "peer=true", "repeat=" + repeat)));
        parts.add(new Part("realistic-dev", "RealisticDurationsBench", List.of("server=dev", "runs=3")));
        parts.add(new Part("scale-steady", "ScaleBench", List.of("part=steady", "runs=50", "rounds=" + repeat,
                "jfr=" + OUT.resolve("scale-steady.jfr"))));
        parts.add(new Part("scale-cost", "ScaleBench", List.of("part=cost")));
        parts.add(new Part("scale-inflight", "ScaleBench", quick
                ? List.of("part=inflight", "runs=100", "subscriptions=10", "start-rate=5", "operation-s=60")
                : List.of("part=inflight", "runs=1000", "subscriptions=50", "start-rate=3", "operation-s=400")));
        parts.add(new Part("scale-parked", "ScaleBench", List.of("part=parked", "runs=" + (quick ? "300" : "10000"),
                "resume=" + (quick ? "5" : "20"))));
        parts.add(new Part("intake-dev", "IntakeThroughputBench", List.of("server=dev", "messages=" + (quick ? "300" : "1000"),
                "concurrency=" + (quick ? "32" : "16,32,64"), "worker=off", "repeat=1")));
        parts.add(new Part("arm", "ArmBench", List.of("20", "1")));
        return parts;
    }

    private void runAll() throws Exception {
        Files.createDirectories(OUT);
        Instant began = Instant.now();
        String loadBefore = loadAverage();
        for (Part part : parts()) {
            commands.put(part.name(), part.command());
            String load = loadAverage();
            Instant start = Instant.now();
            int exit = run(part);
            long seconds = Duration.between(start, Instant.now()).toSeconds();
            String line = String.format(Locale.ROOT, "%s: %d s, load average before %s, after %s%s", part.name(), seconds, load,
                    loadAverage(), exit == 0 ? "" : ", FAILED (exit " + exit + ", see target/bench/" + part.name() + ".log)");
            partLog.add(line);
            System.err.println("bench all: " + line);
        }
        Duration total = Duration.between(began, Instant.now());
        String machine = machine(began, total, loadBefore, loadAverage());
        Files.writeString(MACHINE, machine);
        write(machine);
        System.err.println("bench all: wrote " + DOC + " and " + CHART + " in " + total.toMinutes() + " min " + total.toSecondsPart() + " s");
    }

    /**
     * {@code ./bench all [quick] report}: rewrites the doc and chart from the last run's logs and recordings in
     * target/bench without running anything (after editing the doc's prose or the tables' layout).
     */
    private void report() throws Exception {
        for (Part part : parts()) {
            commands.put(part.name(), part.command());
            Path log = OUT.resolve(part.name() + ".log");
            if (Files.exists(log)) {
                collect(log);
            }
        }
        write(Files.exists(MACHINE) ? Files.readString(MACHINE) : "(no run recorded in " + MACHINE + ")\n");
        System.err.println("bench all: wrote " + DOC + " and " + CHART + " from " + OUT);
    }

    private void write(String machine) throws Exception {
        Map<String, String> sections = new LinkedHashMap<>();
        sections.put("machine", machine);
        sections.put("ratio", ratioTable());
        sections.put("steps", stepsTable());
        sections.put("realistic", realisticTable());
        sections.put("steady", steadyTable());
        sections.put("jfr", jfrTable());
        sections.put("inflight", inflightTable());
        sections.put("parked", parkedTable());
        sections.put("cost", costTable());
        sections.put("intake", intakeTable());
        sections.put("arm", armOutput());
        rewriteDoc(sections);
        Files.writeString(CHART, chart());
    }

    /** Runs one part in a JVM of its own (the same java and classpath), its output in target/bench/NAME.log. */
    private int run(Part part) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djdk.httpclient.allowRestrictedHeaders=content-length", "-cp", System.getProperty("java.class.path"),
                "io.cmkflow.bench." + part.main()));
        command.addAll(part.args());
        System.err.println("bench all: " + part.command());
        Path log = OUT.resolve(part.name() + ".log");
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        boolean ended = process.waitFor(PART_TIMEOUT.toMinutes(), TimeUnit.MINUTES);
        collect(log);
        if (!ended) {
            // A part that hangs must not hold up the others: it and its children (a dev server) go.
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            return -1;
        }
        return process.exitValue();
    }

    /** The RESULT samples of one part's log. */
    private void collect(Path log) throws IOException {
        for (String line : Files.readAllLines(log)) {
            if (line.startsWith(BenchSupport.RESULT)) {
                String[] fields = line.split("\t");
                samples.computeIfAbsent(fields[1], k -> new ArrayList<>()).add(Double.parseDouble(fields[2]));
            }
        }
    }

    // ---- tables ----------------------------------------------------------------------------------------------------

    private String machine(Instant began, Duration total, String loadBefore, String loadAfter) throws Exception {
        StringBuilder s = new StringBuilder();
        s.append(quick ? "**Quick run (`./bench all quick`: one repetition, small N) on a busy machine: a smoke check, not figures to quote.**\n\n"
                : "Full run (`./bench all`): the latency and steady-state parts repeated 3 times, the others once; figures are medians (min–max) of a part's samples.\n\n");
        s.append("| | |\n|---|---|\n");
        s.append("| date | ").append(DateTimeFormatter.ISO_LOCAL_DATE_TIME.format(began.atOffset(ZoneOffset.UTC).withNano(0))).append(" UTC |\n");
        s.append("| machine | ").append(Runtime.getRuntime().availableProcessors()).append(" cores, ").append(cpuModel()).append(" |\n");
        s.append("| JVM | ").append(System.getProperty("java.vm.name")).append(' ').append(System.getProperty("java.runtime.version")).append(" |\n");
        s.append("| commit | ").append(git("rev-parse", "--short", "HEAD")).append(git("status", "--porcelain").isBlank() ? "" : " (with uncommitted changes)").append(" |\n");
        s.append("| load average (1, 5, 15 min) | before ").append(loadBefore).append(", after ").append(loadAfter).append(" |\n");
        s.append("| total time | ").append(total.toMinutes()).append(" min ").append(total.toSecondsPart()).append(" s |\n\n");
        s.append("Per part (its log in `target/bench/NAME.log`):\n\n");
        partLog.forEach(line -> s.append("- ").append(line).append('\n'));
        return s.toString();
    }

    private String ratioTable() {
        StringBuilder s = new StringBuilder();
        for (String server : List.of("dev")) {
            s.append("`").append(commands.get("ratio-" + server)).append("`\n\n");
            s.append("| N | cmkflow end-to-end | peer end-to-end | cmkflow ÷ peer | end-to-end ÷ critical path | critical-path calls | ARM calls cmkflow / peer |\n");
            s.append("|---|---|---|---|---|---|---|\n");
            for (int n : ns("ratio/" + server + "/", "/cmkflow_e2e_ms")) {
                String k = "ratio/" + server + "/" + n + "/";
                s.append("| ").append(n).append(" | ").append(stat(k + "cmkflow_e2e_ms", "%.0f ms")).append(" | ")
                        .append(stat(k + "peer_e2e_ms", "%.0f ms")).append(" | **").append(stat(k + "cmkflow_over_peer", "%.2f"))
                        .append("** | **").append(stat(k + "critical_ratio", "%.2f")).append("** | ").append(stat(k + "critical_calls", "%.0f"))
                        .append(" | ").append(stat(k + "cmkflow_calls", "%.0f")).append(" / ").append(stat(k + "peer_calls", "%.0f")).append(" |\n");
            }
            s.append('\n');
        }
        s.append("No goal (50 ms per ARM call, providers registered in the run). Chart: ")
                .append("[end-to-end median against N](benchmarks-n.svg).\n\n![end-to-end against N](benchmarks-n.svg)\n");
        return s.toString();
    }

    private String stepsTable() {
        StringBuilder s = new StringBuilder("From `" + commands.get("ratio-dev") + "`, N=1, the median run of each round:\n\n");
        s.append("| step | time | ARM calls | on its critical path (x 50 ms) |\n|---|---|---|---|\n");
        for (CmkStep step : CmkStep.of(Operation.CREATE)) {
            String k = "steps/dev/" + step.number() + "/";
            s.append("| ").append(step.label()).append(" | ").append(stat(k + "ms", "%.0f ms")).append(" | ")
                    .append(stat(k + "calls", "%.0f")).append(" | ").append(stat(k + "critical_calls", "%.0f")).append(" |\n");
        }
        s.append("| outside the steps (start, status events, workflow tasks) | ").append(stat("steps/dev/outside/ms", "%.0f ms")).append(" | 0 | 0 |\n");
        return s.toString();
    }

    private String realisticTable() {
        return "`" + commands.get("realistic-dev") + "` (3 runs at once, one sample each)\n\n"
                + "| end-to-end | longest chain of Azure waits | end-to-end ÷ chain (goal ≤ 1.02) |\n|---|---|---|\n"
                + "| " + stat("realistic/dev/e2e_s", "%.1f s") + " | " + stat("realistic/dev/chain_s", "%.1f s") + " | **"
                + stat("realistic/dev/ratio", "%.3f") + "** |\n";
    }

    private String steadyTable() {
        String k = "scale/steady/";
        return "`" + commands.get("scale-steady") + "` (the worker's process alone; per run, the median (min–max) of the rounds)\n\n"
                + "| worker CPU per run | of it: JIT compiler | GC | the rest (goal ≤ 100 ms) | threads started per run (goal 0) "
                + "| worker live threads | dev server CPU per run |\n|---|---|---|---|---|---|---|\n"
                + "| " + stat(k + "cpu_ms_per_run", "%.0f ms") + " | " + stat(k + "compiler_ms_per_run", "%.0f ms") + " | "
                + stat(k + "gc_ms_per_run", "%.0f ms") + " | **" + stat(k + "rest_ms_per_run", "%.0f ms") + "** | **"
                + stat(k + "threads_started_per_run", "%.2f") + "** | " + stat(k + "live_threads", "%.0f") + " | "
                + stat(k + "server_cpu_ms_per_run", "%.0f ms") + " |\n";
    }

    private String inflightTable() {
        String k = "scale/inflight/";
        return "`" + commands.get("scale-inflight") + "`\n\n"
                + "| runs (succeeded) | peak in flight | worker peak threads | worker peak heap in use (-Xmx512m) "
                + "| end-to-end ÷ workspace operation: median / p95 / max (goal ≤ 1.05) | ARM 429 answers | wall time |\n"
                + "|---|---|---|---|---|---|---|\n"
                + "| " + stat(k + "runs", "%.0f") + " (" + stat(k + "succeeded", "%.0f") + ") | " + stat(k + "peak_in_flight", "%.0f")
                + " | **" + stat(k + "peak_threads", "%.0f") + "** | **" + stat(k + "peak_heap_mib", "%.0f MiB") + "** | **"
                + stat(k + "ratio_median", "%.3f") + "** / " + stat(k + "ratio_p95", "%.3f") + " / " + stat(k + "ratio_max", "%.3f")
                + " | " + stat(k + "throttled", "%.0f") + " | " + stat(k + "seconds", "%.0f s") + " |\n";
    }

    private String parkedTable() {
        String k = "scale/parked/";
        return "`" + commands.get("scale-parked") + "` (the worker's heap after a full GC, before and after; default workflow cache, 200 runs)\n\n"
                + "| parked runs | worker heap growth (goal ≤ 64 MiB) | per run | time to start and park them | worker live threads before / after "
                + "| retried after the fault, succeeded |\n|---|---|---|---|---|---|\n"
                + "| " + stat(k + "runs", "%.0f") + " | **" + stat(k + "growth_mib", "%.1f MiB") + "** | " + stat(k + "kib_per_run", "%.2f KiB")
                + " | " + stat(k + "park_s", "%.0f s") + " | " + stat(k + "threads_before", "%.0f") + " / " + stat(k + "threads_after", "%.0f")
                + " | **" + stat(k + "resumed_succeeded", "%.0f") + " of " + stat(k + "resumed", "%.0f") + "** |\n";
    }

    private String costTable() {
        List<String> scenarios = List.of("succeeded", "parked, retried", "parked, aborted", "posture check");
        List<String> kinds = List.of("workflow start", "activity attempts", "timers", "search attribute upserts", "signals", "updates",
                "child workflows", "heartbeats that reached the server", "schedule firing");
        StringBuilder s = new StringBuilder("`" + commands.get("scale-cost") + "`: Temporal actions by Temporal Cloud's rules, "
                + "at $50 per million (the list price of the first 5 million a month)\n\n| | ");
        s.append(String.join(" | ", scenarios)).append(" |\n|---|").append("---|".repeat(scenarios.size())).append('\n');
        for (String kind : kinds) {
            s.append("| ").append(kind).append(" |");
            scenarios.forEach(sc -> s.append(' ').append(samples.containsKey("scale/cost/" + sc + "/" + kind)
                    ? stat("scale/cost/" + sc + "/" + kind, "%.0f") : "–").append(" |"));
            s.append('\n');
        }
        s.append("| **actions** |");
        scenarios.forEach(sc -> s.append(" **").append(stat("scale/cost/" + sc + "/actions", "%.0f")).append("** |"));
        s.append("\n| **price** |");
        scenarios.forEach(sc -> s.append(" **").append(samples.containsKey("scale/cost/" + sc + "/actions")
                ? String.format(Locale.ROOT, "$%.5f", median("scale/cost/" + sc + "/actions") * 50 / 1_000_000) : "–").append("** |"));
        s.append("\n| ARM reads / writes |");
        scenarios.forEach(sc -> s.append(' ').append(stat("scale/cost/" + sc + "/arm_reads", "%.0f")).append(" / ")
                .append(stat("scale/cost/" + sc + "/arm_writes", "%.0f")).append(" |"));
        return s.append('\n').toString();
    }

    /** Where the benchmark JVM's CPU went in the throughput part: JFR execution samples, inclusive by package group. */
    private String jfrTable() throws IOException {
        StringBuilder s = new StringBuilder("JFR execution samples of the worker's process (profile settings: every 10 ms per "
                + "running Java thread; one more round of 50 runs after the measured ones), by package group: **inclusive** = share of "
                + "samples with a frame of the group anywhere on the stack (so a column adds up to more than 100 %), **attributed** = "
                + "share whose innermost frame of a named group is in it (JDK code counts for its caller; adds up to 100 %). Samples see Java code only: JIT compilation and GC (in the steady-state "
                + "table), native code and the kernel (loopback TCP, TLS records) are not in them.\n\n");
        Map<String, Map<String, int[]>> byServer = new LinkedHashMap<>();
        Map<String, Integer> totals = new LinkedHashMap<>();
        Map<String, Integer> threads = new LinkedHashMap<>();
        for (String server : List.of("worker")) {
            Path file = OUT.resolve("scale-steady.jfr");
            if (!Files.exists(file)) {
                continue;
            }
            Map<String, int[]> groups = new LinkedHashMap<>();
            GROUPS.keySet().forEach(g -> groups.put(g, new int[2]));
            groups.put("other", new int[2]);
            int total = 0;
            int threadStarts = 0;
            for (RecordedEvent event : RecordingFile.readAllEvents(file)) {
                if ("jdk.ThreadStart".equals(event.getEventType().getName())) {
                    threadStarts++;
                }
                if (!"jdk.ExecutionSample".equals(event.getEventType().getName()) || event.getStackTrace() == null) {
                    continue;
                }
                total++;
                List<RecordedFrame> frames = event.getStackTrace().getFrames();
                Set<String> seen = new HashSet<>();
                for (RecordedFrame frame : frames) {
                    seen.add(group(frame.getMethod().getType().getName()));
                }
                seen.forEach(g -> groups.get(g)[0]++);
                // Attributed to the innermost frame of a named group: JDK collections, locks and the like count for
                // the code that called them.
                groups.get(frames.stream().map(f -> group(f.getMethod().getType().getName())).filter(g -> !"other".equals(g))
                        .findFirst().orElse("other"))[1]++;
            }
            byServer.put(server, groups);
            totals.put(server, total);
            threads.put(server, threadStarts);
        }
        s.append("| package group |");
        byServer.keySet().forEach(server -> s.append(' ').append(server).append(": inclusive / attributed |"));
        s.append("\n|---|");
        byServer.keySet().forEach(server -> s.append("---|"));
        s.append('\n');
        List<String> names = new ArrayList<>(GROUPS.keySet());
        names.add("other");
        for (String g : names) {
            s.append("| ").append(g).append(" |");
            // "other" is on every stack (Thread.run): only its attributed share means something.
            byServer.forEach((server, groups) -> s.append("other".equals(g) ? "" : String.format(Locale.ROOT, " %.0f %%",
                    100.0 * groups.get(g)[0] / Math.max(1, totals.get(server)))).append(String.format(Locale.ROOT, "%s%.0f %% |",
                    "other".equals(g) ? " – / " : " / ", 100.0 * groups.get(g)[1] / Math.max(1, totals.get(server)))));
            s.append('\n');
        }
        s.append("| samples |");
        totals.values().forEach(t -> s.append(' ').append(t).append(" |"));
        s.append("\n| threads started during the recording |");
        threads.values().forEach(t -> s.append(' ').append(t).append(" |"));
        s.append("\n\nRecording: `target/bench/scale-steady.jfr` (open in JDK Mission Control, or "
                + "`jfr print --events jdk.ExecutionSample --stack-depth 64 FILE`).\n");
        return s.toString();
    }

    /** Package groups, first match wins (more specific first). */
    private static final Map<String, String> GROUPS = groups();

    private static Map<String, String> groups() {
        Map<String, String> g = new LinkedHashMap<>();
        g.put("cmkflow (io.cmkflow)", "io.cmkflow");
        g.put("Temporal SDK internals (io.temporal.internal)", "io.temporal.internal");
        g.put("Temporal SDK (other io.temporal)", "io.temporal");
        g.put("gRPC (io.grpc)", "io.grpc");
        g.put("Netty (io.netty)", "io.netty");
        g.put("Reactor (reactor)", "reactor");
        g.put("Azure SDK (com.azure)", "com.azure");
        g.put("Jackson (com.fasterxml.jackson)", "com.fasterxml.jackson");
        g.put("Micronaut (io.micronaut)", "io.micronaut");
        g.put("TLS (sun.security, javax.net.ssl)", "sun.security|javax.net.ssl");
        g.put("JDK HTTP client (jdk.internal.net.http)", "jdk.internal.net.http");
        g.put("Logging (ch.qos.logback, org.slf4j)", "ch.qos.logback|org.slf4j");
        return g;
    }

    private static String group(String className) {
        for (Map.Entry<String, String> g : GROUPS.entrySet()) {
            for (String prefix : g.getValue().split("\\|")) {
                if (className.startsWith(prefix + ".")) {
                    return g.getKey();
                }
            }
        }
        return "other";
    }

    private String intakeTable() {
        StringBuilder s = new StringBuilder();
        s.append("| server | worker | maxConcurrentCalls | msg/s to acknowledged start | runs ended/s | verified | dead-lettered |\n");
        s.append("|---|---|---|---|---|---|---|\n");
        for (String server : List.of("dev")) {
            for (String worker : List.of("off")) {
                for (int c : ns("intake/" + server + "/" + worker + "/", "/msg_per_s")) {
                    String k = "intake/" + server + "/" + worker + "/" + c + "/";
                    s.append("| ").append(server).append(" | ").append(worker).append(" | ").append(c).append(" | **")
                            .append(stat(k + "msg_per_s", "%.0f")).append("** | ")
                            .append("on".equals(worker) ? stat(k + "runs_per_s", "%.1f") : "").append(" | ")
                            .append(stat(k + "verified", "%.0f")).append(" | ").append(stat(k + "dead_lettered", "%.0f")).append(" |\n");
                }
            }
        }
        s.append("\nCommand: `").append(commands.get("intake-dev")).append("`\n");
        return s.toString();
    }

    /** ArmBench prints its own tables: its output as it is. */
    private String armOutput() throws IOException {
        Path log = OUT.resolve("arm.log");
        List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
        return "`" + commands.get("arm") + "`\n\n" + String.join("\n", lines.stream()
                .filter(l -> !l.startsWith("SLF4J") && !l.startsWith(BenchSupport.RESULT) && !l.startsWith("\tat "))
                // Its headings would become this document's: bold lines instead.
                .map(l -> l.startsWith("## ") ? "**" + l.substring(3) + "**\n" : l).toList()).trim() + "\n";
    }

    // ---- the chart -------------------------------------------------------------------------------------------------

    /** End-to-end median against N, cmkflow and the peer on the dev server, as SVG. */
    private String chart() {
        Map<String, String> series = new LinkedHashMap<>();
        series.put("cmkflow, dev server", "ratio/dev/%d/cmkflow_e2e_ms");
        series.put("peer (plain sequential SDK calls)", "ratio/dev/%d/peer_e2e_ms");
        String[] colours = {"#1f77b4", "#d62728", "#7f7f7f"};
        List<Integer> ns = ns("ratio/dev/", "/cmkflow_e2e_ms");
        double maxY = 1;
        for (String pattern : series.values()) {
            for (int n : ns) {
                List<Double> v = samples.get(String.format(Locale.ROOT, pattern, n));
                if (v != null) {
                    maxY = Math.max(maxY, BenchSupport.median(v.stream().mapToDouble(Double::doubleValue).toArray()));
                }
            }
        }
        double top = Math.ceil(maxY / 1000.0) * 1000;
        int w = 640;
        int h = 400;
        int left = 70;
        int right = 230;
        int topMargin = 40;
        int bottom = 50;
        int plotW = w - left - right;
        int plotH = h - topMargin - bottom;
        double maxN = ns.isEmpty() ? 1 : ns.get(ns.size() - 1);
        StringBuilder svg = new StringBuilder();
        svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", w, h));
        svg.append(String.format(Locale.ROOT, "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", w, h));
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">End-to-end time (median) against N runs at once, 50 ms per ARM call%s</text>%n",
                left, quick ? " (quick run)" : ""));
        for (int i = 0; i <= 4; i++) {
            double y = topMargin + plotH - plotH * i / 4.0;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#ddd\"/>%n", left, y, left + plotW, y));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%.1f s</text>%n", left - 6, y + 4, top * i / 4 / 1000));
        }
        for (int n : ns) {
            double x = left + plotW * n / maxN;
            svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d</text>%n", x, topMargin + plotH + 18, n));
        }
        svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">N (runs started at once)</text>%n", left + plotW / 2, h - 10));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, topMargin + plotH, left + plotW, topMargin + plotH));
        svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"black\"/>%n", left, topMargin, left, topMargin + plotH));
        int i = 0;
        for (Map.Entry<String, String> s : series.entrySet()) {
            StringBuilder points = new StringBuilder();
            for (int n : ns) {
                List<Double> v = samples.get(String.format(Locale.ROOT, s.getValue(), n));
                if (v == null) {
                    continue;
                }
                double x = left + plotW * n / maxN;
                double y = topMargin + plotH - plotH * BenchSupport.median(v.stream().mapToDouble(Double::doubleValue).toArray()) / top;
                points.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
                svg.append(String.format(Locale.ROOT, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"3\" fill=\"%s\"/>%n", x, y, colours[i]));
            }
            svg.append(String.format(Locale.ROOT, "<polyline points=\"%s\" fill=\"none\" stroke=\"%s\" stroke-width=\"2\"/>%n", points.toString().trim(), colours[i]));
            int ly = topMargin + 10 + i * 20;
            svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"%s\" stroke-width=\"2\"/>%n", left + plotW + 15, ly, left + plotW + 35, ly, colours[i]));
            svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", left + plotW + 40, ly + 4, s.getKey()));
            i++;
        }
        svg.append("</svg>\n");
        return svg.toString();
    }

    // ---- helpers ---------------------------------------------------------------------------------------------------

    /** "median (min–max)" of a key's samples, or "–" when there are none. */
    private String stat(String key, String format) {
        List<Double> v = samples.get(key);
        if (v == null || v.isEmpty()) {
            return "–";
        }
        double[] values = v.stream().mapToDouble(Double::doubleValue).toArray();
        String median = String.format(Locale.ROOT, format, BenchSupport.median(values));
        if (values.length == 1) {
            return median;
        }
        double min = v.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double max = v.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        return median + " (" + String.format(Locale.ROOT, format, min).replaceAll(" [a-zA-Z%]+$", "") + "–"
                + String.format(Locale.ROOT, format, max).replaceAll(" [a-zA-Z%]+$", "") + ")";
    }

    private double median(String key) {
        return BenchSupport.median(samples.get(key).stream().mapToDouble(Double::doubleValue).toArray());
    }

    /** The N values sampled under {@code prefix<N>suffix}, ascending. */
    private List<Integer> ns(String prefix, String suffix) {
        return samples.keySet().stream().filter(k -> k.startsWith(prefix) && k.endsWith(suffix))
                .map(k -> k.substring(prefix.length(), k.length() - suffix.length()))
                .filter(n -> n.matches("\\d+")).map(Integer::parseInt).sorted().toList();
    }

    private void rewriteDoc(Map<String, String> sections) throws IOException {
        String doc = Files.readString(DOC);
        Matcher m = SECTION.matcher(doc);
        StringBuilder out = new StringBuilder();
        Set<String> written = new HashSet<>();
        while (m.find()) {
            String body = sections.get(m.group(2));
            if (body == null) {
                throw new IllegalStateException(DOC + " has a generated section '" + m.group(2) + "' that BenchAll does not write");
            }
            written.add(m.group(2));
            m.appendReplacement(out, Matcher.quoteReplacement(m.group(1) + body + m.group(4)));
        }
        m.appendTail(out);
        if (!written.containsAll(sections.keySet())) {
            Set<String> missing = new HashSet<>(sections.keySet());
            missing.removeAll(written);
            throw new IllegalStateException(DOC + " lacks the generated sections " + missing);
        }
        Files.writeString(DOC, out.toString());
    }

    private static String loadAverage() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).split(" ");
            return f[0] + " " + f[1] + " " + f[2];
        } catch (IOException e) {
            return "unknown";
        }
    }

    private static String cpuModel() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static String git(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        p.waitFor();
        return out;
    }
}
