package io.cmkflow.azure;

import io.cmkflow.request.CmkRequest;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.workflow.CosmosGrantOutcome;
import io.cmkflow.workflow.Ownership;
import io.cmkflow.workflow.UndoOutcome;

import java.util.List;

/** The undo activities, each delegating to its step's idempotent undo; the managed group is out of reach (guard). */
public class AzureCompensationActivities implements CompensationActivities {

    private final KeyVaultStep keyVault;
    private final CmkKeyStep key;
    private final CosmosKeyAccessStep cosmosAccess;
    private final WorkspaceStep workspace;

    public AzureCompensationActivities(AzureClients clients, PollingPolicy polling) {
        this(new KeyVaultStep(clients, polling), new CmkKeyStep(clients), new CosmosKeyAccessStep(clients),
                new WorkspaceStep(clients, polling));
    }

    public AzureCompensationActivities(KeyVaultStep keyVault, CmkKeyStep key, CosmosKeyAccessStep cosmosAccess,
                                       WorkspaceStep workspace) {
        this.keyVault = keyVault;
        this.key = key;
        this.cosmosAccess = cosmosAccess;
        this.workspace = workspace;
    }

    @Override
    public List<UndoOutcome> deleteWorkspace(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteWorkspace", () -> workspace.undo(request, owner, ActivityHeartbeat.current()));
    }

    @Override
    public UndoOutcome removeCosmosAccess(CmkRequest request, CosmosGrantOutcome grant) {
        return ActivityFailures.run("removeCosmosAccess", () -> cosmosAccess.undo(request, grant));
    }

    @Override
    public UndoOutcome deleteKey(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteKey", () -> key.undo(request, owner));
    }

    @Override
    public UndoOutcome deleteKeyVault(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("deleteKeyVault", () -> keyVault.undo(request, owner));
    }
}
