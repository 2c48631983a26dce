package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;

import io.cmkflow.workflow.InFlightRuns;

import java.util.List;

/**
 * The undo activities, each delegating to its step's idempotent undo; the managed group is out of reach (guard). The
 * vault, key and key-access undos first ask which other runs in flight name the same vault, and leave it all in place
 * while any does (their steps ask Azure which workspaces use it).
 */
public class AzureCompensationActivities implements CompensationActivities {

    private final AuthorizationScope scope;
    private final KeyVaultStep keyVault;
    private final KeyStep key;
    private final KeyAccessStep keyAccess;
    private final WorkspaceStep workspace;
    private final WorkspaceKeyStep workspaceKey;
    private final RunsOnVault runsOnVault;

    public AzureCompensationActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope,
                                       InFlightRuns inFlight) {
        this(scope, inFlight, new KeyVaultStep(clients, polling), new KeyStep(clients), new KeyAccessStep(clients),
                new WorkspaceStep(clients, polling), new WorkspaceKeyStep(clients, polling));
    }

    public AzureCompensationActivities(AuthorizationScope scope, InFlightRuns inFlight, KeyVaultStep keyVault, KeyStep key,
                                       KeyAccessStep keyAccess, WorkspaceStep workspace, WorkspaceKeyStep workspaceKey) {
        this.scope = scope;
        this.runsOnVault = new RunsOnVault(inFlight);
        this.keyVault = keyVault;
        this.key = key;
        this.keyAccess = keyAccess;
        this.workspace = workspace;
        this.workspaceKey = workspaceKey;
    }

    @Override
    public List<UndoOutcome> deleteWorkspace(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteWorkspace", request, scope, () -> {
            ActivityInputs.requireOwnRun(request, owner);
            return workspace.undo(request, owner, ActivityHeartbeat.current());
        });
    }

    @Override
    public UndoOutcome removeCosmosDbKeyAccess(CmkRequest request, KeyAccessOutcome grant) {
        return ActivityFailures.run("removeCosmosDbKeyAccess", request, scope, () -> {
            ActivityInputs.requireKeyAccess(request, grant);
            keyAccess.requireRequestsPrincipals(request, grant);
            return runsOnVault.holding(request, grant.vaultId(), "access").orElseGet(() -> keyAccess.undo(request, grant));
        });
    }

    @Override
    public UndoOutcome deleteKey(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteKey", request, scope, () -> {
            ActivityInputs.requireOwnRun(request, owner);
            return runsOnVault.holding(request, request.keyVaultId().id() + "/keys/" + request.key().name(), "key")
                    .orElseGet(() -> key.undo(request, owner));
        });
    }

    @Override
    public UndoOutcome deleteKeyVault(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteKeyVault", request, scope, () -> {
            ActivityInputs.requireOwnRun(request, owner);
            return runsOnVault.holding(request, request.keyVaultId().id(), "vault").orElseGet(() -> keyVault.undo(request, owner));
        });
    }

    @Override
    public UndoOutcome restoreWorkspaceKey(CmkRequest request, WorkspaceKeyOutcome before, KeyOutcome newKey) {
        return ActivityFailures.run("restoreWorkspaceKey", request, scope, () -> {
            ActivityInputs.requireWorkspaceKey(request, before);
            if (newKey != null) {
                ActivityInputs.requireKeyOfVault(request, newKey);
            }
            return workspaceKey.restore(request, before, newKey, ActivityHeartbeat.current());
        });
    }
}
