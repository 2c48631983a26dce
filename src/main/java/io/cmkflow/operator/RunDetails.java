package io.cmkflow.operator;

import java.time.Instant;
import java.util.List;

/**
 * What Temporal itself says about a run besides its {@code state} query: its execution status, the activities in
 * flight (attempt, last failure) and the event timeline, as {@code temporal workflow describe} and the UI's history show.
 */
public record RunDetails(String workflowId, String runId, String executionStatus, Instant startTime, Instant closeTime,
                         long historyLength, List<PendingActivity> pendingActivities, List<TimelineEvent> timeline) {

    /** An activity Temporal has scheduled and not finished: the step in flight, or one retrying after failures. */
    public record PendingActivity(String activityType, String state, int attempt, int maximumAttempts,
                                  String lastFailure, Instant scheduledTime, Instant lastStartedTime) {
    }

    /**
     * One history event: its type without Temporal's {@code EVENT_TYPE_} prefix and, for the events an operator reads,
     * what it says (an activity's summary, a failure's message, an update's name and argument, a cancellation's reason).
     */
    public record TimelineEvent(long eventId, Instant time, String type, String detail) {
    }
}
