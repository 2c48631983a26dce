package io.cmkflow.temporal;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;
import io.temporal.worker.WorkerOptions;

/**
 * How much of Temporal a worker keeps in memory. {@code workflowCacheSize} bounds the runs whose state the worker
 * keeps between workflow tasks (sticky execution); a run beyond it, such as one parked for an operator, costs the
 * worker no heap and is rebuilt from its history at its next task. {@code maxWorkflowThreads} bounds the threads of
 * cached runs (a run uses one, two while it sends status events). {@code maxConcurrentActivities} bounds the steps
 * a worker runs at once, each on a thread of its own; a step waiting on Azure (a long-running operation,
 * {@code Retry-After}) holds its thread, so it also bounds the runs that can wait at once (README, "Capacity of one
 * worker").
 */
@ConfigurationProperties("cmkflow.worker")
public record WorkerSettings(
        @Bindable(defaultValue = "200") int workflowCacheSize,
        @Bindable(defaultValue = "400") int maxWorkflowThreads,
        @Bindable(defaultValue = "200") int maxConcurrentActivities) {

    public WorkerSettings {
        if (workflowCacheSize < 1) {
            throw new IllegalArgumentException("cmkflow.worker.workflow-cache-size must be at least 1, was " + workflowCacheSize);
        }
        if (maxWorkflowThreads < 2) {
            throw new IllegalArgumentException("cmkflow.worker.max-workflow-threads must be at least 2, was " + maxWorkflowThreads);
        }
        if (maxConcurrentActivities < 1) {
            throw new IllegalArgumentException("cmkflow.worker.max-concurrent-activities must be at least 1, was "
                    + maxConcurrentActivities);
        }
    }

    /** The task queue worker's options: its activity slots. */
    public WorkerOptions workerOptions() {
        return WorkerOptions.newBuilder().setMaxConcurrentActivityExecutionSize(maxConcurrentActivities).build();
    }
}
