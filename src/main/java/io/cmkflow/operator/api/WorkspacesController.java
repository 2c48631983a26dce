package io.cmkflow.operator.api;

import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.operator.RunControl;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.http.annotation.QueryValue;
import io.micronaut.scheduling.TaskExecutors;
import io.micronaut.scheduling.annotation.ExecuteOn;
import io.micronaut.security.annotation.Secured;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.responses.ApiResponse;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;

import java.util.List;

/** The workspaces cmkflow created and watches: each one's posture schedule and its last CMK posture check. */
@Controller("/api/workspaces")
@ExecuteOn(TaskExecutors.BLOCKING)
@Tag(name = "workspaces")
@SecurityRequirement(name = "bearer")
public class WorkspacesController {
    static final int MAX_LIMIT = 1000;

    private final RunControl control;

    WorkspacesController(RunControl control) {
        this.control = control;
    }

    @Get
    @Secured({ApiRoles.VIEWER, ApiRoles.OPERATOR})
    @Operation(summary = "List the workspaces under a posture schedule with their last posture (Healthy, AtRisk, Broken) and findings")
    @ApiResponse(responseCode = "200", description = "the workspaces, by schedule id")
    @ApiResponse(responseCode = "400", description = "limit is out of range (field and rule named)")
    public List<RunControl.WorkspacePosture> list(@Nullable @QueryValue Integer limit) {
        int size = limit == null ? RunControl.PAGE_SIZE : limit;
        if (size < 1 || size > MAX_LIMIT) {
            throw new InvalidRequestException("limit", "limit.range", "must be 1-" + MAX_LIMIT + ", was " + size);
        }
        return control.workspaces(size);
    }
}
