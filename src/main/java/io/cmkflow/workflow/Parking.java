package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

/**
 * A step that failed for good parks the run for an operator: status AwaitingOperator until an update {@code retry}
 * (run the step again) or {@code abort} (compensate), a cancel, or the park timeout (compensate).
 */
final class Parking {
    private static final Logger LOG = Workflow.getLogger(Parking.class);

    private enum Decision { RETRY, ABORT }

    private final RunProgress run;
    private final StatusEvents events;
    private Decision decision;
    private String reason;

    Parking(RunProgress run, StatusEvents events) {
        this.run = run;
        this.events = events;
    }

    /** Waits for an operator: returns on retry; throws {@link RunAbandoned} on abort and on timeout; a cancel surfaces as CanceledFailure. */
    void park(CmkStep step) {
        run.parked();
        decision = null;
        run.show(step.stage());
        events.publish(StatusEvent.Type.awaiting_operator, step, "step " + step.number() + " (" + step.title() + ") failed and waits for"
                + " an operator (update retry or abort; undone if unanswered within " + run.parkTimeout() + "): "
                + run.stepError(step), null);
        boolean answered = Workflow.await(run.parkTimeout(), () -> decision != null);
        if (!answered) {
            throw new RunAbandoned("PARK_TIMEOUT", "no operator answer within " + run.parkTimeout() + " while parked on step "
                    + step.number() + " (" + step.title() + ")");
        }
        if (decision == Decision.ABORT) {
            throw new RunAbandoned("ABORTED", "aborted by operator at step " + step.number() + " (" + step.title() + ")"
                    + (reason == null || reason.isBlank() ? "" : ": " + reason));
        }
        LOG.info("Operator retry of step {}{}", step, reason == null ? "" : ": " + reason);
        decision = null;
        run.resumed();
    }

    String retry(String why) {
        decide(Decision.RETRY, why);
        return "retrying step " + run.currentStep().number() + " (" + run.currentStep().title() + ")";
    }

    String abort(String why) {
        decide(Decision.ABORT, why);
        return "aborting: undoing what this run created, then ending the run";
    }

    /** The update validators: an answer is accepted only while the run is parked and has no answer yet. */
    void requireParked(String update) {
        if (run.status() != CmkStatus.AwaitingOperator || decision != null) {
            CmkStep step = run.currentStep();
            throw new IllegalStateException(update + ": accepted only while the run is AwaitingOperator; it is " + run.status()
                    + (step == null ? "" : " at step " + step.number() + " (" + step.title() + ")"));
        }
    }

    private void decide(Decision answer, String why) {
        decision = answer;
        reason = why;
    }
}
