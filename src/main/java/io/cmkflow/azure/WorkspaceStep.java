package io.cmkflow.azure;

import io.cmkflow.contract.ArmResourceId;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.Context;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.resources.fluent.ResourcesClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import com.azure.resourcemanager.resources.models.Identity;
import com.azure.resourcemanager.resources.models.IdentityUserAssignedIdentitiesValue;
import com.azure.resourcemanager.resources.models.ResourceIdentityType;
import com.azure.resourcemanager.storage.fluent.models.StorageAccountInner;
import com.azure.resourcemanager.storage.models.Kind;
import com.azure.resourcemanager.storage.models.MinimumTlsVersion;
import com.azure.resourcemanager.storage.models.Sku;
import com.azure.resourcemanager.storage.models.SkuName;
import com.azure.resourcemanager.storage.models.StorageAccount;
import com.azure.resourcemanager.storage.models.StorageAccountCreateParameters;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Step 5: the CMK-encrypted Machine Learning workspace, through generic resources (the typed ML SDK is not
 * available) with an explicit api-version, and its associated storage account and Application Insights (given by
 * id or created with deterministic names and this run's tags). The encryption settings cannot change after
 * creation, so an existing workspace with other settings is refused rather than updated.
 */
public final class WorkspaceStep {

    public static final String ML_NAMESPACE = "Microsoft.MachineLearningServices";
    public static final String ML_API_VERSION = "2026-07-01";
    public static final String INSIGHTS_NAMESPACE = "microsoft.insights";
    public static final String INSIGHTS_API_VERSION = "2020-02-02";
    private static final Set<String> IN_PROGRESS = Set.of("creating", "updating", "accepted", "running", "deleting");

    private final AzureClients clients;
    private final PollingPolicy polling;

    public WorkspaceStep(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.polling = polling;
    }

    public static String workspaceId(CmkRequest request) {
        return ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), ML_NAMESPACE, "workspaces",
                request.workspace().name());
    }

    /** Deterministic, globally-unlikely-to-clash storage account name (3-24 lowercase alphanumerics) for the workspace. */
    public static String storageAccountName(CmkRequest request) {
        String base = request.workspace().name().toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        String prefix = "st" + base.substring(0, Math.min(base.length(), 14));
        return prefix + hash(request.subscriptionId() + "/" + request.resourceGroup() + "/" + request.workspace().name(), 8);
    }

    public static String applicationInsightsName(CmkRequest request) {
        return request.workspace().name() + "-insights";
    }

    public static String applicationInsightsId(CmkRequest request) {
        return ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), INSIGHTS_NAMESPACE, "components",
                applicationInsightsName(request));
    }

    public WorkspaceOutcome ensure(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner, Runnable heartbeat) {
        return AzureStepException.classifying(() -> ensureInAzure(request, vault, key, owner, heartbeat));
    }

    private WorkspaceOutcome ensureInAzure(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner, Runnable heartbeat) {
        AzureResourceManager azure = clients.forRequest(request);
        ResourcesClient resources = azure.genericResources().manager().serviceClient().getResources();
        String workspaceId = workspaceId(request);

        Optional<GenericResourceInner> existing = ArmLookup.find(() -> resources.getById(workspaceId, ML_API_VERSION));
        if (existing.isPresent()) {
            requireSameEncryption(existing.get(), vault, key);
            if (isFailed(existing.get()) && !owner.owns(existing.get().tags())) {
                // Re-putting it would tag someone else's workspace as ours, and a later undo would delete it.
                throw new AzureStepException(AzureFailure.nonRetryable("ExistingWorkspaceFailed",
                        "workspace " + workspaceId + " exists in state " + provisioningState(existing.get())
                                + " and was not created by this run; cmkflow will not re-create it"));
            }
        }
        Associated storage = ensureStorage(azure, request, owner, heartbeat);
        Associated insights = ensureInsights(resources, request, owner, heartbeat);

        GenericResourceInner workspace;
        boolean created;
        if (existing.isPresent() && !isFailed(existing.get())) {
            created = owner.owns(existing.get().tags());
            workspace = isInProgress(existing.get())
                    ? awaitTerminal(resources, workspaceId, heartbeat)
                    : existing.get();
        } else {
            created = true;
            workspace = createWorkspace(resources, workspaceId, body(request, vault, key, owner, storage.id, insights.id), heartbeat);
        }
        String state = provisioningState(workspace);
        if (!"succeeded".equalsIgnoreCase(state)) {
            throw new AzureStepException(AzureFailure.retryable("WorkspaceProvisioningFailed",
                    "workspace " + workspaceId + " ended in provisioning state " + state));
        }
        String managedGroup = stringProperty(workspace, "serviceProvisionedResourceGroup");
        if (managedGroup != null) {
            clients.managedGroups().remember(request.subscriptionId(), groupName(managedGroup), workspaceId);
        }
        return new WorkspaceOutcome(workspaceId, created, state, storage.id, storage.created, insights.id, insights.created,
                managedGroup);
    }

    /**
     * Deletes and purges (forceToPurge=true, so the name is not blocked for 14 days) the workspace, then the storage
     * account and Application Insights this run created. Azure removes the managed resource group with the workspace.
     */
    public List<UndoOutcome> undo(CmkRequest request, Ownership owner, Runnable heartbeat) {
        return AzureStepException.classifying(() -> undoInAzure(request, owner, heartbeat));
    }

    private List<UndoOutcome> undoInAzure(CmkRequest request, Ownership owner, Runnable heartbeat) {
        AzureResourceManager azure = clients.forRequest(request);
        ResourcesClient resources = azure.genericResources().manager().serviceClient().getResources();
        List<UndoOutcome> outcomes = new ArrayList<>();
        String workspaceId = workspaceId(request);
        Optional<GenericResourceInner> workspace = ArmLookup.find(() -> resources.getById(workspaceId, ML_API_VERSION));
        if (workspace.isEmpty()) {
            outcomes.add(new UndoOutcome(workspaceId, UndoOutcome.Result.ALREADY_GONE, "workspace does not exist", null));
        } else if (!owner.owns(workspace.get().tags())) {
            outcomes.add(new UndoOutcome(workspaceId, UndoOutcome.Result.NOT_OURS, "workspace does not carry this run's tags; left untouched", null));
        } else {
            deleteAndPurgeWorkspace(azure, workspaceId, heartbeat);
            outcomes.add(new UndoOutcome(workspaceId, UndoOutcome.Result.DELETED,
                    "workspace deleted and purged; Azure removes its managed resource group", null));
        }
        if (request.workspace().storageAccountId() == null) {
            String id = ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), "Microsoft.Storage",
                    "storageAccounts", storageAccountName(request));
            Optional<StorageAccount> account = ArmLookup.find(() -> azure.storageAccounts().getById(id));
            outcomes.add(undoAssociated(id, account.map(StorageAccount::tags), owner, () -> azure.storageAccounts().deleteById(id)));
        }
        if (request.workspace().applicationInsightsId() == null) {
            String id = applicationInsightsId(request);
            Optional<GenericResourceInner> component = ArmLookup.find(() -> resources.getById(id, INSIGHTS_API_VERSION));
            outcomes.add(undoAssociated(id, component.map(GenericResourceInner::tags), owner,
                    () -> resources.deleteById(id, INSIGHTS_API_VERSION)));
        }
        return outcomes;
    }

    private static UndoOutcome undoAssociated(String id, Optional<Map<String, String>> tags, Ownership owner, Runnable delete) {
        if (tags.isEmpty()) {
            return new UndoOutcome(id, UndoOutcome.Result.ALREADY_GONE, "does not exist", null);
        }
        if (!owner.owns(tags.get())) {
            return new UndoOutcome(id, UndoOutcome.Result.NOT_OURS, "does not carry this run's tags; left untouched", null);
        }
        delete.run();
        return new UndoOutcome(id, UndoOutcome.Result.DELETED, "deleted", null);
    }

    private Associated ensureStorage(AzureResourceManager azure, CmkRequest request, Ownership owner, Runnable heartbeat) {
        String given = request.workspace().storageAccountId();
        if (given != null) {
            StorageAccount account = ArmLookup.find(() -> azure.storageAccounts().getById(given))
                    .orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable("StorageAccountNotFound",
                            "workspace.storageAccountId " + given + " does not exist")));
            return new Associated(account.id(), false);
        }
        String name = storageAccountName(request);
        Optional<StorageAccount> existing = ArmLookup.find(() ->
                azure.storageAccounts().getByResourceGroup(request.resourceGroup(), name));
        if (existing.isPresent()) {
            return new Associated(existing.get().id(), owner.owns(existing.get().tags()));
        }
        // The storage module's inner client, so the long-running create is polled (and heartbeats) at this step's pace.
        SyncPoller<PollResult<StorageAccountInner>, StorageAccountInner> poller = azure.storageAccounts().manager()
                .serviceClient().getStorageAccounts().beginCreate(request.resourceGroup(), name,
                        new StorageAccountCreateParameters()
                                .withSku(new Sku().withName(SkuName.STANDARD_LRS))
                                .withKind(Kind.STORAGE_V2)
                                .withLocation(request.location())
                                .withTags(owner.tags())
                                .withEnableHttpsTrafficOnly(true)
                                .withMinimumTlsVersion(MinimumTlsVersion.TLS1_2)
                                .withAllowBlobPublicAccess(false));
        polling.awaitCompletion("storage account " + name, heartbeat, poller);
        StorageAccountInner created = poller.getFinalResult();
        return new Associated(created.id(), true);
    }

    private Associated ensureInsights(ResourcesClient resources, CmkRequest request, Ownership owner, Runnable heartbeat) {
        String given = request.workspace().applicationInsightsId();
        if (given != null) {
            GenericResourceInner component = ArmLookup.find(() -> resources.getById(given, INSIGHTS_API_VERSION))
                    .orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable("ApplicationInsightsNotFound",
                            "workspace.applicationInsightsId " + given + " does not exist")));
            return new Associated(component.id(), false);
        }
        String id = applicationInsightsId(request);
        Optional<GenericResourceInner> existing = ArmLookup.find(() -> resources.getById(id, INSIGHTS_API_VERSION));
        if (existing.isPresent()) {
            return new Associated(existing.get().id(), owner.owns(existing.get().tags()));
        }
        GenericResourceInner body = new GenericResourceInner().withKind("web")
                .withProperties(Map.of("Application_Type", "web"))
                .withLocation(request.location())
                .withTags(owner.tags());
        SyncPoller<PollResult<GenericResourceInner>, GenericResourceInner> poller =
                resources.beginCreateOrUpdateById(id, INSIGHTS_API_VERSION, body);
        polling.awaitCompletion("application insights " + id, heartbeat, poller);
        GenericResourceInner created = poller.getFinalResult();
        return new Associated(created.id() != null ? created.id() : id, true);
    }

    private GenericResourceInner createWorkspace(ResourcesClient resources, String workspaceId, GenericResourceInner body,
                                                 Runnable heartbeat) {
        SyncPoller<PollResult<GenericResourceInner>, GenericResourceInner> poller =
                resources.beginCreateOrUpdateById(workspaceId, ML_API_VERSION, body);
        PollResponse<PollResult<GenericResourceInner>> last = polling.awaitCompletion("workspace " + workspaceId, heartbeat, poller);
        if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
            throw new AzureStepException(failureOf(workspaceId, last));
        }
        return poller.getFinalResult();
    }

    private GenericResourceInner awaitTerminal(ResourcesClient resources, String workspaceId, Runnable heartbeat) {
        return polling.await("workspace " + workspaceId + " to reach a terminal state", heartbeat, () -> {
            GenericResourceInner current = resources.getById(workspaceId, ML_API_VERSION);
            return isInProgress(current) ? Optional.empty() : Optional.of(current);
        });
    }

    /** A failed operation carries Azure's code in its last poll answer; classify on it, not on the message. */
    private static AzureFailure failureOf(String workspaceId, PollResponse<PollResult<GenericResourceInner>> last) {
        PollResult.Error error = last.getValue() == null ? null : last.getValue().getError();
        if (error == null) {
            return AzureFailure.retryable("WorkspaceOperation" + last.getStatus(), "workspace " + workspaceId + " operation ended " + last.getStatus());
        }
        String code = null;
        String message = error.getMessage();
        String body = error.getResponseBody();
        if (body != null && !body.isBlank()) {
            try (JsonReader reader = JsonProviders.createReader(body)) {
                Object parsed = reader.readUntyped();
                Object err = parsed instanceof Map<?, ?> map ? map.get("error") : null;
                if (err instanceof Map<?, ?> e) {
                    code = e.get("code") == null ? null : String.valueOf(e.get("code"));
                    message = e.get("message") == null ? message : String.valueOf(e.get("message"));
                }
            } catch (IOException | RuntimeException unreadable) {
                // keep the SDK's message; the code stays unknown
            }
        }
        HttpHeaders headers = error.getResponseHeaders();
        return AzureErrorClassifier.classify(code == null ? "WorkspaceProvisioningFailed" : code,
                error.getResponseStatusCode(), "workspace " + workspaceId + ": " + message, headers);
    }

    private void deleteAndPurgeWorkspace(AzureResourceManager azure, String workspaceId, Runnable heartbeat) {
        // Generic deleteById cannot add forceToPurge, so this DELETE goes through the same pipeline (guard, auth, retry) by hand.
        String endpoint = azure.genericResources().manager().environment().getResourceManagerEndpoint();
        String url = (endpoint.endsWith("/") ? endpoint.substring(0, endpoint.length() - 1) : endpoint)
                + workspaceId + "?api-version=" + ML_API_VERSION + "&forceToPurge=true";
        var pipeline = azure.genericResources().manager().httpPipeline();
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
        if (pollUrl == null) {
            return;
        }
        String operation = pollUrl;
        polling.await("workspace " + workspaceId + " to be deleted", heartbeat, () -> {
            try (HttpResponse poll = pipeline.sendSync(new HttpRequest(HttpMethod.GET, operation), Context.NONE)) {
                int status = poll.getStatusCode();
                if (status == 202) {
                    return Optional.empty();
                }
                if (status == 404 || status == 204) {
                    return Optional.of(true);
                }
                if (status != 200) {
                    throw failedResponse(workspaceId, poll);
                }
                String body = poll.getBodyAsBinaryData() == null ? "" : poll.getBodyAsBinaryData().toString();
                String opStatus = operationStatus(body);
                if (opStatus == null || "succeeded".equalsIgnoreCase(opStatus)) {
                    return Optional.of(true);
                }
                if ("failed".equalsIgnoreCase(opStatus) || "canceled".equalsIgnoreCase(opStatus)) {
                    throw new AzureStepException(AzureErrorClassifier.classify("WorkspaceDeleteFailed", 200,
                            "workspace " + workspaceId + " delete ended " + opStatus + ": " + body, poll.getHeaders()));
                }
                return Optional.empty();
            }
        });
    }

    private static AzureStepException failedResponse(String workspaceId, HttpResponse response) {
        String body = response.getBodyAsBinaryData() == null ? "" : response.getBodyAsBinaryData().toString();
        String code = null;
        try (JsonReader reader = JsonProviders.createReader(body)) {
            Object parsed = reader.readUntyped();
            if (parsed instanceof Map<?, ?> map && map.get("error") instanceof Map<?, ?> e && e.get("code") != null) {
                code = String.valueOf(e.get("code"));
            }
        } catch (IOException | RuntimeException unreadable) {
            // no Azure error body: classify by status
        }
        return new AzureStepException(AzureErrorClassifier.classify(code == null ? "Http" + response.getStatusCode() : code,
                response.getStatusCode(), "workspace " + workspaceId + ": " + body, response.getHeaders()));
    }

    private static String operationStatus(String body) {
        if (body == null || body.isBlank()) {
            return null;
        }
        try (JsonReader reader = JsonProviders.createReader(body)) {
            Object parsed = reader.readUntyped();
            if (parsed instanceof Map<?, ?> map) {
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

    private static GenericResourceInner body(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner,
                                             String storageId, String insightsId) {
        CmkRequest.Workspace ws = request.workspace();
        Map<String, Object> keyVaultProperties = new LinkedHashMap<>();
        keyVaultProperties.put("keyVaultArmId", vault.vaultId());
        keyVaultProperties.put("keyIdentifier", key.keyUrlWithVersion());
        Map<String, Object> encryption = new LinkedHashMap<>();
        encryption.put("status", "Enabled");
        encryption.put("keyVaultProperties", keyVaultProperties);

        Identity identity = new Identity().withType(ResourceIdentityType.SYSTEM_ASSIGNED);
        Map<String, Object> properties = new LinkedHashMap<>();
        if (ws.userAssignedIdentityId() != null) {
            keyVaultProperties.put("identityClientId", ws.userAssignedIdentityClientId());
            encryption.put("identity", Map.of("userAssignedIdentity", ws.userAssignedIdentityId()));
            identity = new Identity().withType(ResourceIdentityType.SYSTEM_ASSIGNED_USER_ASSIGNED)
                    .withUserAssignedIdentities(Map.of(ws.userAssignedIdentityId(), new IdentityUserAssignedIdentitiesValue()));
            properties.put("primaryUserAssignedIdentity", ws.userAssignedIdentityId());
        }
        properties.put("friendlyName", ws.friendlyName() != null ? ws.friendlyName() : ws.name());
        properties.put("storageAccount", storageId);
        properties.put("keyVault", vault.vaultId());
        properties.put("applicationInsights", insightsId);
        properties.put("hbiWorkspace", ws.hbi());
        properties.put("encryption", encryption);

        Map<String, String> tags = new LinkedHashMap<>(request.tagsOrEmpty());
        tags.putAll(owner.tags());
        return new GenericResourceInner()
                .withIdentity(identity)
                .withProperties(properties)
                .withLocation(request.location())
                .withTags(tags);
    }

    private static void requireSameEncryption(GenericResourceInner workspace, VaultOutcome vault, KeyOutcome key) {
        Map<?, ?> encryption = mapProperty(workspace, "encryption");
        Map<?, ?> kv = encryption == null ? null : (Map<?, ?>) encryption.get("keyVaultProperties");
        String vaultId = kv == null ? null : String.valueOf(kv.get("keyVaultArmId"));
        String keyId = kv == null ? null : String.valueOf(kv.get("keyIdentifier"));
        boolean sameVault = vault.vaultId().equalsIgnoreCase(vaultId);
        boolean sameKey = keyId != null && (keyId.equals(key.keyUrlWithVersion()) || keyId.equals(key.keyUrl()));
        if (!sameVault || !sameKey) {
            throw new AzureStepException(AzureFailure.nonRetryable("WorkspaceEncryptionMismatch",
                    "workspace " + workspace.id() + " exists with encryption key " + keyId + " in " + vaultId
                            + "; CMK settings cannot change after creation (wanted " + key.keyUrlWithVersion() + ")"));
        }
    }

    private static boolean isInProgress(GenericResourceInner workspace) {
        String state = provisioningState(workspace);
        return state != null && IN_PROGRESS.contains(state.toLowerCase(Locale.ROOT));
    }

    private static boolean isFailed(GenericResourceInner workspace) {
        String state = provisioningState(workspace);
        return "failed".equalsIgnoreCase(state) || "canceled".equalsIgnoreCase(state);
    }

    static String provisioningState(GenericResourceInner resource) {
        return stringProperty(resource, "provisioningState");
    }

    static String stringProperty(GenericResourceInner resource, String name) {
        Object properties = resource.properties();
        if (properties instanceof Map<?, ?> map && map.get(name) != null) {
            String value = String.valueOf(map.get(name));
            return value.isBlank() ? null : value;
        }
        return null;
    }

    private static Map<?, ?> mapProperty(GenericResourceInner resource, String name) {
        Object properties = resource.properties();
        if (properties instanceof Map<?, ?> map && map.get(name) instanceof Map<?, ?> value) {
            return value;
        }
        return null;
    }

    /** {@code serviceProvisionedResourceGroup} is a group name; accept a group id too. */
    static String groupName(String value) {
        int slash = value.lastIndexOf('/');
        return slash >= 0 ? value.substring(slash + 1) : value;
    }

    private static String hash(String value, int hexChars) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(value.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest).substring(0, hexChars);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required by every JVM", e);
        }
    }

    private record Associated(String id, boolean created) {
    }
}
