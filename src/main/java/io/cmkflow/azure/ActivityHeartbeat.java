package io.cmkflow.azure;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;
import reactor.core.scheduler.Schedulers;

import java.util.function.Supplier;

/**
 * The heartbeat the steps call while they wait: Temporal's when running inside an activity, nothing otherwise.
 * <p>
 * Temporal knows the activity only on the thread it runs on, but a step's ARM calls also run elsewhere: on
 * {@link Concurrently}'s threads and on the Reactor threads the Azure SDK hands its pipeline to (where the ARM
 * budget waits). So an activity's body runs {@link #carried} by its thread, work handed to another thread is
 * {@link #carrying} it, and every Reactor task scheduled from such a thread carries it too (a Reactor schedule hook):
 * a wait anywhere in a step heartbeats and learns of a cancel.
 */
public final class ActivityHeartbeat {

    private static final ThreadLocal<ActivityExecutionContext> CARRIED = new ThreadLocal<>();

    static {
        Schedulers.onScheduleHook("cmkflow-activity", ActivityHeartbeat::carrying);
    }

    private ActivityHeartbeat() {
    }

    /** The heartbeat of the activity this thread works for; one that does nothing outside activities. */
    public static Runnable current() {
        ActivityExecutionContext carried = CARRIED.get();
        ActivityExecutionContext context = carried != null ? carried : runningHere();
        if (context == null) {
            return () -> { };
        }
        // Throws ActivityCompletionException when the activity was cancelled, which ends the wait.
        return () -> context.heartbeat(null);
    }

    /** Runs an activity's body with the activity carried by its thread (on the activity's thread; else just runs it). */
    static <T> T carried(Supplier<T> body) {
        ActivityExecutionContext context = runningHere();
        return context == null ? body.get() : within(context, body);
    }

    /** {@code task}, to run on another thread for the activity this thread carries (if any). */
    static Runnable carrying(Runnable task) {
        ActivityExecutionContext context = CARRIED.get();
        return context == null ? task : () -> within(context, () -> {
            task.run();
            return null;
        });
    }

    /** As {@link #carrying(Runnable)}, for a task with a result. */
    static <T> Supplier<T> carrying(Supplier<T> task) {
        ActivityExecutionContext context = CARRIED.get();
        return context == null ? task : () -> within(context, task);
    }

    /** The activity Temporal runs on this thread, or null. */
    private static ActivityExecutionContext runningHere() {
        try {
            return Activity.getExecutionContext();
        } catch (IllegalStateException notInActivity) {
            return null;
        }
    }

    private static <T> T within(ActivityExecutionContext context, Supplier<T> task) {
        ActivityExecutionContext outer = CARRIED.get();
        CARRIED.set(context);
        try {
            return task.get();
        } finally {
            if (outer == null) {
                CARRIED.remove();
            } else {
                CARRIED.set(outer);
            }
        }
    }
}
