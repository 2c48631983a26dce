package io.cmkflow.workflow;

import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.workflow.CmkRunState.UndoRecord;
import io.cmkflow.workflow.CmkRunState.UndoResult;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The run's compensation list. A step's undo is registered before the step runs (a create that timed out may still
 * have happened) and decides when compensation runs, from what the steps reported, whether there is anything to undo.
 * Compensation runs the undos in reverse order; a failed undo is recorded and the others still run.
 */
final class Compensation {
    private static final Logger LOG = Workflow.getLogger(Compensation.class);

    private record Undo(CmkStep step, Supplier<UndoRecord> action) {
    }

    private final RunProgress run;
    private final List<Undo> undos = new ArrayList<>();

    Compensation(RunProgress run) {
        this.run = run;
    }

    void register(CmkStep step, Supplier<UndoRecord> undo) {
        undos.add(new Undo(step, undo));
    }

    /** Runs the registered undos in reverse order; true when none failed. */
    boolean run() {
        run.compensating();
        run.show(CmkSearchAttributes.STAGE_COMPENSATION);
        boolean complete = true;
        for (int i = undos.size() - 1; i >= 0; i--) {
            UndoRecord record = undos.get(i).action().get();
            run.undone(record);
            complete &= record.result() != UndoResult.FAILED;
            run.show(CmkSearchAttributes.STAGE_COMPENSATION);
        }
        return complete;
    }

    /** Calls one undo activity and records what it did, or that it failed for good. */
    UndoRecord undo(CmkStep step, String action, String summary, Function<CompensationActivities, List<UndoOutcome>> call) {
        CompensationActivities activities = Workflow.newActivityStub(CompensationActivities.class,
                CmkActivityOptions.capped(CmkActivityOptions.forUndo(step, "Undo step " + step.number() + ": " + summary),
                        run.activityTimeoutCap()));
        try {
            List<UndoOutcome> outcomes = call.apply(activities);
            return new UndoRecord(step, action, UndoResult.DONE, outcomes == null ? List.of() : List.copyOf(outcomes), null,
                    RunProgress.now());
        } catch (TemporalFailure failure) {
            String error = Failures.text(failure);
            run.failedUndo(action, error);
            LOG.warn("Undo {} failed: {}", action, error);
            return new UndoRecord(step, action, UndoResult.FAILED, List.of(), error, RunProgress.now());
        }
    }

    UndoRecord skipped(CmkStep step, String action, String why) {
        return new UndoRecord(step, action, UndoResult.SKIPPED, List.of(), why, RunProgress.now());
    }
}
