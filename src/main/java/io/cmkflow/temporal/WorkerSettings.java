package io.cmkflow.temporal;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

/**
 * How much of Temporal a worker keeps in memory. {@code workflowCacheSize} bounds the runs whose state the worker
 * keeps between workflow tasks (sticky execution); a run beyond it, such as one parked for an operator, costs the
 * worker no heap and is rebuilt from its history at its next task. {@code maxWorkflowThreads} bounds the threads of
 * cached runs (a run uses one, two while it sends status events).
 */
@ConfigurationProperties("cmkflow.worker")
public record WorkerSettings(
        @Bindable(defaultValue = "200") int workflowCacheSize,
        @Bindable(defaultValue = "400") int maxWorkflowThreads) {

    public WorkerSettings {
        if (workflowCacheSize < 1) {
            throw new IllegalArgumentException("cmkflow.worker.workflow-cache-size must be at least 1, was " + workflowCacheSize);
        }
        if (maxWorkflowThreads < 2) {
            throw new IllegalArgumentException("cmkflow.worker.max-workflow-threads must be at least 2, was " + maxWorkflowThreads);
        }
    }
}
