package io.cmkflow.azure;

import io.temporal.activity.Activity;
import io.temporal.activity.ActivityExecutionContext;

/** The heartbeat the steps call while they wait: Temporal's when running inside an activity, nothing otherwise. */
public final class ActivityHeartbeat {

    private ActivityHeartbeat() {
    }

    public static Runnable current() {
        ActivityExecutionContext context;
        try {
            context = Activity.getExecutionContext();
        } catch (IllegalStateException notInActivity) {
            return () -> { };
        }
        // Throws ActivityCompletionException when the activity was cancelled, which ends the wait.
        return () -> context.heartbeat(null);
    }
}
