package io.cmkflow.operator.api;

import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.operator.RunControl;
import io.cmkflow.operator.RunControlException;
import io.cmkflow.operator.RunDetails;
import io.cmkflow.operator.RunNotFoundException;
import io.cmkflow.operator.RunQuery;
import io.cmkflow.operator.RunOperations;
import io.cmkflow.temporal.TemporalSettings;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.WorkflowIds;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.PathVariable;
import io.micronaut.http.annotation.Post;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * The runs: list them by cmkflow's search attributes, read one (its {@code state} query, Temporal's describe and
 * history), and the on-call actions {@code retry}, {@code abort}, {@code cancel} through {@link RunControl}, exactly
 * as the CLI and the Temporal UI do them. A run's path is its workflow id after {@code /api/runs/}: the id
 * {@code cmk-workspace/<subscription>/<group>/<workspace>} ({@link WorkflowIds}) has its three parts as path variables.
 */
@Controller("/api/runs")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "runs")
@SecurityRequirement(name = "bearer")
public class RunsController {
    private final RunControl control;
    private final TemporalSettings temporal;
    private final AuditLog audit;

    RunsController(RunControl control, TemporalSettings temporal, AuditLog audit) {
        this.control = control;
        this.temporal = temporal;
        this.audit = audit;
    }

    /** One run: what the workflow says (its state), what Temporal says (describe, timeline) and its Temporal UI page. */
    public record RunView(String workflowId, String temporalUi, CmkRunState state, RunDetails temporal) {
    }

    /** An action's optional body: why, recorded in the run with who asked. */
    public record ActionRequest(@Nullable String reason) {
    }

    /** What an accepted action did: the workflow's answer and the reason the run recorded. */
    public record ActionResult(String workflowId, String action, String result, String recordedReason) {
    }

    @Get
    @Secured({ApiRoles.VIEWER, ApiRoles.OPERATOR})
    @Operation(summary = "List runs by status, subscription, workspace or request id (Temporal visibility), newest first, a page at a time")
    @ApiResponse(responseCode = "200", description = "a page of runs; pass nextPageToken for the next")
    @ApiResponse(responseCode = "400", description = "a filter or the page token is invalid (field and rule named)")
    public RunControl.Page list(@Nullable @QueryValue String status, @Nullable @QueryValue String subscription,
                                @Nullable @QueryValue String workspace, @Nullable @QueryValue String requestId,
                                @Nullable @QueryValue Boolean open, @Nullable @QueryValue Integer pageSize,
                                @Nullable @QueryValue String pageToken) {
        RunQuery query = RunQuery.all().openOnly(Boolean.TRUE.equals(open));
        query = filter(query, "status", status, RunQuery::withStatus);
        query = filter(query, "subscription", subscription, RunQuery::withSubscriptionId);
        query = filter(query, "workspace", workspace, RunQuery::withWorkspace);
        query = filter(query, "requestId", requestId, RunQuery::withRequestId);
        int size = pageSize == null ? RunControl.PAGE_SIZE : pageSize;
        if (size < 1 || size > RunControl.PAGE_SIZE) {
            throw new InvalidRequestException("pageSize", "range", "pageSize must be 1 to " + RunControl.PAGE_SIZE + ", got " + size);
        }
        try {
            return control.page(query, size, pageToken == null || pageToken.isEmpty() ? null : pageToken);
        } catch (IllegalArgumentException notBase64) {
            throw new InvalidRequestException("pageToken", "page-token", "pageToken must be a nextPageToken this API returned");
        }
    }

    @Get("/cmk-workspace/{subscriptionId}/{resourceGroup}/{workspace}")
    @Secured({ApiRoles.VIEWER, ApiRoles.OPERATOR})
    @Operation(summary = "A run: its state query, pending activity (attempt, last failure), event timeline and Temporal UI link")
    @ApiResponse(responseCode = "200", description = "the run")
    @ApiResponse(responseCode = "404", description = "Temporal knows no run with this id")
    public RunView show(@PathVariable String subscriptionId, @PathVariable String resourceGroup, @PathVariable String workspace) {
        String workflowId = WorkflowIds.forTarget(subscriptionId, resourceGroup, workspace);
        RunDetails details = control.details(workflowId);
        return new RunView(workflowId, temporal.runLink(workflowId, details.runId()), control.state(workflowId), details);
    }

    @Post("/cmk-workspace/{subscriptionId}/{resourceGroup}/{workspace}/retry")
    @Secured(ApiRoles.OPERATOR)
    @Operation(summary = "Re-run the step a parked run (AwaitingOperator) failed on: the workflow's `retry` update")
    @ApiResponse(responseCode = "200", description = "the run accepted the update and re-runs the step")
    @ApiResponse(responseCode = "404", description = "Temporal knows no run with this id")
    @ApiResponse(responseCode = "409", description = "the run refused: it is not parked, or it has ended (the reason says which)")
    public ActionResult retry(@PathVariable String subscriptionId, @PathVariable String resourceGroup,
                              @PathVariable String workspace, @Nullable @Body ActionRequest body, Authentication who) {
        String workflowId = WorkflowIds.forTarget(subscriptionId, resourceGroup, workspace);
        String reason = audit.stamp(who, body == null ? null : body.reason());
        return act(who, "retry", workflowId, reason, () -> control.retry(workflowId, reason));
    }

    @Post("/cmk-workspace/{subscriptionId}/{resourceGroup}/{workspace}/abort")
    @Secured(ApiRoles.OPERATOR)
    @Operation(summary = "Give up a parked run: the workflow's `abort` update compensates what it created and ends it")
    @ApiResponse(responseCode = "200", description = "the run accepted the update and compensates")
    @ApiResponse(responseCode = "404", description = "Temporal knows no run with this id")
    @ApiResponse(responseCode = "409", description = "the run refused: it is not parked, or it has ended (the reason says which)")
    public ActionResult abort(@PathVariable String subscriptionId, @PathVariable String resourceGroup,
                              @PathVariable String workspace, @Nullable @Body ActionRequest body, Authentication who) {
        String workflowId = WorkflowIds.forTarget(subscriptionId, resourceGroup, workspace);
        String reason = audit.stamp(who, body == null ? null : body.reason());
        return act(who, "abort", workflowId, reason, () -> control.abort(workflowId, reason));
    }

    @Post("/cmk-workspace/{subscriptionId}/{resourceGroup}/{workspace}/cancel")
    @Secured(ApiRoles.OPERATOR)
    @Operation(summary = "Cancel a run: it compensates what it created and ends Cancelled; the reason is the cancellation's cause in its history")
    @ApiResponse(responseCode = "202", description = "cancellation requested")
    @ApiResponse(responseCode = "404", description = "Temporal knows no run with this id")
    @ApiResponse(responseCode = "409", description = "the run has ended")
    public HttpResponse<ActionResult> cancel(@PathVariable String subscriptionId, @PathVariable String resourceGroup,
                                               @PathVariable String workspace, @Nullable @Body ActionRequest body,
                                               Authentication who) {
        String workflowId = WorkflowIds.forTarget(subscriptionId, resourceGroup, workspace);
        String reason = audit.stamp(who, body == null ? null : body.reason());
        return HttpResponse.accepted().body(act(who, "cancel", workflowId, reason, () -> {
            control.cancel(workflowId, reason);
            return RunOperations.CANCEL_REQUESTED;
        }));
    }

    /** Runs the action and audits it, refused or not; a refusal still reaches the caller as 404 or 409. */
    private ActionResult act(Authentication who, String action, String workflowId, String reason, Supplier<String> run) {
        try {
            String result = run.get();
            audit.record(who, action, workflowId, "accepted: " + result);
            return new ActionResult(workflowId, action, result, reason);
        } catch (RunNotFoundException unknown) {
            audit.record(who, action, workflowId, "unknown run");
            throw unknown;
        } catch (RunControlException refused) {
            audit.record(who, action, workflowId, "refused: " + refused.getMessage());
            throw refused;
        }
    }

    /** Adds one filter, refusing a value the visibility query cannot hold with the query parameter's name. */
    private static RunQuery filter(RunQuery query, String field, String value, BiFunction<RunQuery, String, RunQuery> with) {
        if (value == null || value.isEmpty()) {
            return query;
        }
        try {
            RunQuery filtered = with.apply(query, value);
            filtered.visibilityQuery();
            return filtered;
        } catch (RunControlException invalid) {
            throw new InvalidRequestException(field, "filter", invalid.getMessage());
        }
    }
}
