package io.cmkflow.workflow;

import io.temporal.common.WorkflowExecutionHistory;
import io.temporal.testing.WorkflowReplayer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Replays a finished run's history against the current workflow code (a determinism check) and keeps it as JSON:
 * always under target/histories/, and (for the scenarios a test chooses to keep) under src/test/resources/histories/
 * when run with {@code -Dcmkflow.recordHistories=true} (histories from the Temporal test server and from the dev server), so {@link CmkWorkspaceWorkflowReplayTest} replays it on every later build.
 */
public final class WorkflowHistories {

    static final Path BUILD_DIR = Path.of("target", "histories");
    static final Path RECORDED_DIR = Path.of("src", "test", "resources", "histories");

    private WorkflowHistories() {
    }

    public static void replayAndKeep(String name, WorkflowExecutionHistory history, boolean keepInSources) throws Exception {
        WorkflowReplayer.replayWorkflowExecution(history, CmkWorkspaceWorkflowImpl.class, CmkPostureWorkflowImpl.class);
        write(BUILD_DIR, name, history.toJson(true));
        if (keepInSources && Boolean.getBoolean("cmkflow.recordHistories")) {
            write(RECORDED_DIR, name, history.toJson(false));
        }
    }

    private static void write(Path dir, String name, String json) throws IOException {
        Files.createDirectories(dir);
        Files.writeString(dir.resolve(name + ".json"), json);
    }
}
