package io.cmkflow.workflow;

import io.cmkflow.contract.DecommissionOutcome;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.ProviderRegistration;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.workflow.CmkRunState.Result;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a finished step tells the run's progress and its status event: its result, its main resource, what it created,
 * the resource ids it made known (under their names in status-event.schema.json) and the event's sentence. One
 * factory per step turns that step's activity outcome into its report.
 */
record StepReport(Result result, String resourceId, List<String> created, Map<String, String> known, String message) {

    static StepReport registerResourceProviders(ProviderRegistration r) {
        boolean nothingNew = r.registeredNow() == null || r.registeredNow().isEmpty();
        return new StepReport(nothingNew ? Result.SKIPPED : Result.CREATED,
                String.join(",", r.namespaces() == null ? List.of() : r.namespaces()), List.of(), Map.of(),
                StatusMessages.registerResourceProviders(r));
    }

    static StepReport createKeyVault(VaultOutcome v) {
        Result result = switch (v.disposition()) {
            case CREATED -> Result.CREATED;
            case ADOPTED -> Result.ADOPTED;
            case RECOVERED -> Result.RECOVERED;
        };
        return new StepReport(result, v.vaultId(), v.createdByThisRun() ? List.of(v.vaultId()) : List.of(),
                known("keyVaultId", v.vaultId()), StatusMessages.createKeyVault(v));
    }

    static StepReport createKey(KeyOutcome k) {
        return new StepReport(k.created() ? Result.CREATED : Result.ADOPTED, k.keyId(),
                k.created() ? List.of(k.keyId()) : List.of(), known("keyUrl", k.keyUrlWithVersion()), StatusMessages.createKey(k));
    }

    static StepReport grantCosmosDbKeyAccess(KeyAccessOutcome g, VaultOutcome vault) {
        List<String> added = new ArrayList<>();
        if (!g.alreadyPresent()) {
            added.add(label(g));
        }
        if (g.identityAddedByThisRun()) {
            added.add(g.identityRoleAssignmentId() != null ? g.identityRoleAssignmentId()
                    : g.vaultId() + "#accessPolicy/" + g.identityPrincipalId());
        }
        return new StepReport(g.nothingAdded() ? Result.SKIPPED : Result.CREATED, label(g), added,
                known("cosmosDbKeyAccess", label(g)), StatusMessages.grantCosmosDbKeyAccess(g, vault.name()));
    }

    static StepReport createWorkspace(WorkspaceOutcome w, String workspaceName, KeyOutcome key) {
        List<String> created = new ArrayList<>();
        if (w.created()) {
            created.add(w.workspaceId());
        }
        if (w.storageAccountCreated() && w.storageAccountId() != null) {
            created.add(w.storageAccountId());
        }
        if (w.applicationInsightsCreated() && w.applicationInsightsId() != null) {
            created.add(w.applicationInsightsId());
        }
        if (w.logAnalyticsWorkspaceCreated() && w.logAnalyticsWorkspaceId() != null) {
            created.add(w.logAnalyticsWorkspaceId());
        }
        return new StepReport(w.created() ? Result.CREATED : Result.ADOPTED, w.workspaceId(), created,
                known("workspaceId", w.workspaceId()), StatusMessages.createWorkspace(w, workspaceName, key));
    }

    static StepReport verifyManagedResourceGroup(ManagedGroupOutcome m) {
        return new StepReport(Result.VERIFIED, m.resourceGroupId(), List.of(),
                known("managedResourceGroup", m.resourceGroupId()), StatusMessages.verifyManagedResourceGroup(m));
    }

    static StepReport readWorkspaceKey(WorkspaceKeyOutcome w) {
        return new StepReport(Result.VERIFIED, w.workspaceId(), List.of(), known("workspaceId", w.workspaceId()),
                StatusMessages.readWorkspaceKey(w));
    }

    static StepReport readWorkspaceVault(VaultOutcome v) {
        return new StepReport(Result.VERIFIED, v.vaultId(), List.of(), known("keyVaultId", v.vaultId()),
                StatusMessages.readWorkspaceVault(v));
    }

    static StepReport checkWorkspace(DecommissionOutcome d) {
        return new StepReport(Result.VERIFIED, d.workspaceId(), List.of(), known("workspaceId", d.workspaceId()),
                StatusMessages.checkWorkspace(d));
    }

    static StepReport decommissionWorkspace(DecommissionOutcome d) {
        return new StepReport(Result.DELETED, d.workspaceId(), List.of(), known("workspaceId", d.workspaceId()),
                StatusMessages.decommissionWorkspace(d));
    }

    static StepReport awaitManagedGroupRemoval(DecommissionOutcome d) {
        return new StepReport(Result.VERIFIED, d.managedResourceGroup(), List.of(),
                known("managedResourceGroup", d.managedResourceGroup()), StatusMessages.awaitManagedGroupRemoval(d));
    }

    static StepReport deleteCreatedResources(List<UndoOutcome> outcomes) {
        boolean deleted = outcomes.stream().anyMatch(o -> o.result() == UndoOutcome.Result.DELETED);
        return new StepReport(deleted ? Result.DELETED : Result.SKIPPED, null, List.of(), Map.of(),
                StatusMessages.deleteCreatedResources(outcomes));
    }

    static StepReport checkKeyAccess(KeyAccessOutcome a, String vaultName) {
        return new StepReport(Result.VERIFIED, label(a), List.of(), known("cosmosDbKeyAccess", label(a)),
                StatusMessages.checkKeyAccess(a, vaultName));
    }

    /** A version it made is listed as created, though nothing undoes it: data may already be wrapped with it. */
    static StepReport createKeyVersion(KeyOutcome k) {
        return new StepReport(k.created() ? Result.CREATED : Result.ADOPTED, k.keyUrlWithVersion(),
                k.created() ? List.of(k.keyUrlWithVersion()) : List.of(), known("keyUrl", k.keyUrlWithVersion()),
                StatusMessages.createKeyVersion(k));
    }

    static StepReport changeWorkspaceKey(WorkspaceKeyOutcome after, WorkspaceKeyOutcome before) {
        return new StepReport(Result.CHANGED, after.workspaceId(), List.of(), known("workspaceId", after.workspaceId()),
                StatusMessages.changeWorkspaceKey(after, before));
    }

    /** Cosmos DB's grant: its role assignment, or the vault's access policy entry for its principal. */
    private static String label(KeyAccessOutcome g) {
        return g.roleAssignmentId() != null ? g.roleAssignmentId() : g.vaultId() + "#accessPolicy/" + g.principalObjectId();
    }

    /** A resource id under its name; none when the activity gave none. */
    private static Map<String, String> known(String name, String id) {
        return id == null ? Map.of() : Map.of(name, id);
    }
}
