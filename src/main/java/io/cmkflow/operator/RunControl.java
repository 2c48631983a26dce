package io.cmkflow.operator;

import io.cmkflow.contract.PostureReport;
import io.cmkflow.workflow.CmkPostureInput;
import io.temporal.client.schedules.ScheduleActionExecutionStartWorkflow;
import io.temporal.client.schedules.ScheduleActionResult;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleDescription;
import io.temporal.client.schedules.ScheduleHandle;
import io.temporal.client.schedules.ScheduleListDescription;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.InFlightRuns;
import io.cmkflow.workflow.WorkflowIds;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkWorkspaceWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsResponse;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DataConverter;
import io.temporal.failure.ApplicationFailure;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;

/**
 * What on-call staff do to runs, for cmkflow's own CLI and the operator API: list runs by their search attributes, read a run's state, send
 * the `retry` and `abort` updates, cancel. The effects are exactly those of the Temporal UI/CLI (same visibility
 * query, same updates, same cancellation). Listing needs a server with visibility (the CLI's dev server, a Temporal
 * cluster, Temporal Cloud); the Java test server has none and answers UNIMPLEMENTED.
 */
public final class RunControl implements InFlightRuns {
    /** The page size {@link #list} asks for. */
    public static final int PAGE_SIZE = 100;

    private final WorkflowClient client;

    public RunControl(WorkflowClient client) {
        this.client = client;
    }

    /** One run as the list shows it (its search attributes and Temporal's own status). */
    public record RunSummary(String workflowId, String runId, String requestId, String subscriptionId, String workspace,
                             String status, String stage, WorkflowExecutionStatus executionStatus, Instant startTime,
                             Instant closeTime) {
    }

    /** One page of a listing; {@code nextPageToken} is null on the last page. */
    /**
     * A workspace cmkflow created, as its posture schedule shows it: the schedule, its last check (its posture and the
     * findings that are not Healthy; null posture before the first check, or while it runs), and its next check.
     */
    public record WorkspacePosture(String workspaceId, String schedule, String posture, String checkedAt,
                                   List<String> problems, String lastCheck, String nextCheckAt) {
    }

    public record Page(List<RunSummary> runs, String nextPageToken) {
    }

    /** Read from visibility, which may lag a run's start by a moment on clusters with Elasticsearch. */
    @Override
    public List<String> namingVault(String vaultId, String ownWorkflowId) {
        return list(RunQuery.all().withKeyVault(vaultId).openOnly(true), Integer.MAX_VALUE).stream()
                .map(RunSummary::workflowId).filter(id -> !id.equals(ownWorkflowId)).toList();
    }

    /** Open runs waiting for an operator (all pages), newest first. */
    public List<RunSummary> parked() {
        return list(RunQuery.parked(), Integer.MAX_VALUE);
    }

    /** Up to {@code limit} runs matching {@code query}, newest first (the server's order), reading page after page. */
    public List<RunSummary> list(RunQuery query, int limit) {
        List<RunSummary> runs = new ArrayList<>();
        String token = null;
        do {
            Page page = page(query, Math.min(PAGE_SIZE, limit - runs.size()), token);
            runs.addAll(page.runs().subList(0, Math.min(page.runs().size(), limit - runs.size())));
            token = page.nextPageToken();
        } while (token != null && runs.size() < limit);
        return runs;
    }

    /**
     * One page of {@code ListWorkflowExecutions} for {@code query}; pass the previous page's token (null for the first).
     * The token is opaque (base64 of the server's).
     */
    public Page page(RunQuery query, int pageSize, String pageToken) {
        ListWorkflowExecutionsRequest.Builder request = ListWorkflowExecutionsRequest.newBuilder()
                .setNamespace(client.getOptions().getNamespace())
                .setQuery(query.visibilityQuery())
                .setPageSize(Math.max(1, pageSize));
        if (pageToken != null) {
            request.setNextPageToken(ByteString.copyFrom(Base64.getUrlDecoder().decode(pageToken)));
        }
        ListWorkflowExecutionsResponse response;
        try {
            response = client.getWorkflowServiceStubs().blockingStub().listWorkflowExecutions(request.build());
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.UNIMPLEMENTED) {
                throw new RunControlException("this Temporal server cannot list runs (no visibility store: the Java test"
                        + " server?); use the CLI's dev server (`temporal server start-dev`) or a real cluster");
            }
            if (e.getStatus().getCode() == Status.Code.INVALID_ARGUMENT) {
                throw new RunControlException("the server refused the query " + query.visibilityQuery() + ": "
                        + e.getStatus().getDescription());
            }
            throw e;
        }
        DataConverter converter = client.getOptions().getDataConverter();
        List<RunSummary> runs = response.getExecutionsList().stream()
                .map(info -> summary(new WorkflowExecutionMetadata(info, converter))).toList();
        ByteString next = response.getNextPageToken();
        return new Page(runs, next.isEmpty() ? null : Base64.getUrlEncoder().encodeToString(next.toByteArray()));
    }

    /** Up to {@code limit} workspaces under a posture schedule, by schedule id. */
    public List<WorkspacePosture> workspaces(int limit) {
        ScheduleClient schedules = CmkPostureInput.schedules(client);
        return schedules.listSchedules().map(ScheduleListDescription::getScheduleId)
                .filter(id -> id.startsWith(WorkflowIds.POSTURE_PREFIX)).sorted().limit(limit)
                .map(id -> posture(schedules.getHandle(id))).toList();
    }

    private WorkspacePosture posture(ScheduleHandle handle) {
        ScheduleDescription schedule = handle.describe();
        CmkPostureInput input = CmkPostureInput.of(schedule);
        String next = schedule.getInfo().getNextActionTimes().stream().findFirst().map(Object::toString).orElse(null);
        List<ScheduleActionResult> recent = schedule.getInfo().getRecentActions();
        if (recent.isEmpty()) {
            return new WorkspacePosture(input.managed().workspaceId(), handle.getId(), null, null, List.of(), null, next);
        }
        ScheduleActionExecutionStartWorkflow last = (ScheduleActionExecutionStartWorkflow) recent.get(recent.size() - 1).getAction();
        WorkflowStub check = client.newUntypedWorkflowStub(last.getWorkflowId(), Optional.of(last.getFirstExecutionRunId()), Optional.empty());
        if (check.describe().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
            return new WorkspacePosture(input.managed().workspaceId(), handle.getId(), null, null, List.of(),
                    last.getWorkflowId(), next);
        }
        PostureReport report = check.getResult(PostureReport.class);
        return new WorkspacePosture(report.workspaceId(), handle.getId(), report.posture().name(), report.checkedAt(),
                report.problems().stream().map(f -> f.check() + " " + f.posture() + ": " + f.reason()).toList(),
                last.getWorkflowId(), next);
    }

    /** The run's {@code state} query (closed runs answer too); {@link RunNotFoundException} when Temporal knows no such run. */
    public CmkRunState state(String workflowId) {
        try {
            return workflow(workflowId).state();
        } catch (WorkflowNotFoundException unknown) {
            throw new RunNotFoundException(workflowId);
        }
    }

    /** The run's latest execution as Temporal describes it, with its pending activities and its history's events. */
    public RunDetails details(String workflowId) {
        WorkflowExecutionDescription description;
        try {
            description = client.newUntypedWorkflowStub(workflowId).describe();
        } catch (WorkflowNotFoundException unknown) {
            throw new RunNotFoundException(workflowId);
        }
        DataConverter converter = client.getOptions().getDataConverter();
        List<RunDetails.PendingActivity> pending = description.getRawDescription().getPendingActivitiesList().stream()
                .map(activity -> new RunDetails.PendingActivity(activity.getActivityType().getName(),
                        activity.getState().name().replace("PENDING_ACTIVITY_STATE_", ""), activity.getAttempt(),
                        activity.getMaximumAttempts(),
                        activity.hasLastFailure() ? activity.getLastFailure().getMessage() : null,
                        activity.hasScheduledTime() ? instant(activity.getScheduledTime()) : null,
                        activity.hasLastStartedTime() ? instant(activity.getLastStartedTime()) : null))
                .toList();
        List<RunDetails.TimelineEvent> timeline = client.fetchHistory(workflowId, description.getExecution().getRunId())
                .getEvents().stream()
                .map(event -> new RunDetails.TimelineEvent(event.getEventId(), instant(event.getEventTime()),
                        event.getEventType().name().replace("EVENT_TYPE_", ""), detail(event, converter)))
                .toList();
        return new RunDetails(workflowId, description.getExecution().getRunId(), description.getStatus().name()
                .replace("WORKFLOW_EXECUTION_STATUS_", ""), description.getStartTime(), description.getCloseTime(),
                description.getHistoryLength(), pending, timeline);
    }

    /** Re-runs the step the run is parked on; refused (with the workflow's reason) unless the run is AwaitingOperator. */
    public String retry(String workflowId, String reason) {
        try {
            return workflow(workflowId).retry(reason);
        } catch (WorkflowUpdateException refused) {
            throw new RunControlException(reasonOf(refused));
        } catch (WorkflowNotFoundException closed) {
            throw notOpen(workflowId);
        }
    }

    /** Compensates a parked run and ends it; refused unless the run is AwaitingOperator. */
    public String abort(String workflowId, String reason) {
        try {
            return workflow(workflowId).abort(reason);
        } catch (WorkflowUpdateException refused) {
            throw new RunControlException(reasonOf(refused));
        } catch (WorkflowNotFoundException closed) {
            throw notOpen(workflowId);
        }
    }

    /** Requests cancellation: the run compensates what it created and ends Cancelled. */
    public void cancel(String workflowId) {
        cancel(workflowId, null);
    }

    /**
     * Requests cancellation with {@code reason}, which Temporal records as the cause of the run's
     * WorkflowExecutionCancelRequested event (so it shows in the UI's history). Refused for a run that has ended.
     */
    public void cancel(String workflowId, String reason) {
        try {
            WorkflowStub run = client.newUntypedWorkflowStub(workflowId);
            // The server accepts a cancellation of a run that has ended and does nothing; say so instead.
            WorkflowExecutionStatus status = run.describe().getStatus();
            if (status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING) {
                throw ended(workflowId, status);
            }
            if (reason == null) {
                run.cancel();
            } else {
                run.cancel(reason);
            }
        } catch (WorkflowNotFoundException closed) {
            throw notOpen(workflowId);
        }
    }

    private CmkWorkspaceWorkflow workflow(String workflowId) {
        return client.newWorkflowStub(CmkWorkspaceWorkflow.class, workflowId);
    }

    private static RunSummary summary(WorkflowExecutionMetadata run) {
        SearchAttributes attributes = run.getTypedSearchAttributes();
        return new RunSummary(run.getExecution().getWorkflowId(), run.getExecution().getRunId(),
                attributes.get(CmkSearchAttributes.REQUEST_ID), attributes.get(CmkSearchAttributes.SUBSCRIPTION_ID),
                attributes.get(CmkSearchAttributes.WORKSPACE), attributes.get(CmkSearchAttributes.STATUS),
                attributes.get(CmkSearchAttributes.STAGE), run.getStatus(), run.getStartTime(), run.getCloseTime());
    }

    /** Temporal answers NOT_FOUND both for an unknown id and for a run that has ended; describe tells them apart. */
    private RunControlException notOpen(String workflowId) {
        try {
            return ended(workflowId, client.newUntypedWorkflowStub(workflowId).describe().getStatus());
        } catch (WorkflowNotFoundException unknown) {
            return new RunNotFoundException(workflowId);
        }
    }

    private static RunControlException ended(String workflowId, WorkflowExecutionStatus status) {
        return new RunControlException("run " + workflowId + " has ended ("
                + status.name().replace("WORKFLOW_EXECUTION_STATUS_", "") + "); see `cmkflow show`");
    }

    private static Instant instant(Timestamp timestamp) {
        return Instant.ofEpochSecond(timestamp.getSeconds(), timestamp.getNanos());
    }

    /** What an operator reads in an event; null for the events whose type says it all. */
    private static String detail(HistoryEvent event, DataConverter converter) {
        return switch (event.getEventType()) {
            case EVENT_TYPE_ACTIVITY_TASK_SCHEDULED -> event.getActivityTaskScheduledEventAttributes().getActivityType().getName()
                    + (event.hasUserMetadata() && event.getUserMetadata().hasSummary()
                    ? ": " + converter.fromPayload(event.getUserMetadata().getSummary(), String.class, String.class) : "");
            case EVENT_TYPE_ACTIVITY_TASK_FAILED -> event.getActivityTaskFailedEventAttributes().getFailure().getMessage();
            case EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED -> {
                var input = event.getWorkflowExecutionUpdateAcceptedEventAttributes().getAcceptedRequest().getInput();
                yield input.getName() + (input.getArgs().getPayloadsCount() == 0 ? ""
                        : ": " + converter.fromPayloads(0, Optional.of(input.getArgs()), String.class, String.class));
            }
            case EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED -> event.getWorkflowExecutionCancelRequestedEventAttributes().getCause();
            case EVENT_TYPE_WORKFLOW_EXECUTION_FAILED -> event.getWorkflowExecutionFailedEventAttributes().getFailure().getMessage();
            default -> null;
        };
    }

    private static String reasonOf(WorkflowUpdateException refused) {
        Throwable cause = refused.getCause();
        return cause instanceof ApplicationFailure failure ? failure.getOriginalMessage() : String.valueOf(cause);
    }
}
