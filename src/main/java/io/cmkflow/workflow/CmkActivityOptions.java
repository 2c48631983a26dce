package io.cmkflow.workflow;

import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.InvalidRequestException;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;

import java.time.Duration;

/**
 * Timeouts and retry policies of the workflow's activities. Long Azure operations (provider registration, the
 * workspace's long-running PUT, waiting for the managed group) heartbeat, so a dead worker is noticed within the
 * heartbeat timeout instead of the long start-to-close timeout. A THROTTLED failure carries Azure's Retry-After as
 * its next retry delay, which Temporal uses instead of the backoff below.
 */
final class CmkActivityOptions {

    /** Failure types the activities raise for errors that retrying cannot fix. */
    static final String[] NON_RETRYABLE_TYPES = {AzureErrorClass.NON_RETRYABLE.name(), InvalidRequestException.FAILURE_TYPE};

    static final int STEP_MAXIMUM_ATTEMPTS = 8;
    static final int UNDO_MAXIMUM_ATTEMPTS = 10;

    private CmkActivityOptions() {
    }

    static ActivityOptions forStep(CmkStep step, String summary) {
        ActivityOptions.Builder options = ActivityOptions.newBuilder()
                .setSummary(summary)
                .setRetryOptions(azureRetries(STEP_MAXIMUM_ATTEMPTS));
        Duration heartbeat = Duration.ofMinutes(2);
        // A switch expression: a new step does not build without its timeouts.
        ActivityOptions.Builder timed = switch (step) {
            case REGISTER_RESOURCE_PROVIDERS -> options.setStartToCloseTimeout(Duration.ofMinutes(20)).setHeartbeatTimeout(heartbeat);
            // Its polls heartbeat: a worker that dies mid-create hands the step over after 2 minutes, not 5.
            case CREATE_KEY_VAULT -> options.setStartToCloseTimeout(Duration.ofMinutes(5)).setHeartbeatTimeout(heartbeat);
            case CREATE_KEY, GRANT_COSMOS_DB_KEY_ACCESS, READ_WORKSPACE_KEY, CHECK_KEY_ACCESS, CREATE_KEY_VERSION,
                 READ_WORKSPACE_VAULT, RESTORE_KEY_ACCESS, CHECK_WORKSPACE ->
                    options.setStartToCloseTimeout(Duration.ofMinutes(2));
            // Azure's key switch takes minutes; its polls heartbeat.
            case CHANGE_WORKSPACE_KEY, DECOMMISSION_WORKSPACE -> options.setStartToCloseTimeout(Duration.ofMinutes(30)).setHeartbeatTimeout(heartbeat);
            // Azure removes a purged workspace's managed group (its Cosmos DB, storage, search) in the background.
            // Deletes a key, a vault, a storage account, Application Insights and its Log Analytics workspace, each waited for.
            case DELETE_CREATED_RESOURCES -> options.setStartToCloseTimeout(Duration.ofMinutes(10));
            case AWAIT_MANAGED_GROUP_REMOVAL -> options.setStartToCloseTimeout(Duration.ofMinutes(60)).setHeartbeatTimeout(heartbeat);
            case CREATE_WORKSPACE -> options.setStartToCloseTimeout(Duration.ofMinutes(60)).setHeartbeatTimeout(heartbeat);
            case VERIFY_MANAGED_RESOURCE_GROUP -> options.setStartToCloseTimeout(Duration.ofMinutes(15)).setHeartbeatTimeout(heartbeat);
        };
        return timed.build();
    }

    /**
     * Undo steps retry longer than creates: giving up on an undo leaves a resource behind. Deleting a workspace and
     * setting its key back are long.
     */
    static ActivityOptions forUndo(CmkStep step, String summary) {
        ActivityOptions.Builder options = ActivityOptions.newBuilder()
                .setSummary(summary)
                .setRetryOptions(azureRetries(UNDO_MAXIMUM_ATTEMPTS));
        if (step == CmkStep.CREATE_WORKSPACE || step == CmkStep.CHANGE_WORKSPACE_KEY) {
            options.setStartToCloseTimeout(Duration.ofMinutes(60)).setHeartbeatTimeout(Duration.ofMinutes(2));
        } else {
            options.setStartToCloseTimeout(Duration.ofMinutes(5));
        }
        return options.build();
    }

    /**
     * {@code options} with its start-to-close and heartbeat timeouts at most {@code cap} ({@link
     * CmkWorkflowInput#activityTimeoutCap()}; tests that kill workers); null leaves them as they are.
     */
    static ActivityOptions capped(ActivityOptions options, Duration cap) {
        if (cap == null || cap.isZero() || cap.isNegative()) {
            return options;
        }
        ActivityOptions.Builder capped = ActivityOptions.newBuilder(options);
        if (options.getStartToCloseTimeout() != null && options.getStartToCloseTimeout().compareTo(cap) > 0) {
            capped.setStartToCloseTimeout(cap);
        }
        if (options.getHeartbeatTimeout() != null && options.getHeartbeatTimeout().compareTo(cap) > 0) {
            capped.setHeartbeatTimeout(cap);
        }
        return capped.build();
    }

    /** Backoff for Azure calls; THROTTLED failures override the next delay with Azure's Retry-After. */
    private static RetryOptions azureRetries(int maximumAttempts) {
        return RetryOptions.newBuilder()
                .setInitialInterval(Duration.ofSeconds(5))
                .setBackoffCoefficient(2.0)
                .setMaximumInterval(Duration.ofMinutes(5))
                .setMaximumAttempts(maximumAttempts)
                .setDoNotRetry(NON_RETRYABLE_TYPES)
                .build();
    }

    /** Creating a schedule is one quick Temporal call; retried like a step's Azure call. */
    static ActivityOptions forPostureSchedule(String summary) {
        return ActivityOptions.newBuilder()
                .setSummary(summary)
                .setStartToCloseTimeout(Duration.ofMinutes(1))
                .setRetryOptions(azureRetries(STEP_MAXIMUM_ATTEMPTS))
                .build();
    }

    static ActivityOptions forStatusEvent(String summary) {
        return ActivityOptions.newBuilder()
                .setSummary(summary)
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder()
                        .setInitialInterval(Duration.ofSeconds(1))
                        .setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofSeconds(30))
                        .setMaximumAttempts(10)
                        .build())
                .build();
    }
}
