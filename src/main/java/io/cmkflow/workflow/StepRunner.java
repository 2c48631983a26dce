package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

import java.util.function.Function;

/**
 * Runs one step's activity until it succeeds: Temporal retries it per its options; when it fails for good the run
 * parks and an operator's retry runs it again. A finished step's outcome is recorded (for its undo) before a cancel
 * that arrived meanwhile stops the run.
 */
final class StepRunner {
    private static final Logger LOG = Workflow.getLogger(StepRunner.class);

    private final RunProgress run;
    private final StatusEvents events;
    private final Parking parking;

    StepRunner(RunProgress run, StatusEvents events, Parking parking) {
        this.run = run;
        this.events = events;
        this.parking = parking;
    }

    /** {@code detail} follows the step's title in what the Temporal UI shows for the activity: what it acts on. */
    <T> T run(CmkStep step, String detail, Function<ProvisioningActivities, T> call, Function<T, StepReport> report) {
        ProvisioningActivities activities = Workflow.newActivityStub(ProvisioningActivities.class,
                options(step, detail == null ? step.title() : step.title() + " " + detail, run.activityTimeoutCap()));
        while (true) {
            run.stepStarted(step);
            run.show(step.stage());
            T outcome;
            try {
                outcome = call.apply(activities);
            } catch (TemporalFailure failure) {
                run.preexisting(Failures.preexisting(failure));
                stopIfCancelled(step);
                run.stepFailed(step, Failures.text(failure));
                LOG.warn("Step {} failed for good: {}", step, run.stepError(step));
                parking.park(step);
                continue;
            }
            StepReport done = report.apply(outcome);
            run.stepDone(step, outcome, done);
            stopIfCancelled(step);
            run.show(step.stage());
            events.publish(StatusEvent.Type.step_done, step, done.message(), done.known().isEmpty() ? null : done.known());
            return outcome;
        }
    }

    /** A step's activity options; {@code summary} is what the Temporal UI shows for the activity. */
    static ActivityOptions options(CmkStep step, String summary, java.time.Duration timeoutCap) {
        ActivityOptions options = CmkActivityOptions.capped(
                CmkActivityOptions.forStep(step, "Step " + step.number() + ": " + summary), timeoutCap);
        // On cancel, wait for the step's activity to stop: a create still in flight would otherwise land in Azure
        // after its undo ran, and stay there.
        return ActivityOptions.newBuilder(options)
                .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED).build();
    }

    private static void stopIfCancelled(CmkStep step) {
        if (CancellationScope.current().isCancelRequested()) {
            throw new CanceledFailure("cancelled during step " + step.label());
        }
    }
}
