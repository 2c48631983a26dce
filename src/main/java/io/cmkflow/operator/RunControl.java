package io.cmkflow.operator;

import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkspaceWorkflow;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionMetadata;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;

import java.util.Comparator;
import java.util.List;

/**
 * What on-call staff do to runs, for cmkflow's own CLI: find parked runs, read a run's state, send the `retry` and
 * `abort` updates, cancel. The effects are exactly those of the Temporal UI/CLI (same updates, same cancellation).
 */
public final class RunControl {
    static final String PARKED_QUERY = "WorkflowType = '" + CmkWorkspaceWorkflow.TYPE + "' AND ExecutionStatus = 'Running' AND "
            + CmkSearchAttributes.STATUS.getName() + " = '" + CmkStatus.AwaitingOperator + "'";

    private final WorkflowClient client;

    public RunControl(WorkflowClient client) {
        this.client = client;
    }

    /** One open run as the list shows it. */
    public record RunSummary(String workflowId, String requestId, String status, String stage) {
    }

    /**
     * Open runs waiting for an operator. Asks the visibility store; the Temporal test server of the local default has
     * none (UNIMPLEMENTED), so there the open runs are listed and each one's search attributes read instead.
     */
    public List<RunSummary> parked() {
        try {
            return client.listExecutions(PARKED_QUERY).map(RunControl::summary)
                    .sorted(Comparator.comparing(RunSummary::workflowId)).toList();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() != Status.Code.UNIMPLEMENTED) {
                throw e;
            }
            return openRuns().stream().filter(run -> CmkStatus.AwaitingOperator.name().equals(run.status())).toList();
        }
    }

    public CmkRunState state(String workflowId) {
        return workflow(workflowId).state();
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
        client.newUntypedWorkflowStub(workflowId).cancel();
    }

    private List<RunSummary> openRuns() {
        List<WorkflowExecutionInfo> open = client.getWorkflowServiceStubs().blockingStub()
                .listOpenWorkflowExecutions(ListOpenWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(client.getOptions().getNamespace()).setMaximumPageSize(1000).build())
                .getExecutionsList();
        return open.stream()
                .filter(info -> CmkWorkspaceWorkflow.TYPE.equals(info.getType().getName()))
                .map(info -> summary(client.newUntypedWorkflowStub(info.getExecution().getWorkflowId()).describe()))
                .sorted(Comparator.comparing(RunSummary::workflowId))
                .toList();
    }

    private CmkWorkspaceWorkflow workflow(String workflowId) {
        return client.newWorkflowStub(CmkWorkspaceWorkflow.class, workflowId);
    }

    private static RunSummary summary(WorkflowExecutionMetadata run) {
        SearchAttributes attributes = run.getTypedSearchAttributes();
        return new RunSummary(run.getExecution().getWorkflowId(), attributes.get(CmkSearchAttributes.REQUEST_ID),
                attributes.get(CmkSearchAttributes.STATUS), attributes.get(CmkSearchAttributes.STAGE));
    }

    private static RunControlException notOpen(String workflowId) {
        return new RunControlException("no open run " + workflowId + ": it has ended (see `cmkflow show`) or never existed");
    }

    private static String reasonOf(WorkflowUpdateException refused) {
        Throwable cause = refused.getCause();
        return cause instanceof ApplicationFailure failure ? failure.getOriginalMessage() : String.valueOf(cause);
    }
}
