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
 * Compensation runs the undos in reverse order. A failed undo is recorded and the others still run, except when what
 * it failed to remove uses what the earlier undos would remove (a workspace still encrypted with the key): then
 * compensation parks for an operator, who retries the undo or aborts compensation, leaving the rest in place.
 */
final class Compensation {
    private static final Logger LOG = Workflow.getLogger(Compensation.class);

    /** @param blocking what this undo removes uses what the undos registered before it remove */
    private record Undo(CmkStep step, String action, boolean blocking, Supplier<UndoRecord> perform) {
    }

    private final RunProgress run;
    private final Parking parking;
    private final List<Undo> undos = new ArrayList<>();

    Compensation(RunProgress run, Parking parking) {
        this.run = run;
        this.parking = parking;
    }

    void register(CmkStep step, String action, Supplier<UndoRecord> undo) {
        undos.add(new Undo(step, action, false, undo));
    }

    /**
     * Registers the undo of something that uses what the undos registered before it remove: when it fails, those
     * wait (compensation parks) until it is done or the operator leaves them in place.
     */
    void registerBlocking(CmkStep step, String action, Supplier<UndoRecord> undo) {
        undos.add(new Undo(step, action, true, undo));
    }

    /** Runs the registered undos in reverse order; true when every one is done or had nothing to undo. */
    boolean run() {
        run.compensating();
        run.show(CmkSearchAttributes.STAGE_COMPENSATION);
        boolean complete = true;
        for (int i = undos.size() - 1; i >= 0; i--) {
            Undo undo = undos.get(i);
            UndoRecord record = undo.perform().get();
            run.undone(record);
            run.show(CmkSearchAttributes.STAGE_COMPENSATION);
            if (record.result() == UndoResult.FAILED && undo.blocking() && i > 0) {
                String leftBecause = untilUndone(i, record);
                if (leftBecause != null) {
                    leaveInPlace(i, leftBecause);
                    return false;
                }
                continue;
            }
            complete &= record.result() != UndoResult.FAILED;
        }
        return complete;
    }

    /** Parks on the failed undo until it succeeds on a retry (null), or returns why the operator's answer stops compensation. */
    private String untilUndone(int index, UndoRecord failed) {
        Undo undo = undos.get(index);
        UndoRecord record = failed;
        while (record.result() == UndoResult.FAILED) {
            Parking.Answer answer = parking.parkUndo(undo.step(), undo.action(), stillInUse(index), record.detail());
            if (answer == Parking.Answer.ABORT) {
                return "undo " + undo.action() + " failed and the operator aborted compensation"
                        + (parking.reason() == null ? "" : " (" + parking.reason() + ")");
            }
            if (answer == Parking.Answer.TIMEOUT) {
                return "undo " + undo.action() + " failed and no operator answered within " + run.parkTimeout();
            }
            record = undo.perform().get();
            run.redone(record);
            run.show(CmkSearchAttributes.STAGE_COMPENSATION);
        }
        return null;
    }

    /** Records every undo before {@code index} as left in place: never removed under something that still uses it. */
    private void leaveInPlace(int index, String because) {
        for (int j = index - 1; j >= 0; j--) {
            Undo earlier = undos.get(j);
            run.undone(skipped(earlier.step(), earlier.action(), "left in place: " + because));
        }
        run.show(CmkSearchAttributes.STAGE_COMPENSATION);
    }

    /** The titles of the steps whose undos come after {@code index}'s, in the order they would run. */
    private String stillInUse(int index) {
        List<String> titles = new ArrayList<>();
        for (int j = index - 1; j >= 0; j--) {
            titles.add(undos.get(j).step().title());
        }
        return String.join(", ", titles);
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
