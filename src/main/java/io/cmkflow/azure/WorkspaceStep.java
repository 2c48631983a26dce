package io.cmkflow.azure;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.resources.fluent.ResourcesClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import io.cmkflow.azure.AssociatedResources.Associated;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.KeyVaultRoles;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
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
    static final String LOGS_NAMESPACE = "Microsoft.OperationalInsights";
    public static final String LOGS_API_VERSION = "2023-09-01";
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

    /** The Log Analytics workspace behind the Application Insights a run creates: {@code <workspace>-logs}. */
    public static String logAnalyticsWorkspaceId(CmkRequest request) {
        return ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), LOGS_NAMESPACE, "workspaces",
                request.workspace().name() + "-logs");
    }

    public static String applicationInsightsId(CmkRequest request) {
        return ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), INSIGHTS_NAMESPACE, "components",
                applicationInsightsName(request));
    }

    public WorkspaceOutcome ensure(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner,
                                   PreexistingResources preexisting, Runnable heartbeat) {
        return AzureStepException.classifying(() -> ensureInAzure(request, vault, key, owner, preexisting, heartbeat));
    }

    private WorkspaceOutcome ensureInAzure(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner,
                                           PreexistingResources preexisting, Runnable heartbeat) {
        AzureResourceManager azure = clients.forRequest(request);
        ResourcesClient resources = azure.genericResources().manager().serviceClient().getResources();
        String workspaceId = workspaceId(request);

        Optional<GenericResourceInner> existing = ArmLookup.find(() -> resources.getById(workspaceId, ML_API_VERSION));
        boolean ours = existing.isPresent() && owner.owns(workspaceId, existing.get().tags());
        if (existing.isPresent()) {
            if (!ours) {
                preexisting.found(workspaceId);
            }
            WorkspaceDefinition.requireSameEncryption(existing.get(), vault, key);
            if (isFailed(existing.get()) && !ours) {
                // Re-putting it would tag someone else's workspace as ours, and a later undo would delete it.
                throw new AzureStepException(AzureFailure.nonRetryable("ExistingWorkspaceFailed",
                        "workspace " + workspaceId + " exists in state " + ResourceProperties.provisioningState(existing.get())
                                + " and was not created by this run; cmkflow will not re-create it"));
            }
        }
        AssociatedResources associated = new AssociatedResources(azure, polling);
        // Independent of each other: made at the same time (after the workspace check, so a refused workspace creates neither).
        Concurrently.Both<Associated, AssociatedResources.Insights> both = Concurrently.both(
                () -> associated.ensureStorage(request, owner, preexisting, heartbeat),
                () -> associated.ensureInsights(request, owner, preexisting, heartbeat));
        Associated storage = both.first();
        Associated insights = both.second().component();
        Associated logs = both.second().logs();

        GenericResourceInner workspace;
        boolean created;
        if (existing.isPresent() && !isFailed(existing.get())) {
            created = ours;
            workspace = isInProgress(existing.get())
                    ? awaitTerminal(resources, workspaceId, heartbeat)
                    : existing.get();
        } else {
            created = true;
            workspace = createOnceGrantsApply(azure, resources, vault, workspaceId,
                    WorkspaceDefinition.body(request, vault, key, owner, storage.id(), insights.id()), heartbeat);
        }
        String state = ResourceProperties.provisioningState(workspace);
        if (!"succeeded".equalsIgnoreCase(state)) {
            throw new AzureStepException(AzureFailure.retryable("WorkspaceProvisioningFailed",
                    "workspace " + workspaceId + " ended in provisioning state " + state));
        }
        String managedGroup = ResourceProperties.string(workspace, "serviceProvisionedResourceGroup");
        if (managedGroup != null) {
            clients.managedGroups().remember(request.subscriptionId(), groupName(managedGroup), workspaceId);
        }
        return new WorkspaceOutcome(workspaceId, created, state, storage.id(), storage.created(), insights.id(),
                insights.created(), logs == null ? null : logs.id(), logs != null && logs.created(), managedGroup);
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
        } else if (!owner.owns(workspaceId, workspace.get().tags())) {
            outcomes.add(new UndoOutcome(workspaceId, UndoOutcome.Result.NOT_OURS, owner.isPreexisting(workspaceId)
                    ? "workspace existed before this run first looked; left untouched"
                    : "workspace does not carry this run's tags; left untouched", null));
        } else {
            new WorkspaceDeletion(azure, polling).delete(workspaceId, true, heartbeat);
            outcomes.add(new UndoOutcome(workspaceId, UndoOutcome.Result.DELETED,
                    "workspace deleted and purged; Azure removes its managed resource group", null));
        }
        outcomes.addAll(new AssociatedResources(azure, polling).undo(request, owner));
        return outcomes;
    }

    /**
     * Creates the workspace; on an RBAC vault, a create that fails while a key grant there (step 4's Key Vault Crypto
     * Service Encryption User for Azure Cosmos DB or the identity) is younger than
     * {@link PrincipalSettings#roleAssignmentPropagation()} is tried again, heartbeating, at the polling policy's pace:
     * Azure applies a new role assignment only after a while, and Cosmos DB cannot wrap the key until it has. The
     * failed workspace stays (Failed) in Azure, and a PUT provisions it again.
     */
    private GenericResourceInner createOnceGrantsApply(AzureResourceManager azure, ResourcesClient resources,
                                                       VaultOutcome vault, String workspaceId, GenericResourceInner body,
                                                       Runnable heartbeat) {
        if (!vault.rbacAuthorization()) {
            return createWorkspace(resources, workspaceId, body, heartbeat);
        }
        Duration propagation = clients.principals().settings().roleAssignmentPropagation();
        return polling.await("workspace " + workspaceId + " once Azure has applied the key grants", heartbeat, () -> {
            try {
                return Optional.of(createWorkspace(resources, workspaceId, body, heartbeat));
            } catch (AzureStepException failed) {
                Optional<Instant> newestGrant = newestKeyGrant(azure, vault);
                if (newestGrant.isPresent() && Instant.now().isBefore(newestGrant.get().plus(propagation))) {
                    return Optional.empty();
                }
                throw failed;
            }
        });
    }

    /** When the newest Key Vault Crypto Service Encryption User assignment at the vault was made, if there is one. */
    private static Optional<Instant> newestKeyGrant(AzureResourceManager azure, VaultOutcome vault) {
        List<Instant> made = new ArrayList<>();
        azure.accessManagement().roleAssignments().manager().roleServiceClient().getRoleAssignments()
                .listForScope(vault.vaultId()).forEach(assignment -> {
                    if (assignment.roleDefinitionId() != null && assignment.createdOn() != null
                            && assignment.roleDefinitionId().toLowerCase(Locale.ROOT)
                            .endsWith(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER)) {
                        made.add(assignment.createdOn().toInstant());
                    }
                });
        return made.stream().max(Instant::compareTo);
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
    static AzureFailure failureOf(String workspaceId, PollResponse<PollResult<GenericResourceInner>> last) {
        PollResult.Error error = last.getValue() == null ? null : last.getValue().getError();
        if (error == null) {
            return AzureFailure.retryable("WorkspaceOperation" + last.getStatus(), "workspace " + workspaceId + " operation ended " + last.getStatus());
        }
        AzureErrorClassifier.ErrorBody body = AzureErrorClassifier.errorBody(error.getResponseBody());
        return AzureErrorClassifier.classify(body.code() == null ? "WorkspaceProvisioningFailed" : body.code(),
                error.getResponseStatusCode(),
                "workspace " + workspaceId + ": " + (body.message() == null ? error.getMessage() : body.message()),
                error.getResponseHeaders());
    }

    private static boolean isInProgress(GenericResourceInner workspace) {
        String state = ResourceProperties.provisioningState(workspace);
        return state != null && IN_PROGRESS.contains(state.toLowerCase(Locale.ROOT));
    }

    private static boolean isFailed(GenericResourceInner workspace) {
        String state = ResourceProperties.provisioningState(workspace);
        return "failed".equalsIgnoreCase(state) || "canceled".equalsIgnoreCase(state);
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
}
