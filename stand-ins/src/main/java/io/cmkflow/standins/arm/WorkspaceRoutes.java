package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.List;
import java.util.Locale;

/**
 * Microsoft.MachineLearningServices workspaces. A create is a long-running operation (201 Creating plus an
 * {@code Azure-AsyncOperation} URL) that validates the CMK settings as Azure does, and on success makes the
 * Microsoft-managed resource group with a Cosmos DB account, a storage account and a search service. A delete is 202
 * plus {@code Location}; with {@code forceToPurge=true} it removes the workspace and its managed group, without it
 * the workspace is soft-deleted and keeps its name blocked. A PATCH of {@code encryption.keyVaultProperties.keyIdentifier}
 * (the workspace's key rotation) is 202 plus {@code Location}: only to a key of the same vault, checked as at creation.
 */
final class WorkspaceRoutes implements Route.Family {
    private static final String NAMESPACE = "Microsoft.MachineLearningServices";

    private final WorkspaceStore workspaces;
    private final LongRunningOperations operations;
    private final ResourceStore resources;
    private final SimulatorEndpoints endpoints;
    private final Duration retryAfter;

    /** {@code retryAfter}: what in-progress answers send as {@code Retry-After}; zero sends none. */
    WorkspaceRoutes(WorkspaceStore workspaces, LongRunningOperations operations, ResourceStore resources,
                    SimulatorEndpoints endpoints, Duration retryAfter) {
        this.workspaces = workspaces;
        this.operations = operations;
        this.resources = resources;
        this.endpoints = endpoints;
        this.retryAfter = retryAfter;
    }

    /** An answer about an operation still in progress, with the polling interval Azure asks for. */
    private ArmResponse inProgress(ArmResponse answer) {
        return answer.retryAfter(retryAfter);
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions")) {
            return null;
        }
        String method = r.method.toUpperCase(Locale.ROOT);
        if (r.size() == 8 && r.is(2, "providers") && r.is(3, NAMESPACE) && r.is(4, "locations")
                && method.equals("GET")) {
            if (r.is(6, "workspaceOperationsStatus")) {
                return new Route("WorkspaceOperations_GetStatus", () -> {
                    LongRunningOperations.Operation operation = operations.require(r.segment(7));
                    ArmResponse answer = ArmResponse.ok(operation.statusDocument());
                    return operation.inProgress() ? inProgress(answer) : answer;
                });
            }
            if (r.is(6, "workspaceOperationResults")) {
                return new Route("WorkspaceOperations_GetResult", () -> operationResult(r));
            }
            return null;
        }
        if (r.size() == 5 && r.is(2, "providers") && r.is(3, NAMESPACE) && r.is(4, "workspaces") && method.equals("GET")) {
            String subscription = r.segment(1);
            return new Route("Workspaces_ListBySubscription", () -> ArmResponse.ok(JsonDocuments.list(
                    workspaces.inSubscription(subscription))));
        }
        if (!(r.is(2, "resourceGroups") && r.is(4, "providers") && r.is(5, NAMESPACE) && r.is(6, "workspaces"))) {
            return null;
        }
        String subscription = r.segment(1);
        String group = r.segment(3);
        if (r.size() == 7 && method.equals("GET")) {
            return new Route("Workspaces_ListByResourceGroup", () -> ArmResponse.ok(JsonDocuments.list(
                    workspaces.inGroup(subscription, group))));
        }
        if (r.size() != 8) {
            return null;
        }
        String id = WorkspaceStore.id(subscription, group, r.segment(7));
        return switch (method) {
            case "PUT" -> new Route("Workspaces_CreateOrUpdate", () -> createOrUpdate(r, id));
            case "GET" -> new Route("Workspaces_Get", () -> ArmResponse.ok(workspaces.require(id)));
            case "PATCH" -> new Route("Workspaces_Update", () -> update(r, id));
            case "DELETE" -> new Route("Workspaces_Delete", () -> delete(r, id));
            case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                    resources.exists(id) ? 204 : 404));
            default -> null;
        };
    }

    private ArmResponse createOrUpdate(ArmRequest r, String id) {
        ObjectNode body = r.jsonBody();
        workspaces.requireNameNotReserved(id);
        ObjectNode current = workspaces.get(id);
        if (current != null && !"Failed".equalsIgnoreCase(JsonDocuments.text(current, "properties", "provisioningState"))) {
            return ArmResponse.ok(workspaces.update(current, body));
        }
        String location = JsonDocuments.text(body, "location");
        if (location == null || location.isBlank()) {
            throw ArmError.badRequest("BadRequest", "The workspace property 'location' is required.");
        }
        JsonNode props = body.path("properties");
        for (String required : List.of("storageAccount", "keyVault")) {
            if (JsonDocuments.text(props, required) == null) {
                throw ArmError.badRequest("BadRequest", "The workspace property 'properties." + required
                        + "' is required.");
            }
        }
        WorkspaceStore.Started created = workspaces.create(id, body, location);
        return inProgress(ArmResponse.status(201, created.workspace()).header("Azure-AsyncOperation",
                operationUrl(r, id, created, "workspaceOperationsStatus")));
    }

    /** Tags and names at once (200); a new key identifier as a long-running operation (202 plus {@code Location}). */
    private ArmResponse update(ArmRequest r, String id) {
        ObjectNode body = r.jsonBody();
        ObjectNode updated = workspaces.update(workspaces.require(id), body);
        String keyIdentifier = JsonDocuments.text(body, "properties", "encryption", "keyVaultProperties", "keyIdentifier");
        if (keyIdentifier == null) {
            return ArmResponse.ok(updated);
        }
        WorkspaceStore.Started changing = workspaces.changeKey(id, keyIdentifier);
        return inProgress(ArmResponse.empty(202).header("Location", operationUrl(r, id, changing, "workspaceOperationResults")));
    }

    private ArmResponse delete(ArmRequest r, String id) {
        WorkspaceStore.Started deleting = workspaces.delete(id, "true".equalsIgnoreCase(r.query("forceToPurge")));
        if (deleting == null) {
            return ArmResponse.empty(204);
        }
        return inProgress(ArmResponse.empty(202).header("Location", operationUrl(r, id, deleting, "workspaceOperationResults")));
    }

    private String operationUrl(ArmRequest r, String id, WorkspaceStore.Started started, String kind) {
        String apiVersion = r.query("api-version") == null ? "2026-07-01" : r.query("api-version");
        return endpoints.baseUrl() + "subscriptions/" + ResourceIds.after(id, "subscriptions") + "/providers/"
                + NAMESPACE + "/locations/" + started.location().replace(" ", "").toLowerCase(Locale.ROOT) + "/"
                + kind + "/" + started.operation().id() + "?api-version=" + apiVersion;
    }

    private ArmResponse operationResult(ArmRequest r) {
        LongRunningOperations.Operation operation = operations.require(r.segment(7));
        return switch (operation.status()) {
            case "InProgress" -> inProgress(ArmResponse.empty(202).header("Location", endpoints.baseUrl()
                    + r.path.substring(1) + "?api-version=" + r.query("api-version")));
            case "Succeeded" -> ArmResponse.empty(200);
            // ARM's asynchronous operations: the Location URL answers a failure as the original request would have.
            default -> throw new ArmError(operation.failureStatus(), operation.error().path("code").asText(),
                    operation.error().path("message").asText());
        };
    }
}
