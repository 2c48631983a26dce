package io.cmkflow.workflow;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.WorkflowReplayer;
import io.temporal.worker.Worker;
import io.temporal.worker.WorkerOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Replays the histories recorded from the workflow tests' scenarios ({@link WorkflowTestRun}'s subclasses) and from
 * dev mode ({@code DevModeTest}), kept in src/test/resources/histories/, against the current workflow code: a change
 * that would break runs in flight fails here. Until 1.0 they are recorded again after a change to the workflow
 * (docs/architecture.md, "Workflow compatibility").
 */
class CmkWorkspaceWorkflowReplayTest {

    /**
     * A replay worker whose deadlock detection allows for a busy machine: the first replay loads and links the
     * workflow's classes, which took over the default 1 s under load.
     */
    private static final TestWorkflowEnvironment replay = TestWorkflowEnvironment.newInstance();
    private static final Worker worker = replay.newWorker("replay",
            WorkerOptions.newBuilder().setDefaultDeadlockDetectionTimeout(Duration.ofSeconds(30).toMillis()).build());

    static {
        worker.registerWorkflowImplementationTypes(CmkWorkspaceWorkflowImpl.class, CmkPostureWorkflowImpl.class);
    }

    @AfterAll
    static void close() {
        replay.close();
    }

    static Stream<Path> recordedHistories() throws IOException {
        try (Stream<Path> files = Files.list(WorkflowHistories.RECORDED_DIR)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList().stream();
        }
    }

    @Test
    void historiesOfTheMainScenariosAreRecorded() throws IOException {
        assertThat(recordedHistories().map(p -> p.getFileName().toString()))
                .anyMatch(n -> n.startsWith("happyPath"))
                .anyMatch(n -> n.startsWith("abortWhileParked"))
                .anyMatch(n -> n.startsWith("cancelWhileAStepRuns"))
                .anyMatch(n -> n.startsWith("nonRetryableFailureParks"))
                .anyMatch(n -> n.startsWith("unansweredParkTimesOut"))
                .anyMatch(n -> n.startsWith("keyRotation"))
                .anyMatch(n -> n.startsWith("posture"));
    }

    @ParameterizedTest
    @MethodSource("recordedHistories")
    void recordedHistoryReplaysWithoutNonDeterminism(Path history) throws Exception {
        WorkflowReplayer.replayWorkflowExecution(WorkflowExecutionHistory.fromJson(Files.readString(history)), worker);
    }
}
