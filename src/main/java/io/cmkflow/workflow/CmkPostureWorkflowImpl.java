package io.cmkflow.workflow;

import io.cmkflow.contract.PostureReport;
import io.cmkflow.contract.StatusEvent;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/** Checks, shows and publishes a workspace's CMK posture. */
public class CmkPostureWorkflowImpl implements CmkPostureWorkflow {
    private static final Logger LOG = Workflow.getLogger(CmkPostureWorkflowImpl.class);
    /** A repair's request id: this prefix and the posture check's run id (a request id runs once). */
    static final String REPAIR_REQUEST_PREFIX = "posture-repair-";

    @Override
    public PostureReport check(CmkPostureInput input) {
        PostureActivities azure = Workflow.newActivityStub(PostureActivities.class, ActivityOptions.newBuilder()
                .setSummary("CMK posture of " + input.managed().workspaceId())
                .setStartToCloseTimeout(Duration.ofMinutes(5))
                // A check that cannot read Azure now is the next interval's: the schedule runs it again.
                .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofSeconds(5)).setBackoffCoefficient(2.0)
                        .setMaximumInterval(Duration.ofMinutes(1)).setMaximumAttempts(5)
                        .setDoNotRetry(CmkActivityOptions.NON_RETRYABLE_TYPES).build())
                .build());
        PostureReport report = azure.checkPosture(input.request(), input.managed(), input.expiryThreshold());
        Workflow.upsertTypedSearchAttributes(CmkSearchAttributes.POSTURE.valueSet(report.posture().name()));
        String repair = report.keyAccessMissing() ? repair(input) : null;
        Workflow.setCurrentDetails(details(report) + (repair == null ? "" : "\n" + repair + "\n"));
        publish(input, report, repair);
        return report;
    }

    /**
     * Missing key access is the one finding cmkflow can mend on its own: a key access repair run of its own on the
     * workspace (when {@code cmkflow.posture.repair} is on), named after this check. Returns what happened, or null.
     */
    private static String repair(CmkPostureInput input) {
        PostureScheduling scheduling = Workflow.newActivityStub(PostureScheduling.class,
                CmkActivityOptions.forPostureSchedule("Key access repair of " + input.request().workspace().name()));
        try {
            return scheduling.startKeyAccessRepair(input.request(), REPAIR_REQUEST_PREFIX + Workflow.getInfo().getRunId());
        } catch (ActivityFailure failure) {
            return "key access repair not started: " + Failures.text(failure);
        }
    }

    /** The {@code posture} event; one that cannot be sent is logged, the check's result stays in the run. */
    private static void publish(CmkPostureInput input, PostureReport report, String repair) {
        StatusPublisher publisher = Workflow.newActivityStub(StatusPublisher.class,
                CmkActivityOptions.forStatusEvent("Status event posture " + report.posture()));
        String message = (report.problems().isEmpty() ? "CMK posture Healthy"
                : "CMK posture " + report.posture() + ": " + report.problems().stream()
                .map(f -> f.check() + " " + f.posture() + ": " + f.reason()).collect(Collectors.joining("; ")))
                + (repair == null ? "" : "; " + repair);
        StatusEvent event = new StatusEvent(Workflow.getInfo().getRunId() + ":posture", input.request().requestId(),
                Workflow.getInfo().getWorkflowId(), StatusEvent.Type.posture, report.posture().name(), null, message,
                Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString(), Map.of("workspaceId", report.workspaceId()), null);
        try {
            publisher.publishAll(List.of(event));
        } catch (ActivityFailure failure) {
            LOG.warn("Status event {} not published: {}", event.eventId(), Failures.text(failure));
        }
    }

    /** The findings as the Temporal UI shows them on the run's page. */
    private static String details(PostureReport report) {
        StringBuilder md = new StringBuilder("### CMK posture: " + report.posture() + "\n\n| Check | Posture | Why |\n|---|---|---|\n");
        report.findings().forEach(f -> md.append("| ").append(f.check()).append(" | ").append(f.posture()).append(" | ")
                .append(f.reason().replace("|", "\\|")).append(" |\n"));
        return md.toString();
    }
}
