package io.cmkflow.azure;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;

/** Steps 2-6 run in order against one simulator: what a successful provisioning leaves behind. */
record ProvisionedRun(CmkRequest request, Ownership owner, VaultOutcome vault, KeyOutcome key, KeyAccessOutcome grant,
                      WorkspaceOutcome workspace, ManagedGroupOutcome managedGroup) {

    static ProvisionedRun of(CmkStack azure, CmkRequest request, Ownership owner) {
        PollingPolicy polling = CmkStack.FAST_POLLING;
        Runnable beat = CmkStack.NO_HEARTBEAT;
        VaultOutcome vault = new KeyVaultStep(azure.clients(), polling).ensure(request, owner, new PreexistingResources(), beat);
        KeyOutcome key = new KeyStep(azure.clients()).ensure(request, vault, owner, new PreexistingResources());
        KeyAccessStep access = new KeyAccessStep(azure.clients());
        KeyAccessOutcome grant = access.grant(request, vault, access.accessBefore(request, vault));
        WorkspaceOutcome workspace = new WorkspaceStep(azure.clients(), polling).ensure(request, vault, key, owner, new PreexistingResources(), beat);
        ManagedGroupOutcome group = new ManagedGroupCheck(azure.clients(), polling).verify(request, workspace, beat);
        return new ProvisionedRun(request, owner, vault, key, grant, workspace, group);
    }
}
