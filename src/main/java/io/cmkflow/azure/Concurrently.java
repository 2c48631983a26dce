package io.cmkflow.azure;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Independent ARM calls of one step made at the same time (the provider registrations, the storage account beside
 * Application Insights, the managed group's two reads), so a step waits for its longest call instead of their sum.
 * A failed call is rethrown as itself, so {@link AzureStepException#classifying} sees Azure's error.
 */
final class Concurrently {

    /** Daemon threads that end after a minute idle: the calls are I/O waits on the shared HTTP client. */
    private static final ExecutorService CALLS = Executors.newCachedThreadPool(new ThreadFactory() {
        private final AtomicInteger next = new AtomicInteger();

        @Override
        public Thread newThread(Runnable task) {
            Thread thread = new Thread(task, "cmkflow-arm-call-" + next.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        }
    });

    private Concurrently() {
    }

    /** Both results of two calls made at the same time. */
    record Both<A, B>(A first, B second) {
    }

    /** {@code first} and {@code second} at the same time; waits for both before returning or throwing. */
    static <A, B> Both<A, B> both(Supplier<A> first, Supplier<B> second) {
        CompletableFuture<A> other = CompletableFuture.supplyAsync(ActivityHeartbeat.carrying(first), CALLS);
        B mine;
        try {
            mine = second.get();
        } catch (RuntimeException | Error failed) {
            other.exceptionally(ignored -> null).join();
            throw failed;
        }
        return new Both<>(join(other), mine);
    }

    /** {@code call} for every item at once; the results in the items' order. */
    static <I, T> List<T> each(List<I> items, Function<I, T> call) {
        List<CompletableFuture<T>> calls = items.stream()
                .map(item -> CompletableFuture.supplyAsync(ActivityHeartbeat.carrying(() -> call.apply(item)), CALLS)).toList();
        // Wait for all before throwing, so no call of this attempt is still in flight when Temporal retries it.
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).exceptionally(failure -> null).join();
        return calls.stream().map(Concurrently::join).toList();
    }

    /** The call's result, or its own exception. */
    private static <T> T join(CompletableFuture<T> call) {
        try {
            return call.join();
        } catch (CompletionException failed) {
            Throwable cause = failed.getCause();
            if (cause instanceof RuntimeException runtime) {
                throw runtime;
            }
            if (cause instanceof Error error) {
                throw error;
            }
            throw failed;
        }
    }
}
