package io.cmkflow.azure;

import com.azure.resourcemanager.resources.fluent.ResourcesClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.DecommissionOutcome;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * A decommission's workspace: checked to be the one the target's create run made (its id and its run tag, as a key
 * rotation checks it), deleted (soft, or purged when the request asks), and then the Microsoft-managed resource group
 * watched, never touched: Azure removes it with a purged workspace (the guard refuses any request of cmkflow's to it).
 */
public final class DecommissionStep {

    private final AzureClients clients;
    private final PollingPolicy polling;
    private final WorkspaceKeyStep workspaceKey;
    private final KeyStep key;
    private final KeyVaultStep keyVault;
    private final RunsOnVault runsOnVault;

    DecommissionStep(AzureClients clients, PollingPolicy polling, WorkspaceKeyStep workspaceKey, KeyStep key,
                     KeyVaultStep keyVault, RunsOnVault runsOnVault) {
        this.clients = clients;
        this.polling = polling;
        this.workspaceKey = workspaceKey;
        this.key = key;
        this.keyVault = keyVault;
        this.runsOnVault = runsOnVault;
    }

    /** The workspace, once shown to be {@code managed}'s, with the managed group it reports. Read-only. */
    public DecommissionOutcome check(CmkRequest request, ManagedWorkspace managed) {
        return AzureStepException.classifying(() -> {
            GenericResourceInner workspace = workspaceKey.readManaged(request, managed);
            String group = ResourceProperties.string(workspace, "serviceProvisionedResourceGroup");
            return new DecommissionOutcome(WorkspaceStep.workspaceId(request), group == null ? null : WorkspaceStep.groupName(group),
                    request.decommission().purgeWorkspace(), false);
        });
    }

    /**
     * Deletes the workspace {@code checked} names, checking it again first (it may have been replaced since); one
     * already gone is done, since this run's check found it. Irreversible once Azure accepts the delete.
     */
    public DecommissionOutcome delete(CmkRequest request, ManagedWorkspace managed, DecommissionOutcome checked, Runnable heartbeat) {
        return AzureStepException.classifying(() -> {
            String workspaceId = WorkspaceStep.workspaceId(request);
            Optional<GenericResourceInner> workspace = ArmLookup.find(() -> resources(request).getById(workspaceId,
                    WorkspaceStep.ML_API_VERSION));
            if (workspace.isPresent()) {
                WorkspaceKeyStep.requireManaged(request, managed, workspace.get());
                new WorkspaceDeletion(clients.forRequest(request), polling).delete(workspaceId,
                        request.decommission().purgeWorkspace(), heartbeat);
            }
            return new DecommissionOutcome(workspaceId, checked.managedResourceGroup(), request.decommission().purgeWorkspace(), false);
        });
    }

    /**
     * After a purge, waits (heartbeating, at the polling policy's pace) until Azure has removed the managed group;
     * after a soft delete Azure keeps it until its retention ends, and this says so without waiting. Read-only.
     */
    public DecommissionOutcome awaitManagedGroupRemoval(CmkRequest request, DecommissionOutcome deleted, Runnable heartbeat) {
        return AzureStepException.classifying(() -> {
            if (!deleted.purged() || deleted.managedResourceGroup() == null) {
                return deleted;
            }
            var groups = clients.forRequest(request).genericResources().manager().serviceClient().getResourceGroups();
            polling.await("Azure to remove managed resource group " + deleted.managedResourceGroup(), heartbeat,
                    () -> groups.checkExistence(deleted.managedResourceGroup()) ? Optional.empty() : Optional.of(true));
            return deleted.withManagedGroupRemoved();
        });
    }

    /**
     * Deletes what the create run made for the workspace, when the request asks: each candidate (key, vault, storage
     * account, Application Insights, Log Analytics workspace, under their deterministic names) must be listed as
     * created in the create run's record and carry its run tag, and, for the key and the vault, be used by no other
     * workspace and named by no other run in flight; anything else is left (reported NOT_OURS or IN_USE). Uses the
     * undo of each kind, with the create run's ownership: what its record does not list counts as existing before it.
     */
    public List<UndoOutcome> deleteCreated(CmkRequest request, ManagedWorkspace managed) {
        return AzureStepException.classifying(() -> {
            if (!request.decommission().deleteCreated()) {
                return List.of();
            }
            ArmResourceId vault = request.keyVaultId();
            String keyId = vault.id() + "/keys/" + request.key().name();
            String storageId = ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), "Microsoft.Storage",
                    "storageAccounts", WorkspaceStep.storageAccountName(request));
            List<String> notRecorded = Stream.of(keyId, vault.id(), storageId, WorkspaceStep.applicationInsightsId(request),
                    WorkspaceStep.logAnalyticsWorkspaceId(request)).filter(id -> !managed.recordsCreated(id)).toList();
            Ownership createRun = new Ownership(request.requestId(), managed.workspaceId(), managed.createRunId(), List.of(),
                    notRecorded);
            List<UndoOutcome> outcomes = new ArrayList<>();
            outcomes.add(runsOnVault.holding(request, keyId, "key").orElseGet(() -> key.undo(request, createRun)));
            outcomes.add(runsOnVault.holding(request, vault.id(), "vault").orElseGet(() -> keyVault.undo(request, createRun)));
            outcomes.addAll(new AssociatedResources(clients.forRequest(request), polling).undo(request, createRun));
            return outcomes;
        });
    }

    private ResourcesClient resources(CmkRequest request) {
        return clients.forRequest(request).genericResources().manager().serviceClient().getResources();
    }
}
