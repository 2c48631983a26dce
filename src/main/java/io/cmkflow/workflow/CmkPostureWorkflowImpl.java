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
        Workflow.setCurrentDetails(details(report));
        publish(input, report);
        return report;
    }

    /** The {@code posture} event; one that cannot be sent is logged, the check's result stays in the run. */
    private static void publish(CmkPostureInput input, PostureReport report) {
        StatusPublisher publisher = Workflow.newActivityStub(StatusPublisher.class,
                CmkActivityOptions.forStatusEvent("Status event posture " + report.posture()));
        String message = report.problems().isEmpty() ? "CMK posture Healthy"
                : "CMK posture " + report.posture() + ": " + report.problems().stream()
                .map(f -> f.check() + " " + f.posture() + ": " + f.reason()).collect(Collectors.joining("; "));
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
