package io.cmkflow.bench;

import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.keyvault.fluent.KeysClient;
import com.azure.resourcemanager.keyvault.fluent.VaultsClient;
import com.azure.resourcemanager.keyvault.fluent.models.KeyInner;
import com.azure.resourcemanager.keyvault.fluent.models.KeyProperties;
import com.azure.resourcemanager.keyvault.fluent.models.VaultAccessPolicyParametersInner;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.keyvault.models.AccessPolicyEntry;
import com.azure.resourcemanager.keyvault.models.AccessPolicyUpdateKind;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyOperation;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyType;
import com.azure.resourcemanager.keyvault.models.KeyCreateParameters;
import com.azure.resourcemanager.keyvault.models.KeyPermissions;
import com.azure.resourcemanager.keyvault.models.Permissions;
import com.azure.resourcemanager.keyvault.models.Sku;
import com.azure.resourcemanager.keyvault.models.SkuFamily;
import com.azure.resourcemanager.keyvault.models.SkuName;
import com.azure.resourcemanager.keyvault.models.VaultAccessPolicyProperties;
import com.azure.resourcemanager.keyvault.models.VaultCreateOrUpdateParameters;
import com.azure.resourcemanager.keyvault.models.VaultProperties;
import com.azure.resourcemanager.resources.fluent.ResourcesClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import com.azure.resourcemanager.resources.models.Identity;
import com.azure.resourcemanager.resources.models.ResourceIdentityType;
import com.azure.resourcemanager.storage.models.Kind;
import com.azure.resourcemanager.storage.models.MinimumTlsVersion;
import com.azure.resourcemanager.storage.models.StorageAccountCreateParameters;
import io.cmkflow.azure.AzureClients;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.azure.ProviderRegistrationStep;
import io.cmkflow.azure.WorkspaceStep;
import io.cmkflow.contract.CmkRequest;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * The peer program of the workflow benchmark: the provisioning's Azure SDK calls made one after another by a plain
 * Java program, as a straightforward script would: no Temporal, no activities, no status events, and none of
 * cmkflow's in-step concurrency (providers read, registered and polled one by one; vault reads, storage and
 * Application Insights, managed-group reads each after the other). It uses the same {@link AzureClients} (so the same
 * HTTP pipeline, TLS and Graph lookup) and the same {@link PollingPolicy} for the workspace operation and provider
 * registration, so what differs from a cmkflow run is orchestration alone.
 */
final class SequentialPeer {

    private static final List<KeyPermissions> COSMOS_KEY_PERMISSIONS =
            List.of(KeyPermissions.GET, KeyPermissions.UNWRAP_KEY, KeyPermissions.WRAP_KEY);
    private static final List<KeyPermissions> OWN_KEY_PERMISSIONS = List.of(KeyPermissions.CREATE, KeyPermissions.GET,
            KeyPermissions.DELETE, KeyPermissions.PURGE, KeyPermissions.RECOVER);

    private final AzureClients clients;
    private final PollingPolicy polling;

    SequentialPeer(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.polling = polling;
    }

    /** Provisions what a cmkflow run provisions for {@code request}, one call at a time. */
    void provision(CmkRequest request) {
        AzureResourceManager azure = clients.forRequest(request);
        registerProviders(azure);
        VaultInner vault = createVault(azure, request);
        KeyInner key = createKey(azure, request);
        grantCosmosDb(azure, request);
        String workspaceGroup = createWorkspace(azure, request, vault, key);
        verifyManagedGroup(azure, workspaceGroup);
    }

    private void registerProviders(AzureResourceManager azure) {
        List<String> pending = new ArrayList<>();
        for (String namespace : ProviderRegistrationStep.NAMESPACES) {
            if (!"Registered".equalsIgnoreCase(azure.providers().getByName(namespace).registrationState())) {
                azure.providers().register(namespace);
                pending.add(namespace);
            }
        }
        for (String namespace : pending) {
            polling.await(namespace + " to be Registered", () -> { },
                    () -> "Registered".equalsIgnoreCase(azure.providers().getByName(namespace).registrationState())
                            ? Optional.of(true) : Optional.empty());
        }
    }

    private VaultInner createVault(AzureResourceManager azure, CmkRequest request) {
        VaultsClient vaults = vaults(azure);
        String name = request.keyVault().name();
        requireAbsent(() -> vaults.getByResourceGroup(request.resourceGroup(), name));
        requireAbsent(() -> vaults.getDeleted(name, request.location()));
        VaultProperties properties = new VaultProperties()
                .withTenantId(UUID.fromString(request.tenantId()))
                .withSku(new Sku().withFamily(SkuFamily.A).withName(SkuName.STANDARD))
                .withAccessPolicies(List.of(entry(request, clients.principals().ownObjectId(request), OWN_KEY_PERMISSIONS)))
                .withEnableSoftDelete(true)
                .withEnablePurgeProtection(true)
                .withSoftDeleteRetentionInDays(request.keyVault().softDeleteRetentionDays());
        return vaults.createOrUpdate(request.resourceGroup(), name, new VaultCreateOrUpdateParameters()
                .withLocation(request.location()).withProperties(properties));
    }

    private KeyInner createKey(AzureResourceManager azure, CmkRequest request) {
        KeysClient keys = azure.vaults().manager().serviceClient().getKeys();
        String vault = request.keyVault().name();
        requireAbsent(() -> keys.get(request.resourceGroup(), vault, request.key().name()));
        return keys.createIfNotExist(request.resourceGroup(), vault, request.key().name(), new KeyCreateParameters()
                .withProperties(new KeyProperties().withKty(JsonWebKeyType.RSA).withKeySize(request.key().size())
                        .withKeyOps(List.of(JsonWebKeyOperation.WRAP_KEY, JsonWebKeyOperation.UNWRAP_KEY))));
    }

    /** As cmkflow's step 4 does on an access-policy vault: read who has access, read again to grant, add the entry. */
    private void grantCosmosDb(AzureResourceManager azure, CmkRequest request) {
        VaultsClient vaults = vaults(azure);
        String cosmosDb = clients.principals().cosmosDbObjectId(request);
        vaults.getByResourceGroup(request.resourceGroup(), request.keyVault().name());
        vaults.getByResourceGroup(request.resourceGroup(), request.keyVault().name());
        vaults.updateAccessPolicy(request.resourceGroup(), request.keyVault().name(), AccessPolicyUpdateKind.ADD,
                new VaultAccessPolicyParametersInner().withProperties(new VaultAccessPolicyProperties()
                        .withAccessPolicies(List.of(entry(request, cosmosDb, COSMOS_KEY_PERMISSIONS)))));
    }

    /**
     * Storage account, then a Log Analytics workspace and the Application Insights that stores its data there, then the
     * workspace; returns its managed resource group's name.
     */
    private String createWorkspace(AzureResourceManager azure, CmkRequest request, VaultInner vault, KeyInner key) {
        ResourcesClient resources = azure.genericResources().manager().serviceClient().getResources();
        String workspaceId = WorkspaceStep.workspaceId(request);
        requireAbsent(() -> resources.getById(workspaceId, WorkspaceStep.ML_API_VERSION));

        String storageName = WorkspaceStep.storageAccountName(request);
        requireAbsent(() -> azure.storageAccounts().getByResourceGroup(request.resourceGroup(), storageName));
        String storageId = azure.storageAccounts().manager().serviceClient().getStorageAccounts()
                .create(request.resourceGroup(), storageName, new StorageAccountCreateParameters()
                        .withSku(new com.azure.resourcemanager.storage.models.Sku()
                                .withName(com.azure.resourcemanager.storage.models.SkuName.STANDARD_LRS))
                        .withKind(Kind.STORAGE_V2).withLocation(request.location()).withEnableHttpsTrafficOnly(true)
                        .withMinimumTlsVersion(MinimumTlsVersion.TLS1_2).withAllowBlobPublicAccess(false)).id();

        String logsId = WorkspaceStep.logAnalyticsWorkspaceId(request);
        requireAbsent(() -> resources.getById(logsId, WorkspaceStep.LOGS_API_VERSION));
        resources.createOrUpdateById(logsId, WorkspaceStep.LOGS_API_VERSION, new GenericResourceInner()
                .withProperties(Map.of("sku", Map.of("name", "PerGB2018"), "retentionInDays", 30)).withLocation(request.location()));
        String insightsId = WorkspaceStep.applicationInsightsId(request);
        requireAbsent(() -> resources.getById(insightsId, WorkspaceStep.INSIGHTS_API_VERSION));
        resources.createOrUpdateById(insightsId, WorkspaceStep.INSIGHTS_API_VERSION, new GenericResourceInner()
                .withKind("web").withProperties(Map.of("Application_Type", "web", "WorkspaceResourceId", logsId))
                .withLocation(request.location()));

        GenericResourceInner body = new GenericResourceInner()
                .withIdentity(new Identity().withType(ResourceIdentityType.SYSTEM_ASSIGNED))
                .withLocation(request.location())
                .withProperties(Map.of(
                        "friendlyName", request.workspace().name(),
                        "storageAccount", storageId,
                        "keyVault", vault.id(),
                        "applicationInsights", insightsId,
                        "hbiWorkspace", false,
                        "encryption", Map.of("status", "Enabled", "keyVaultProperties",
                                Map.of("keyVaultArmId", vault.id(), "keyIdentifier", key.keyUriWithVersion()))));
        SyncPoller<PollResult<GenericResourceInner>, GenericResourceInner> poller =
                resources.beginCreateOrUpdateById(workspaceId, WorkspaceStep.ML_API_VERSION, body);
        polling.awaitCompletion("workspace " + workspaceId, () -> { }, poller);
        @SuppressWarnings("unchecked")
        Map<String, Object> properties = (Map<String, Object>) poller.getFinalResult().properties();
        String group = String.valueOf(properties.get("serviceProvisionedResourceGroup"));
        return group.substring(group.lastIndexOf('/') + 1);
    }

    /** The managed resource group, then its contents, until the three resources the CMK encrypts are there. */
    private void verifyManagedGroup(AzureResourceManager azure, String group) {
        polling.await("managed resource group " + group, () -> { }, () -> {
            azure.resourceGroups().getByName(group);
            List<String> types = new ArrayList<>();
            azure.genericResources().manager().serviceClient().getResources().listByResourceGroup(group)
                    .forEach(r -> types.add(r.type().toLowerCase(java.util.Locale.ROOT)));
            return types.containsAll(List.of("microsoft.documentdb/databaseaccounts", "microsoft.storage/storageaccounts",
                    "microsoft.search/searchservices")) ? Optional.of(true) : Optional.empty();
        });
    }

    private static void requireAbsent(Supplier<?> read) {
        try {
            read.get();
        } catch (ManagementException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return;
            }
            throw e;
        }
        throw new IllegalStateException("the peer provisions new resources only; one already exists");
    }

    private static AccessPolicyEntry entry(CmkRequest request, String objectId, List<KeyPermissions> keys) {
        return new AccessPolicyEntry().withTenantId(UUID.fromString(request.tenantId())).withObjectId(objectId)
                .withPermissions(new Permissions().withKeys(keys));
    }

    private static VaultsClient vaults(AzureResourceManager azure) {
        return azure.vaults().manager().serviceClient().getVaults();
    }
}
