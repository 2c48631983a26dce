package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.DecommissionOutcome;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.ProviderRegistration;
import io.cmkflow.workflow.InFlightRuns;
import io.cmkflow.workflow.ProvisioningActivities;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.WorkspaceOutcome;

import java.util.List;

/** The provisioning activities, each delegating to its step; failures become typed {@code ApplicationFailure}s. */
public class AzureProvisioningActivities implements ProvisioningActivities {

    private final ProviderRegistrationStep providers;
    private final AuthorizationScope scope;
    private final KeyVaultStep keyVault;
    private final KeyStep key;
    private final KeyAccessStep keyAccess;
    private final WorkspaceStep workspace;
    private final ManagedGroupCheck managedGroup;
    private final WorkspaceKeyStep workspaceKey;
    private final DecommissionStep decommission;

    /** {@code inFlight} tells a decommission which other runs rely on the workspace's vault. */
    public AzureProvisioningActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope,
                                       InFlightRuns inFlight) {
        this(clients, polling, scope, inFlight, new WorkspaceKeyStep(clients, polling));
    }

    private AzureProvisioningActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope,
                                        InFlightRuns inFlight, WorkspaceKeyStep workspaceKey) {
        this.scope = scope;
        this.providers = new ProviderRegistrationStep(clients, polling);
        this.keyVault = new KeyVaultStep(clients, polling);
        this.key = new KeyStep(clients);
        this.keyAccess = new KeyAccessStep(clients);
        this.workspace = new WorkspaceStep(clients, polling);
        this.managedGroup = new ManagedGroupCheck(clients, polling);
        this.workspaceKey = workspaceKey;
        this.decommission = new DecommissionStep(clients, polling, workspaceKey, key, keyVault, new RunsOnVault(inFlight));
    }

    @Override
    public ProviderRegistration registerResourceProviders(CmkRequest request) {
        return ActivityFailures.run("registerResourceProviders", request, scope, () -> providers.register(request, ActivityHeartbeat.current()));
    }

    @Override
    public VaultOutcome createKeyVault(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("createKeyVault", request, scope, preexisting -> {
            ActivityInputs.requireOwnRun(request, owner);
            return keyVault.ensure(request, owner, preexisting, ActivityHeartbeat.current());
        });
    }

    @Override
    public KeyOutcome createKey(CmkRequest request, VaultOutcome vault, Ownership owner) {
        return ActivityFailures.run("createKey", request, scope, preexisting -> {
            ActivityInputs.requireOwnRun(request, owner);
            ActivityInputs.requireVault(request, vault);
            return key.ensure(request, vault, owner, preexisting);
        });
    }

    @Override
    public KeyAccessOutcome readCosmosDbKeyAccess(CmkRequest request, VaultOutcome vault) {
        return ActivityFailures.run("readCosmosDbKeyAccess", request, scope, () -> {
            ActivityInputs.requireVault(request, vault);
            return keyAccess.accessBefore(request, vault);
        });
    }

    @Override
    public KeyAccessOutcome grantCosmosDbKeyAccess(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before) {
        return ActivityFailures.run("grantCosmosDbKeyAccess", request, scope, () -> grant(request, vault, before));
    }

    private KeyAccessOutcome grant(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before) {
        ActivityInputs.requireVault(request, vault);
        ActivityInputs.requireKeyAccess(request, before);
        return keyAccess.grant(request, vault, before);
    }

    @Override
    public WorkspaceOutcome createWorkspace(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner) {
        return ActivityFailures.run("createWorkspace", request, scope, preexisting -> {
            ActivityInputs.requireOwnRun(request, owner);
            ActivityInputs.requireKey(request, vault, key);
            return workspace.ensure(request, vault, key, owner, preexisting, ActivityHeartbeat.current());
        });
    }

    @Override
    public ManagedGroupOutcome verifyManagedResourceGroup(CmkRequest request, WorkspaceOutcome workspaceOutcome) {
        return ActivityFailures.run("verifyManagedResourceGroup", request, scope, () -> {
            ActivityInputs.requireWorkspace(request, workspaceOutcome);
            return managedGroup.verify(request, workspaceOutcome, ActivityHeartbeat.current());
        });
    }

    @Override
    public WorkspaceKeyOutcome readWorkspaceKey(CmkRequest request, ManagedWorkspace managed) {
        return ActivityFailures.run("readWorkspaceKey", request, scope, () -> workspaceKey.read(request, managed));
    }

    @Override
    public VaultOutcome readWorkspaceVault(CmkRequest request, ManagedWorkspace managed) {
        return ActivityFailures.run("readWorkspaceVault", request, scope, () -> {
            workspaceKey.read(request, managed);
            return keyVault.existing(request);
        });
    }

    @Override
    public KeyAccessOutcome restoreKeyAccess(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before) {
        return ActivityFailures.run("restoreKeyAccess", request, scope, () -> grant(request, vault, before));
    }

    @Override
    public DecommissionOutcome checkWorkspace(CmkRequest request, ManagedWorkspace managed) {
        return ActivityFailures.run("checkWorkspace", request, scope, () -> decommission.check(request, managed));
    }

    @Override
    public DecommissionOutcome decommissionWorkspace(CmkRequest request, ManagedWorkspace managed, DecommissionOutcome checked) {
        return ActivityFailures.run("decommissionWorkspace", request, scope,
                () -> decommission.delete(request, managed, checked, ActivityHeartbeat.current()));
    }

    @Override
    public DecommissionOutcome awaitManagedGroupRemoval(CmkRequest request, DecommissionOutcome deleted) {
        return ActivityFailures.run("awaitManagedGroupRemoval", request, scope,
                () -> decommission.awaitManagedGroupRemoval(request, deleted, ActivityHeartbeat.current()));
    }

    @Override
    public List<UndoOutcome> deleteCreatedResources(CmkRequest request, ManagedWorkspace managed) {
        return ActivityFailures.run("deleteCreatedResources", request, scope, () -> decommission.deleteCreated(request, managed));
    }

    @Override
    public KeyAccessOutcome checkKeyAccess(CmkRequest request) {
        return ActivityFailures.run("checkKeyAccess", request, scope,
                () -> keyAccess.requireCovers(request, keyVault.existing(request)));
    }

    @Override
    public KeyOutcome createKeyVersion(CmkRequest request, WorkspaceKeyOutcome before, Ownership owner) {
        return ActivityFailures.run("createKeyVersion", request, scope, () -> {
            ActivityInputs.requireOwnRun(request, owner);
            ActivityInputs.requireWorkspaceKey(request, before);
            return key.ensureVersion(request, keyVault.existing(request), before.keyIdentifier(), owner);
        });
    }

    @Override
    public WorkspaceKeyOutcome changeWorkspaceKey(CmkRequest request, KeyOutcome newKey) {
        return ActivityFailures.run("changeWorkspaceKey", request, scope, () -> {
            ActivityInputs.requireKeyOfVault(request, newKey);
            return workspaceKey.change(request, newKey, ActivityHeartbeat.current());
        });
    }
}
