package io.cmkflow;

/**
 * CompletableFuture runs its default async stages on the common ForkJoinPool only when that pool has at least two
 * threads; the JVM gives it one fewer than the processors, so on one or two cores (a common container size) every
 * such stage starts a thread of its own. The JDK HTTP client's {@code sendAsync}, which the Azure SDK uses for each
 * ARM request, and the Temporal SDK's client calls are such stages: about 22 threads started per run before this
 * (docs/benchmarks.md, "Threads, CPU and memory of one worker"). Set before anything touches the pool; an explicit
 * {@code -Djava.util.concurrent.ForkJoinPool.common.parallelism} wins.
 */
public final class CommonPool {

    static final String PARALLELISM = "java.util.concurrent.ForkJoinPool.common.parallelism";

    private CommonPool() {
    }

    /** The common pool's parallelism at least 2, unless the JVM's command line sets it. Call first in {@code main}. */
    public static void atLeastTwoThreads() {
        if (System.getProperty(PARALLELISM) == null) {
            System.setProperty(PARALLELISM, String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
        }
    }
}
