package io.cmkflow.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Readings of a cmkflow worker running as a process of its own (the production jar): CPU from {@code /proc} (the
 * whole process, and its JIT compiler and GC threads apart), threads from {@code /proc} and the JVM's performance
 * counters ({@code jcmd PerfCounter.print}: threads started since the JVM began), heap from {@code jcmd GC.heap_info},
 * the Temporal SDK's request counts from its {@code /prometheus} endpoint, and a JFR recording through {@code jcmd}.
 * Each {@code jcmd} is a short JVM of its own (about 0.3 s of CPU): read between rounds, not in a tight loop.
 */
final class WorkerProcess {

    private static final Path JCMD = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final long pid;
    private final int managementPort;

    WorkerProcess(long pid, int managementPort) {
        this.pid = pid;
        this.managementPort = managementPort;
    }

    /** CPU of the process and of its compiler and GC threads at one moment; subtract two to get an interval's. */
    record Cpu(long totalNanos, long compilerNanos, long gcNanos) {
        Cpu minus(Cpu before) {
            return new Cpu(totalNanos - before.totalNanos, compilerNanos - before.compilerNanos, gcNanos - before.gcNanos);
        }
    }

    /**
     * The process's CPU and its live compiler and GC threads' (by the names HotSpot gives them: "C1 CompilerThre",
     * "C2 CompilerThre", "GC Thread#n", "G1 ..."). A compiler thread that ends between two readings takes its time out
     * of the compiler's share, so that share is a lower bound.
     */
    Cpu cpu() {
        long compiler = 0;
        long gc = 0;
        try (Stream<Path> tasks = Files.list(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks.toList()) {
                String name;
                try {
                    name = Files.readString(task.resolve("comm")).trim();
                } catch (IOException gone) {
                    continue;
                }
                if (name.startsWith("C1 CompilerThre") || name.startsWith("C2 CompilerThre")) {
                    compiler += BenchSupport.statCpuNanos(task.resolve("stat"));
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    gc += BenchSupport.statCpuNanos(task.resolve("stat"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Cpu(BenchSupport.cpuNanos(pid), compiler, gc);
    }

    /** Live threads now ({@code Threads:} of {@code /proc/<pid>/status}). */
    int liveThreads() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith("Threads:")) {
                    return Integer.parseInt(line.substring("Threads:".length()).trim());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new IllegalStateException("no Threads: line for " + pid);
    }

    /** Java threads started since the JVM began ({@code java.threads.started}). */
    long threadsStarted() {
        return Long.parseLong(perfCounters().get("java.threads.started"));
    }

    /** The JVM's performance counters, name to value. */
    Map<String, String> perfCounters() {
        Map<String, String> counters = new HashMap<>();
        for (String line : jcmd("PerfCounter.print").split("\n")) {
            int eq = line.indexOf('=');
            if (eq > 0) {
                counters.put(line.substring(0, eq).trim(), line.substring(eq + 1).trim().replace("\"", ""));
            }
        }
        return counters;
    }

    /** Heap in use now, garbage included, in bytes. */
    long heapUsed() {
        Matcher used = HEAP_USED.matcher(jcmd("GC.heap_info"));
        if (!used.find()) {
            throw new IllegalStateException("GC.heap_info of " + pid + " names no heap use");
        }
        return Long.parseLong(used.group(1)) * 1024;
    }

    /** Heap in use after a full collection ({@code GC.run}, twice), in bytes. */
    long heapUsedAfterGc() {
        jcmd("GC.run");
        jcmd("GC.run");
        return heapUsed();
    }

    /** Starts a JFR recording with the JDK's profile settings. */
    void startRecording() {
        jcmd("JFR.start", "name=bench", "settings=profile");
    }

    /** Stops the recording started by {@link #startRecording()} and writes it to {@code file}. */
    void stopRecording(Path file) {
        jcmd("JFR.stop", "name=bench", "filename=" + file.toAbsolutePath());
    }

    /**
     * The sum of the Temporal SDK's {@code temporal_request_total} samples for {@code operation} on the worker's
     * {@code /prometheus} (the SDK reports to it every few seconds): the calls that reached the server.
     */
    double temporalRequests(String operation) {
        String metrics;
        try {
            metrics = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/prometheus"))
                    .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        double sum = 0;
        for (String line : metrics.split("\n")) {
            if (line.startsWith("temporal_request_total{") && line.contains("operation=\"" + operation + "\"")) {
                sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return sum;
    }

    private String jcmd(String... command) {
        List<String> line = new ArrayList<>(List.of(JCMD.toString(), Long.toString(pid)));
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(2, TimeUnit.MINUTES) || process.exitValue() != 0) {
                throw new IllegalStateException(String.join(" ", line) + " failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
