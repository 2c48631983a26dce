package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.WorkspaceOutcome;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.WorkflowIdConflictPolicy;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.enums.v1.WorkflowIdReusePolicy;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionAlreadyStarted;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.schedules.ScheduleClient;
import io.temporal.client.schedules.ScheduleException;
import io.temporal.common.SearchAttributes;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Starts CMK workspace runs, one per target workspace at a time. The workflow id is derived from the target, so a
 * second start for the same target meets the open run: if that run serves the same request (a redelivered message)
 * the start is a duplicate; if it serves another request the target is busy. A request that already ran to the end
 * is a duplicate too, also after runs of other requests on the same target (each run's memo carries the request ids
 * that ran before it): a request id runs once, a new attempt needs a new request id.
 */
public class CmkWorkflowStarter {

    /** What a start did. */
    public enum Outcome {
        /** A new run was started. */
        STARTED,
        /** A run for this very request exists (open or finished); nothing new was started. */
        DUPLICATE,
        /** A run for another request is open on this target; nothing was started. */
        TARGET_BUSY,
        /** The target's records refuse the request (a rotation or repair of a workspace cmkflow did not make, or in another vault). */
        REFUSED
    }

    /**
     * @param runId            the run started, or the existing run met
     * @param existingRequestId for DUPLICATE / TARGET_BUSY, the request id of the run met
     * @param refusal          for REFUSED, the field and rule the request breaks
     */
    public record StartResult(Outcome outcome, String workflowId, String runId, String existingRequestId,
                              InvalidRequestException refusal) {
        StartResult(Outcome outcome, String workflowId, String runId, String existingRequestId) {
            this(outcome, workflowId, runId, existingRequestId, null);
        }
    }

    static final int STATIC_SUMMARY_MAX_BYTES = 200;

    /**
     * Memo of each run: the request ids that ran on its target so far, its own last. Each start reads the latest
     * run's list, so a request id is recognised across runs without a visibility query (which the Java test server
     * cannot answer) and without relying on retention of older runs.
     */
    static final String MEMO_REQUEST_IDS = "cmkRequestIds";
    /**
     * Memo of each run: the run ids of its target's earlier runs (its own is unknown when it starts; the next start
     * adds it). The run is given them ({@link CmkWorkflowInput#earlierRunIds}): Temporal's record, not a resource's
     * tag, is what shows that a soft-deleted vault or key was made by this target.
     */
    static final String MEMO_EARLIER_RUN_IDS = "cmkEarlierRunIds";

    private final WorkflowClient client;
    private final ScheduleClient schedules;
    private final String taskQueue;

    public CmkWorkflowStarter(WorkflowClient client, String taskQueue) {
        this.client = client;
        this.schedules = CmkPostureInput.schedules(client);
        this.taskQueue = taskQueue;
    }

    /** Starts a run for {@code input.request()} unless a run for it exists or another run holds the target. */
    public StartResult start(CmkWorkflowInput input) {
        CmkRequest request = input.request();
        String workflowId = WorkflowIds.forRequest(request);

        Optional<WorkflowExecutionDescription> latest = describe(workflowId, null);
        List<String> ranBefore = latest.map(CmkWorkflowStarter::requestIdsOf).orElse(List.of());
        if (ranBefore.contains(request.requestId())) {
            // Open or finished, this request ran on the target: a resend, even while another request's run is open.
            return new StartResult(Outcome.DUPLICATE, workflowId, latest.get().getExecution().getRunId(), requestIdOf(latest.get()));
        }
        List<String> ranIncludingThis = new ArrayList<>(ranBefore);
        ranIncludingThis.add(request.requestId());
        List<String> earlierRunIds = new ArrayList<>(latest.map(CmkWorkflowStarter::earlierRunIdsOf).orElse(List.of()));
        latest.ifPresent(run -> earlierRunIds.add(run.getExecution().getRunId()));
        ManagedWorkspace managed = null;
        if (request.operationOrDefault().needsManagedWorkspace()) {
            managed = managedWorkspace(workflowId, earlierRunIds).or(() -> postureRecord(request)).orElse(null);
            Optional<InvalidRequestException> refusal = refuseUnmanaged(request, workflowId, managed);
            if (refusal.isPresent()) {
                return new StartResult(Outcome.REFUSED, workflowId, null, null, refusal.get());
            }
        }

        WorkflowOptions options = WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue(taskQueue)
                .setWorkflowIdConflictPolicy(WorkflowIdConflictPolicy.WORKFLOW_ID_CONFLICT_POLICY_FAIL)
                .setWorkflowIdReusePolicy(WorkflowIdReusePolicy.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE)
                .setTypedSearchAttributes(searchAttributes(request))
                .setMemo(Map.of(MEMO_REQUEST_IDS, ranIncludingThis, MEMO_EARLIER_RUN_IDS, earlierRunIds))
                .setStaticSummary(staticSummary(request))
                .setStaticDetails(staticDetails(request))
                .build();
        CmkWorkspaceWorkflow workflow = client.newWorkflowStub(CmkWorkspaceWorkflow.class, options);
        try {
            WorkflowExecution execution = WorkflowClient.start(workflow::provision, input.withRecords(earlierRunIds, managed));
            return new StartResult(Outcome.STARTED, workflowId, execution.getRunId(), null);
        } catch (WorkflowExecutionAlreadyStarted alreadyStarted) {
            String openRunId = alreadyStarted.getExecution().getRunId();
            String openRequestId = describe(workflowId, openRunId).map(CmkWorkflowStarter::requestIdOf).orElse(null);
            Outcome outcome = request.requestId().equals(openRequestId) ? Outcome.DUPLICATE : Outcome.TARGET_BUSY;
            return new StartResult(outcome, workflowId, openRunId, openRequestId);
        }
    }

    /**
     * Starts a key access repair of the workspace {@code create} made ({@code operation: repairKeyAccess}, request id
     * {@code requestId}), as a posture check that found the access missing asks; returns what happened, in words for
     * the check's event. A start repeated with the same request id (the activity retried) starts nothing new.
     */
    public String startKeyAccessRepair(CmkRequest create, String requestId) {
        CmkRequest repair = new CmkRequest(requestId, create.subscriptionId(), create.tenantId(), create.cloud(),
                create.resourceGroup(), create.location(), create.workspace(), create.keyVault(), create.key(),
                create.tags(), Operation.REPAIR_KEY_ACCESS.wireName());
        StartResult start = start(new CmkWorkflowInput(repair));
        return switch (start.outcome()) {
            case STARTED, DUPLICATE -> "key access repair started as request " + requestId + " (run " + start.runId() + ")";
            case TARGET_BUSY -> "key access repair not started: the run of request " + start.existingRequestId()
                    + " is open on the workspace";
            case REFUSED -> "key access repair refused: " + start.refusal().getMessage();
        };
    }

    /**
     * The workspace the target's newest succeeded create run made, as that run's result (in its history) records it:
     * runs are searched newest first, among those Temporal still keeps (its namespace retention; past it, the posture
     * schedule's record stands in).
     */
    private Optional<ManagedWorkspace> managedWorkspace(String workflowId, List<String> runIds) {
        for (int i = runIds.size() - 1; i >= 0; i--) {
            String runId = runIds.get(i);
            Optional<WorkflowExecutionDescription> run = describe(workflowId, runId);
            if (run.isEmpty() || run.get().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
                continue;
            }
            CmkRunState state = client.newUntypedWorkflowStub(workflowId, Optional.of(runId), Optional.empty())
                    .getResult(CmkRunState.class);
            if (state.request().operationOrDefault() == Operation.DECOMMISSION) {
                // The workspace the create made is gone: a later create makes a new one, nothing earlier counts.
                return Optional.empty();
            }
            WorkspaceOutcome workspace = state.outcomes().workspace();
            if (state.request().operationOrDefault() == Operation.CREATE && workspace != null && workspace.created()) {
                return Optional.of(new ManagedWorkspace(workspace.workspaceId(), state.outcomes().vault().vaultId(), runId,
                        state.resourcesCreated()));
            }
        }
        return Optional.empty();
    }

    /**
     * The workspace as the create run that made it handed it to its posture schedule: the record that outlives the
     * namespace's retention of that run. Empty when the workspace has no schedule, or the server has no Schedule API.
     */
    private Optional<ManagedWorkspace> postureRecord(CmkRequest request) {
        try {
            return Optional.of(CmkPostureInput.of(schedules.getHandle(WorkflowIds.forPosture(request)).describe()).managed());
        } catch (ScheduleException | StatusRuntimeException failure) {
            Throwable cause = failure instanceof ScheduleException ? failure.getCause() : failure;
            if (cause instanceof StatusRuntimeException status && (status.getStatus().getCode() == Status.Code.NOT_FOUND
                    || status.getStatus().getCode() == Status.Code.UNIMPLEMENTED)) {
                return Optional.empty();
            }
            throw failure;
        }
    }

    /** Why the target's records refuse a rotation or repair before any Azure call, if they do. */
    private static Optional<InvalidRequestException> refuseUnmanaged(CmkRequest request, String workflowId, ManagedWorkspace managed) {
        if (managed == null) {
            return Optional.of(new InvalidRequestException("operation", "operation.managedWorkspace",
                    request.operationOrDefault().wireName() + " changes"
                    + " only a workspace cmkflow created: Temporal holds no succeeded create run of " + workflowId
                    + " that created workspace " + request.workspace().name() + ", and no posture schedule records one"));
        }
        if (!managed.keyVaultId().equalsIgnoreCase(request.keyVaultId().id())) {
            String field = request.keyVault().existingId() != null ? "keyVault.existingId" : "keyVault.name";
            return Optional.of(new InvalidRequestException(field, "keyVault.workspaceVault", "must name the workspace's"
                    + " key vault " + managed.keyVaultId() + ": Azure changes a workspace's key only to another key in"
                    + " the same vault, and the workspace's data is wrapped by a key in it"));
        }
        return Optional.empty();
    }

    private Optional<WorkflowExecutionDescription> describe(String workflowId, String runId) {
        try {
            return Optional.of(client.newUntypedWorkflowStub(workflowId, Optional.ofNullable(runId), Optional.empty()).describe());
        } catch (WorkflowNotFoundException notFound) {
            return Optional.empty();
        } catch (StatusRuntimeException e) {
            if (e.getStatus().getCode() == Status.Code.NOT_FOUND) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /**
     * Every request id that ran on the target up to and including {@code description}'s run: its memo carries the
     * list; a run started before the memo existed names only its own request.
     */
    /** The run's search attributes from its start, so it is findable (and known to hold its vault) at once. */
    private static SearchAttributes searchAttributes(CmkRequest request) {
        SearchAttributes.Builder attributes = SearchAttributes.newBuilder()
                .set(CmkSearchAttributes.REQUEST_ID, request.requestId())
                .set(CmkSearchAttributes.SUBSCRIPTION_ID, request.subscriptionId())
                .set(CmkSearchAttributes.WORKSPACE, request.workspace().name())
                .set(CmkSearchAttributes.STATUS, CmkStatus.Running.name())
                .set(CmkSearchAttributes.STAGE, CmkSearchAttributes.STAGE_ACCEPTED);
        CmkSearchAttributes.keyVaultOf(request).ifPresent(vault -> attributes.set(CmkSearchAttributes.KEY_VAULT, vault));
        return attributes.build();
    }

    private static List<String> requestIdsOf(WorkflowExecutionDescription description) {
        String[] carried = description.getMemo(MEMO_REQUEST_IDS, String[].class, String[].class);
        if (carried != null) {
            return List.of(carried);
        }
        String own = requestIdOf(description);
        return own == null ? List.of() : List.of(own);
    }

    private static List<String> earlierRunIdsOf(WorkflowExecutionDescription description) {
        String[] carried = description.getMemo(MEMO_EARLIER_RUN_IDS, String[].class, String[].class);
        return carried == null ? List.of() : List.of(carried);
    }

    private static String requestIdOf(WorkflowExecutionDescription description) {
        return description.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID);
    }

    /** One line for the run list: at most 200 bytes, cut on a character boundary. */
    static String staticSummary(CmkRequest request) {
        String summary = switch (request.operationOrDefault()) {
            case CREATE -> "CMK workspace ";
            case ROTATE_KEY -> "Key rotation of CMK workspace ";
            case REPAIR_KEY_ACCESS -> "Key access repair of CMK workspace ";
            case DECOMMISSION -> "Decommission of CMK workspace ";
        }
                + request.workspace().name() + " in " + request.resourceGroup()
                + " (" + request.subscriptionId() + "), request " + request.requestId();
        while (summary.getBytes(StandardCharsets.UTF_8).length > STATIC_SUMMARY_MAX_BYTES) {
            summary = summary.substring(0, summary.offsetByCodePoints(summary.length(), -1));
        }
        return summary;
    }

    /** Markdown shown on the run's page: the request as operators need it (the request carries no secrets). */
    static String staticDetails(CmkRequest request) {
        CmkRequest.Workspace ws = request.workspace();
        CmkRequest.KeyVault kv = request.keyVault();
        CmkRequest.Key key = request.key();
        StringBuilder md = new StringBuilder("### CMK workspace request\n\n| Field | Value |\n|---|---|\n");
        row(md, "Operation", request.operationOrDefault().wireName());
        row(md, "Request id", request.requestId());
        row(md, "Subscription", request.subscriptionId());
        row(md, "Tenant", request.tenantId());
        row(md, "Cloud", request.cloud());
        row(md, "Resource group", request.resourceGroup());
        row(md, "Location", request.location());
        row(md, "Workspace", ws.name());
        row(md, "HBI workspace", String.valueOf(ws.hbi()));
        row(md, "User-assigned identity", ws.userAssignedIdentityId());
        row(md, "Key vault", kv == null ? null : (kv.existingId() != null ? kv.existingId() + " (existing)" : kv.name()));
        row(md, "Key", key == null ? null : key.name() + (key.size() == null ? "" : " (" + key.size() + " bits)"));
        return md.toString();
    }

    private static void row(StringBuilder md, String field, String value) {
        if (value != null) {
            md.append("| ").append(field).append(" | ").append(value.replace("|", "\\|")).append(" |\n");
        }
    }
}
