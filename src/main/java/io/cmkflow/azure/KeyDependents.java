package io.cmkflow.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.util.Context;
import com.azure.resourcemanager.AzureResourceManager;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Who else uses a vault or a key a run made: the Machine Learning workspaces in the request's subscription whose
 * {@code encryption.keyVaultProperties} name it, read from Machine Learning's own list (current, unlike Azure Resource
 * Graph, which lags behind changes; see docs/azure-behaviour.md). Before an undo removes Cosmos DB's access to a key,
 * deletes a key or deletes a vault, it asks this and leaves the resource in place when a workspace other than the
 * request's own uses it: another run may have been given the vault by {@code keyVault.existingId}.
 */
final class KeyDependents {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final AzureClients clients;

    KeyDependents(AzureClients clients) {
        this.clients = clients;
    }

    /**
     * The ids of the workspaces (other than the request's own) encrypted with a key of {@code vaultId}, or with
     * {@code keyName} in it when that is not null.
     */
    List<String> workspacesUsing(CmkRequest request, String vaultId, String keyName) {
        AzureResourceManager azure = clients.forRequest(request);
        HttpPipeline pipeline = azure.genericResources().manager().httpPipeline();
        String own = ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), "Microsoft.MachineLearningServices",
                "workspaces", request.workspace().name());
        String endpoint = azure.genericResources().manager().serviceClient().getEndpoint().replaceAll("/+$", "");
        String next = endpoint + "/subscriptions/" + request.subscriptionId()
                + "/providers/Microsoft.MachineLearningServices/workspaces?api-version=" + WorkspaceStep.ML_API_VERSION;
        List<String> using = new ArrayList<>();
        while (next != null) {
            JsonNode page = get(pipeline, next);
            for (JsonNode workspace : page.path("value")) {
                JsonNode key = workspace.path("properties").path("encryption").path("keyVaultProperties");
                String id = workspace.path("id").asText();
                if (!id.equalsIgnoreCase(own) && vaultId.equalsIgnoreCase(key.path("keyVaultArmId").asText())
                        && (keyName == null || namesKey(key.path("keyIdentifier").asText(), keyName))) {
                    using.add(id);
                }
            }
            next = page.hasNonNull("nextLink") ? page.get("nextLink").asText() : null;
        }
        return using;
    }

    /** {@code https://<vault>/keys/<name>} with or without a version. */
    private static boolean namesKey(String keyIdentifier, String keyName) {
        String path = keyIdentifier.toLowerCase(Locale.ROOT);
        String key = "/keys/" + keyName.toLowerCase(Locale.ROOT);
        return path.endsWith(key) || path.contains(key + "/");
    }

    private static JsonNode get(HttpPipeline pipeline, String url) {
        try (HttpResponse response = pipeline.sendSync(new HttpRequest(HttpMethod.GET, url), Context.NONE)) {
            String body = response.getBodyAsBinaryData() == null ? "" : response.getBodyAsBinaryData().toString();
            if (response.getStatusCode() != 200) {
                throw new ManagementException("listing the workspaces that may use the key failed: HTTP "
                        + response.getStatusCode() + " " + body, response);
            }
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
