package io.cmkflow.azure;

import io.cmkflow.request.CmkRequest;
import io.cmkflow.workflow.CosmosGrantOutcome;
import io.cmkflow.workflow.KeyOutcome;
import io.cmkflow.workflow.ManagedGroupOutcome;
import io.cmkflow.workflow.Ownership;
import io.cmkflow.workflow.VaultOutcome;
import io.cmkflow.workflow.WorkspaceOutcome;

/** Steps 2-6 run in order against one simulator: what a successful provisioning leaves behind. */
record ProvisionedRun(CmkRequest request, Ownership owner, VaultOutcome vault, KeyOutcome key, CosmosGrantOutcome grant,
                      WorkspaceOutcome workspace, ManagedGroupOutcome managedGroup) {

    static ProvisionedRun of(SimulatedAzure azure, CmkRequest request, Ownership owner) {
        PollingPolicy polling = SimulatedAzure.FAST;
        Runnable beat = SimulatedAzure.NO_HEARTBEAT;
        VaultOutcome vault = new KeyVaultStep(azure.clients, polling).ensure(request, owner, beat);
        KeyOutcome key = new CmkKeyStep(azure.clients).ensure(request, vault, owner);
        CosmosGrantOutcome grant = new CosmosKeyAccessStep(azure.clients).grant(request, vault);
        WorkspaceOutcome workspace = new WorkspaceStep(azure.clients, polling).ensure(request, vault, key, owner, beat);
        ManagedGroupOutcome group = new ManagedGroupCheck(azure.clients, polling).verify(request, workspace, beat);
        return new ProvisionedRun(request, owner, vault, key, grant, workspace, group);
    }
}
