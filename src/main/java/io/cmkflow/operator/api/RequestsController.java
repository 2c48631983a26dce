package io.cmkflow.operator.api;

import io.cmkflow.request.IncomingRequest;
import io.cmkflow.request.IntakeDecision;
import io.cmkflow.request.IntakeService;
import io.cmkflow.request.RejectionReason;
import io.cmkflow.temporal.TemporalSettings;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.MediaType;
import io.micronaut.http.annotation.Body;
import io.micronaut.http.annotation.Consumes;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Post;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.authentication.Authentication;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.UUID;

/**
 * Starts a request for callers without Service Bus, through the intake's own {@link IntakeService}: the same
 * validation, reasons and status events (a refused request gets its `rejected` event on the status queue, as a
 * dead-lettered message does).
 */
@Controller("/api/requests")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "requests")
@SecurityRequirement(name = "bearer")
public class RequestsController {
    private final IntakeService intake;
    private final TemporalSettings temporal;
    private final AuditLog audit;

    RequestsController(IntakeService intake, TemporalSettings temporal, AuditLog audit) {
        this.intake = intake;
        this.temporal = temporal;
        this.audit = audit;
    }

    /** A run started (outcome STARTED) or the existing run of this very request (DUPLICATE). */
    public record Accepted(String requestId, String workflowId, String runId, CmkWorkflowStarter.Outcome outcome, String temporalUi) {
    }

    @Post
    @Consumes(MediaType.APPLICATION_JSON)
    @Secured(ApiRoles.OPERATOR)
    @Operation(summary = "Validate a request (workflows/cmk-workspace/request.schema.json) and start its run, as the Service Bus intake does")
    @ApiResponse(responseCode = "202", description = "the run was started, or this request's run exists (outcome DUPLICATE)")
    @ApiResponse(responseCode = "400", description = "the request is invalid: the intake's reason with each field and rule")
    @ApiResponse(responseCode = "409", description = "another request for the same workspace has a run in flight (TargetBusy)")
    public HttpResponse<?> submit(@Body byte[] body, HttpRequest<?> request, Authentication who) {
        IncomingRequest message = new IncomingRequest("api-" + UUID.randomUUID(),
                request.getContentType().map(MediaType::toString).orElse(null), null, body);
        // The intake names the request: it reads no body over the size limit, not even for its request id.
        IntakeDecision decision = intake.handle(message);
        if (decision instanceof IntakeDecision.Complete complete) {
            CmkWorkflowStarter.StartResult start = complete.start();
            audit.record(who, "submit", start.workflowId(), start.outcome() + " request " + complete.requestId());
            return HttpResponse.accepted().body(new Accepted(complete.requestId(), start.workflowId(), start.runId(), start.outcome(),
                    temporal.runLink(start.workflowId(), start.runId())));
        }
        IntakeDecision.DeadLetter refused = (IntakeDecision.DeadLetter) decision;
        audit.record(who, "submit", null, "rejected request " + refused.requestId() + ": " + refused.reason());
        int status = refused.reason() == RejectionReason.TargetBusy ? 409 : 400;
        return ProblemHandlers.problem(new Problem(status, "Request rejected", refused.description(), null, null,
                refused.reason().name(), refused.violations()));
    }
}
