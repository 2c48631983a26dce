package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * A step that failed for good parks the run for an operator: status AwaitingOperator until an update {@code retry}
 * (run the step again) or {@code abort} (compensate), a cancel, or the park timeout (compensate). Compensation parks
 * the same way when an undo fails that what is still to undo depends on ({@link #parkUndo}).
 */
final class Parking {
    private static final Logger LOG = Workflow.getLogger(Parking.class);

    /** How an operator answered a parked undo; {@code TIMEOUT} when nobody did within the park timeout. */
    enum Answer { RETRY, ABORT, TIMEOUT }

    private final RunProgress run;
    private final StatusEvents events;
    private Answer decision;
    private String reason;
    /** What a retry re-runs, for its answer: the parked step, or the parked undo. */
    private String parkedOn;

    Parking(RunProgress run, StatusEvents events) {
        this.run = run;
        this.events = events;
    }

    /** Waits for an operator: returns on retry; throws {@link RunAbandoned} on abort and on timeout; a cancel surfaces as CanceledFailure. */
    void park(CmkStep step) {
        parkedOn = "step " + step.label();
        Answer answer = await(step, step.stage(), "step " + step.label() + " failed and waits for"
                + " an operator (update retry or abort; undone if unanswered within " + run.parkTimeout() + "): "
                + run.stepError(step));
        if (answer == Answer.TIMEOUT) {
            throw new RunAbandoned("PARK_TIMEOUT", "no operator answer within " + run.parkTimeout() + " while parked on step "
                    + step.label());
        }
        if (answer == Answer.ABORT) {
            throw new RunAbandoned("ABORTED", "aborted by operator at step " + step.label()
                    + (reason == null || reason.isBlank() ? "" : ": " + reason));
        }
        LOG.info("Operator retry of step {}{}", step, reason == null ? "" : ": " + reason);
        run.resumed();
    }

    /**
     * Compensation's park: the undo {@code action} of {@code step} failed and {@code stillInUse} must not be removed
     * while what it failed to remove exists. Returns the operator's answer (or TIMEOUT); the run is Compensating again.
     */
    Answer parkUndo(CmkStep step, String action, String stillInUse, String error) {
        parkedOn = "undo " + action + " of step " + step.label();
        Answer answer = await(step, CmkSearchAttributes.STAGE_COMPENSATION, "undo " + action + " of step " + step.label()
                + " failed; compensation stopped before removing " + stillInUse + ", which it still"
                + " uses, and waits for an operator (update retry to run the undo again, abort to leave the rest in place;"
                + " left in place if unanswered within " + run.parkTimeout() + "): " + error);
        LOG.info("Operator answer {} to the failed undo {}{}", answer, action, reason == null ? "" : ": " + reason);
        run.compensating();
        return answer;
    }

    /** The operator's reason given with the last answer, or null. */
    String reason() {
        return reason == null || reason.isBlank() ? null : reason;
    }

    private Answer await(CmkStep step, String stage, String message) {
        run.parked();
        decision = null;
        reason = null;
        run.show(stage);
        events.publish(StatusEvent.Type.awaiting_operator, step, message, null);
        boolean answered = Workflow.await(run.parkTimeout(), () -> decision != null);
        Answer answer = answered ? decision : Answer.TIMEOUT;
        decision = null;
        return answer;
    }

    String retry(String why) {
        decide(Answer.RETRY, why);
        return "retrying " + parkedOn;
    }

    String abort(String why) {
        decide(Answer.ABORT, why);
        return run.compensationStarted() ? "aborting compensation: what is not undone yet stays in place, then the run ends failed"
                : "aborting: undoing what this run created, then ending the run";
    }

    /** The update validators: an answer is accepted only while the run is parked and has no answer yet. */
    void requireParked(String update) {
        if (run.status() != CmkStatus.AwaitingOperator || decision != null) {
            CmkStep step = run.currentStep();
            throw new IllegalStateException(update + ": accepted only while the run is AwaitingOperator; it is " + run.status()
                    + (step == null ? "" : " at step " + step.label()));
        }
    }

    private void decide(Answer answer, String why) {
        decision = answer;
        reason = why;
    }
}
