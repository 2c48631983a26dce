package io.cmkflow;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@link CommonPool} on a two-core JVM ({@code -XX:ActiveProcessorCount=2}, a JVM of its own so that the common pool
 * is made there): without it, 50 default async stages run on 50 threads started for them; with it, on the common
 * pool's two.
 */
class CommonPoolTest {

    @Test
    void withoutItEveryAsyncStageStartsAThreadOnTwoCores() throws Exception {
        List<String> threads = asyncStageThreads(false);
        assertThat(threads).as("one new thread per stage").hasSize(50)
                .noneMatch(thread -> thread.startsWith("ForkJoinPool.commonPool"));
    }

    @Test
    void withItAsyncStagesRunOnTheCommonPoolsTwoThreads() throws Exception {
        List<String> threads = asyncStageThreads(true);
        assertThat(threads).as("the common pool's threads only").hasSizeBetween(1, 2)
                .allMatch(thread -> thread.startsWith("ForkJoinPool.commonPool"));
    }

    /** The distinct threads 50 {@code CompletableFuture.runAsync} stages ran on, in a two-core child JVM. */
    private static List<String> asyncStageThreads(boolean commonPool) throws IOException, InterruptedException {
        Process child = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:ActiveProcessorCount=2", "-cp", System.getProperty("java.class.path"), Stages.class.getName(),
                Boolean.toString(commonPool)).redirectErrorStream(true).start();
        String output = new String(child.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(child.waitFor(1, TimeUnit.MINUTES)).as("the child JVM ended").isTrue();
        assertThat(child.exitValue()).as(output).isZero();
        return output.lines().filter(line -> !line.isBlank()).toList();
    }

    /** The child JVM: optionally {@link CommonPool#atLeastTwoThreads()} first, then 50 async stages; prints their threads. */
    public static final class Stages {
        public static void main(String[] args) {
            if (Boolean.parseBoolean(args[0])) {
                CommonPool.atLeastTwoThreads();
            }
            Set<String> threads = ConcurrentHashMap.newKeySet();
            CompletableFuture.allOf(IntStream.range(0, 50)
                    .mapToObj(i -> CompletableFuture.runAsync(() -> threads.add(Thread.currentThread().getName())))
                    .toArray(CompletableFuture[]::new)).join();
            threads.forEach(System.out::println);
        }
    }
}
