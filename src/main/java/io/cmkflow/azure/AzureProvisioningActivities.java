package io.cmkflow.azure;

import io.cmkflow.request.CmkRequest;
import io.cmkflow.workflow.CosmosGrantOutcome;
import io.cmkflow.workflow.KeyOutcome;
import io.cmkflow.workflow.ManagedGroupOutcome;
import io.cmkflow.workflow.Ownership;
import io.cmkflow.workflow.ProviderRegistration;
import io.cmkflow.workflow.ProvisioningActivities;
import io.cmkflow.workflow.VaultOutcome;
import io.cmkflow.workflow.WorkspaceOutcome;

/** The provisioning activities, each delegating to its step; failures become typed {@code ApplicationFailure}s. */
public class AzureProvisioningActivities implements ProvisioningActivities {

    private final ProviderRegistrationStep providers;
    private final KeyVaultStep keyVault;
    private final CmkKeyStep key;
    private final CosmosKeyAccessStep cosmosAccess;
    private final WorkspaceStep workspace;
    private final ManagedGroupCheck managedGroup;

    public AzureProvisioningActivities(AzureClients clients, PollingPolicy polling) {
        this(new ProviderRegistrationStep(clients, polling), new KeyVaultStep(clients, polling), new CmkKeyStep(clients),
                new CosmosKeyAccessStep(clients), new WorkspaceStep(clients, polling), new ManagedGroupCheck(clients, polling));
    }

    public AzureProvisioningActivities(ProviderRegistrationStep providers, KeyVaultStep keyVault, CmkKeyStep key,
                                       CosmosKeyAccessStep cosmosAccess, WorkspaceStep workspace, ManagedGroupCheck managedGroup) {
        this.providers = providers;
        this.keyVault = keyVault;
        this.key = key;
        this.cosmosAccess = cosmosAccess;
        this.workspace = workspace;
        this.managedGroup = managedGroup;
    }

    @Override
    public ProviderRegistration registerProviders(CmkRequest request) {
        return ActivityFailures.run("registerProviders", () -> providers.register(request, ActivityHeartbeat.current()));
    }

    @Override
    public VaultOutcome ensureKeyVault(CmkRequest request, Ownership owner) {
        return ActivityFailures.run("ensureKeyVault", () -> keyVault.ensure(request, owner, ActivityHeartbeat.current()));
    }

    @Override
    public KeyOutcome ensureKey(CmkRequest request, VaultOutcome vault, Ownership owner) {
        return ActivityFailures.run("ensureKey", () -> key.ensure(request, vault, owner));
    }

    @Override
    public CosmosGrantOutcome grantCosmosAccess(CmkRequest request, VaultOutcome vault) {
        return ActivityFailures.run("grantCosmosAccess", () -> cosmosAccess.grant(request, vault));
    }

    @Override
    public WorkspaceOutcome ensureWorkspace(CmkRequest request, VaultOutcome vault, KeyOutcome key, Ownership owner) {
        return ActivityFailures.run("ensureWorkspace",
                () -> workspace.ensure(request, vault, key, owner, ActivityHeartbeat.current()));
    }

    @Override
    public ManagedGroupOutcome verifyManagedGroup(CmkRequest request, WorkspaceOutcome workspaceOutcome) {
        return ActivityFailures.run("verifyManagedGroup",
                () -> managedGroup.verify(request, workspaceOutcome, ActivityHeartbeat.current()));
    }
}
