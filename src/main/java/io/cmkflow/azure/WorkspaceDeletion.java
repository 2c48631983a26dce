package io.cmkflow.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.AzureResourceManager;

import java.io.IOException;
import java.util.Map;
import java.util.Optional;

/**
 * Deletes a workspace with {@code forceToPurge=true}, so its name is not held in soft-delete for 14 days, and polls
 * the delete to its end. The SDK's generic {@code deleteById} takes only the resource id and api-version (which it
 * URL-encodes), so it cannot add forceToPurge; this DELETE is sent by hand, through the same pipeline (guard, auth,
 * retry) the SDK uses.
 */
final class WorkspaceDeletion {

    private final HttpPipeline pipeline;
    private final String endpoint;
    private final PollingPolicy polling;

    WorkspaceDeletion(AzureResourceManager azure, PollingPolicy polling) {
        this.pipeline = azure.genericResources().manager().httpPipeline();
        String arm = azure.genericResources().manager().environment().getResourceManagerEndpoint();
        this.endpoint = arm.endsWith("/") ? arm.substring(0, arm.length() - 1) : arm;
        this.polling = polling;
    }

    /** Deletes the workspace, purging it when {@code purge} (a soft-deleted one keeps its name blocked). */
    void delete(String workspaceId, boolean purge, Runnable heartbeat) {
        String url = endpoint + workspaceId + "?api-version=" + WorkspaceStep.ML_API_VERSION + (purge ? "&forceToPurge=true" : "");
        String pollUrl;
        try (HttpResponse response = pipeline.sendSync(new HttpRequest(HttpMethod.DELETE, url), Context.NONE)) {
            int status = response.getStatusCode();
            if (status == 200 || status == 204 || status == 404) {
                return;
            }
            if (status != 202) {
                throw failedResponse(workspaceId, response);
            }
            pollUrl = Optional.ofNullable(response.getHeaderValue("Azure-AsyncOperation"))
                    .orElse(response.getHeaderValue("Location"));
        }
        if (pollUrl != null) {
            polling.poll("workspace " + workspaceId + " to be deleted", heartbeat, () -> pollOnce(workspaceId, pollUrl));
        }
    }

    /** One GET of the operation: not yet (with Azure's Retry-After) while it runs, true once the workspace is gone. */
    private PollingPolicy.Poll<Boolean> pollOnce(String workspaceId, String operation) {
        try (HttpResponse poll = pipeline.sendSync(new HttpRequest(HttpMethod.GET, operation), Context.NONE)) {
            int status = poll.getStatusCode();
            PollingPolicy.Poll<Boolean> running = PollingPolicy.Poll.notYet(
                    AzureErrorClassifier.retryAfterIn(poll.getHeaders()).orElse(null));
            if (status == 202) {
                return running;
            }
            if (status == 404 || status == 204) {
                return PollingPolicy.Poll.done(true);
            }
            if (status != 200) {
                throw failedResponse(workspaceId, poll);
            }
            String body = bodyOf(poll);
            String opStatus = operationStatus(body);
            if (opStatus == null || "succeeded".equalsIgnoreCase(opStatus)) {
                return PollingPolicy.Poll.done(true);
            }
            if ("failed".equalsIgnoreCase(opStatus) || "canceled".equalsIgnoreCase(opStatus)) {
                throw new AzureStepException(AzureErrorClassifier.classify("WorkspaceDeleteFailed", 200,
                        "workspace " + workspaceId + " delete ended " + opStatus + ": " + body, poll.getHeaders()));
            }
            return running;
        }
    }

    private static AzureStepException failedResponse(String workspaceId, HttpResponse response) {
        String body = bodyOf(response);
        String code = AzureErrorClassifier.errorBody(body).code();
        return new AzureStepException(AzureErrorClassifier.classify(code == null ? "Http" + response.getStatusCode() : code,
                response.getStatusCode(), "workspace " + workspaceId + ": " + body, response.getHeaders()));
    }

    private static String bodyOf(HttpResponse response) {
        return response.getBodyAsBinaryData() == null ? "" : response.getBodyAsBinaryData().toString();
    }

    /** An Azure-AsyncOperation answer carries {@code status}; a Location answer may be the resource itself. */
    private static String operationStatus(String body) {
        if (body.isBlank()) {
            return null;
        }
        try (JsonReader reader = JsonProviders.createReader(body)) {
            if (reader.readUntyped() instanceof Map<?, ?> map) {
                if (map.get("status") != null) {
                    return String.valueOf(map.get("status"));
                }
                if (map.get("properties") instanceof Map<?, ?> props && props.get("provisioningState") != null) {
                    return String.valueOf(props.get("provisioningState"));
                }
            }
            return null;
        } catch (IOException | RuntimeException unreadable) {
            return null;
        }
    }
}
