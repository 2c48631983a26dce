package io.cmkflow.azure;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.LongRunningOperationStatus;
import com.azure.core.util.polling.PollResponse;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.resources.fluent.ResourcesClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;

import java.util.Map;
import java.util.Optional;

/**
 * A workspace's key, read and changed: a PATCH of {@code encryption.keyVaultProperties.keyIdentifier}, Azure's
 * long-running update, which accepts only a key in the workspace's own vault
 * (https://learn.microsoft.com/azure/machine-learning/concept-customer-managed-keys). The change does not re-encrypt
 * existing data: every earlier key version stays needed, so nothing here deletes one.
 */
public final class WorkspaceKeyStep {

    private final AzureClients clients;
    private final PollingPolicy polling;

    public WorkspaceKeyStep(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.polling = polling;
    }

    /**
     * The workspace's key, once the workspace is shown to be the one {@code managed}'s create run made (its id and its
     * run-id tag) and encrypted with a key in the request's vault. Read-only.
     */
    public WorkspaceKeyOutcome read(CmkRequest request, ManagedWorkspace managed) {
        return AzureStepException.classifying(() -> keyOf(readManaged(request, managed)));
    }

    /** The workspace as Azure reports it, once shown to be {@code managed}'s (see {@link #requireManaged}). */
    GenericResourceInner readManaged(CmkRequest request, ManagedWorkspace managed) {
        String workspaceId = WorkspaceStep.workspaceId(request);
        GenericResourceInner workspace = ArmLookup.find(() -> resources(request).getById(workspaceId, WorkspaceStep.ML_API_VERSION))
                .orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable("WorkspaceNotFound",
                        "workspace.name: workspace " + workspaceId + " does not exist")));
        requireManaged(request, managed, workspace);
        return workspace;
    }

    /**
     * {@code workspace} (as just read) is the one {@code managed}'s create run made, its id and run-id tag, and is
     * encrypted with a key in the request's vault; returns that key. Throws a non-retryable failure otherwise.
     */
    static WorkspaceKeyOutcome requireManaged(CmkRequest request, ManagedWorkspace managed, GenericResourceInner workspace) {
        String workspaceId = WorkspaceStep.workspaceId(request);
        Map<String, String> tags = workspace.tags() == null ? Map.of() : workspace.tags();
        if (managed == null || !workspaceId.equalsIgnoreCase(managed.workspaceId())
                || !managed.createRunId().equals(tags.get(Ownership.TAG_RUN_ID))) {
            throw new AzureStepException(AzureFailure.nonRetryable("WorkspaceNotCmkflows", "workspace " + workspaceId
                    + " is not the workspace cmkflow's create run " + (managed == null ? "(none on record)" : managed.createRunId())
                    + " made: its id or its " + Ownership.TAG_RUN_ID + " tag differs; cmkflow changes no workspace it did not make"));
        }
        WorkspaceKeyOutcome current = keyOf(workspace);
        if (current.keyIdentifier() == null || !request.keyVaultId().id().equalsIgnoreCase(current.keyVaultId())) {
            throw new AzureStepException(AzureFailure.nonRetryable("KeyVaultNotWorkspaces", "keyVault: workspace "
                    + workspaceId + " is encrypted with a key in " + current.keyVaultId() + ", not in the request's vault "
                    + request.keyVaultId().id() + "; Azure changes a workspace's key only within its vault"));
        }
        return current;
    }

    /**
     * Points the workspace at {@code key}'s version and waits until the workspace reports it. Idempotent: a workspace
     * that already reports it is not patched again.
     */
    public WorkspaceKeyOutcome change(CmkRequest request, KeyOutcome key, Runnable heartbeat) {
        return AzureStepException.classifying(() -> switchTo(request, key.keyUrlWithVersion(), heartbeat));
    }

    /**
     * Sets the workspace's key back to {@code before}'s, when it is {@code key} (this run's change) or the change is
     * still under way; a key someone else set since is left as it is.
     */
    public UndoOutcome restore(CmkRequest request, WorkspaceKeyOutcome before, KeyOutcome key, Runnable heartbeat) {
        return AzureStepException.classifying(() -> {
            String workspaceId = WorkspaceStep.workspaceId(request);
            Optional<GenericResourceInner> workspace = ArmLookup.find(() -> resources(request).getById(workspaceId, WorkspaceStep.ML_API_VERSION));
            if (workspace.isEmpty()) {
                return new UndoOutcome(workspaceId, UndoOutcome.Result.ALREADY_GONE, "workspace does not exist", null);
            }
            String current = keyOf(workspace.get()).keyIdentifier();
            if (KeyUrls.same(current, before.keyIdentifier())) {
                return new UndoOutcome(workspaceId, UndoOutcome.Result.RESTORED, "workspace still uses " + before.keyIdentifier(), null);
            }
            if (key != null && !KeyUrls.same(current, key.keyUrlWithVersion())) {
                return new UndoOutcome(workspaceId, UndoOutcome.Result.NOT_OURS, "workspace uses " + current
                        + ", a key this run did not set; left as it is", null);
            }
            switchTo(request, before.keyIdentifier(), heartbeat);
            return new UndoOutcome(workspaceId, UndoOutcome.Result.RESTORED, "workspace key set back to " + before.keyIdentifier(), null);
        });
    }

    private WorkspaceKeyOutcome switchTo(CmkRequest request, String keyIdentifier, Runnable heartbeat) {
        ResourcesClient resources = resources(request);
        String workspaceId = WorkspaceStep.workspaceId(request);
        if (!KeyUrls.same(keyOf(resources.getById(workspaceId, WorkspaceStep.ML_API_VERSION)).keyIdentifier(), keyIdentifier)) {
            GenericResourceInner patch = new GenericResourceInner().withProperties(
                    Map.of("encryption", Map.of("keyVaultProperties", Map.of("keyIdentifier", keyIdentifier))));
            SyncPoller<PollResult<GenericResourceInner>, GenericResourceInner> poller =
                    resources.beginUpdateById(workspaceId, WorkspaceStep.ML_API_VERSION, patch);
            PollResponse<PollResult<GenericResourceInner>> last =
                    polling.awaitCompletion("workspace " + workspaceId + " key change", heartbeat, poller);
            if (last.getStatus() != LongRunningOperationStatus.SUCCESSFULLY_COMPLETED) {
                throw new AzureStepException(WorkspaceStep.failureOf(workspaceId, last));
            }
        }
        // The operation's end is not the read model's: wait until the workspace itself reports the key.
        return polling.await("workspace " + workspaceId + " to report key " + keyIdentifier, heartbeat, () -> {
            WorkspaceKeyOutcome now = keyOf(resources.getById(workspaceId, WorkspaceStep.ML_API_VERSION));
            return KeyUrls.same(now.keyIdentifier(), keyIdentifier) ? Optional.of(now) : Optional.empty();
        });
    }

    private static WorkspaceKeyOutcome keyOf(GenericResourceInner workspace) {
        Map<?, ?> encryption = ResourceProperties.map(workspace, "encryption");
        Map<?, ?> kv = encryption == null ? null : (Map<?, ?>) encryption.get("keyVaultProperties");
        return new WorkspaceKeyOutcome(workspace.id(), kv == null ? null : (String) kv.get("keyVaultArmId"),
                kv == null ? null : (String) kv.get("keyIdentifier"));
    }

    private ResourcesClient resources(CmkRequest request) {
        return clients.forRequest(request).genericResources().manager().serviceClient().getResources();
    }
}
