package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;

import java.util.List;

/** The undo activities, each delegating to its step's idempotent undo; the managed group is out of reach (guard). */
public class AzureCompensationActivities implements CompensationActivities {

    private final AuthorizationScope scope;
    private final KeyVaultStep keyVault;
    private final KeyStep key;
    private final KeyAccessStep keyAccess;
    private final WorkspaceStep workspace;

    public AzureCompensationActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope) {
        this(scope, new KeyVaultStep(clients, polling), new KeyStep(clients), new KeyAccessStep(clients),
                new WorkspaceStep(clients, polling));
    }

    public AzureCompensationActivities(AuthorizationScope scope, KeyVaultStep keyVault, KeyStep key, KeyAccessStep keyAccess,
                                       WorkspaceStep workspace) {
        this.scope = scope;
        this.keyVault = keyVault;
        this.key = key;
        this.keyAccess = keyAccess;
        this.workspace = workspace;
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
            return keyAccess.undo(request, grant);
        });
    }

    @Override
    public UndoOutcome deleteKey(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteKey", request, scope, () -> {
            ActivityInputs.requireOwnRun(request, owner);
            return key.undo(request, owner);
        });
    }

    @Override
    public UndoOutcome deleteKeyVault(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteKeyVault", request, scope, () -> {
            ActivityInputs.requireOwnRun(request, owner);
            return keyVault.undo(request, owner);
        });
    }
}
