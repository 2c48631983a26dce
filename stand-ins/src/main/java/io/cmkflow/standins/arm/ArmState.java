package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;

/**
 * The simulated Azure: what exists, seeded by tests and changed by requests. The state lives in typed stores, one
 * per kind of resource, which the routes change; none of them locks itself: this object is the one lock, held by
 * every public method here, by the server while a route runs and by timed operation changes. Inspection methods
 * return immutable snapshots.
 */
public final class ArmState {
    private static final String DEFAULT_IDENTITY_LOCATION = "westeurope";

    // --- inspection views -----------------------------------------------------------------------------------------

    /** A resource provider's registration in one subscription. */
    public record ProviderView(String subscription, String namespace, String registrationState) {
    }

    public record ResourceGroupView(String id, String subscription, String name, String location, String managedBy,
                                    Map<String, String> tags) {
    }

    /** Any resource (storage account, Application Insights, resources of the managed group, ...). */
    public record ResourceView(String id, String name, String type, String resourceGroup, String location,
                               Map<String, String> tags, JsonNode document) {
    }

    public record AccessPolicyView(String tenantId, String objectId, Set<String> keys, Set<String> secrets,
                                   Set<String> certificates) {
    }

    public record VaultView(String id, String subscription, String resourceGroup, String name, String location,
                            String tenantId, String vaultUri, boolean softDeleteEnabled, boolean purgeProtectionEnabled,
                            boolean rbacAuthorization, int softDeleteRetentionDays, Map<String, String> tags,
                            List<AccessPolicyView> accessPolicies) {
    }

    public record DeletedVaultView(String id, String name, String vaultId, String location, Map<String, String> tags,
                                   Instant deletionDate, Instant scheduledPurgeDate, boolean purgeProtectionEnabled) {
    }

    /** A key; {@code versionCount} counts every version created (management or data plane). */
    public record KeyView(String vaultId, String vaultName, String name, String kty, int keySize, List<String> keyOps,
                          Map<String, String> tags, int versionCount, String latestVersion, boolean deleted) {
    }

    public record RoleAssignmentView(String id, String name, String scope, String roleDefinitionId, String principalId,
                                     String principalType) {
    }

    public record WorkspaceView(String id, String subscription, String resourceGroup, String name,
                                String provisioningState, String managedResourceGroup, String keyVaultArmId,
                                String keyIdentifier, Map<String, String> tags, JsonNode document) {
    }

    /** A DELETE the simulator refused because it aimed at a Microsoft-managed resource group or what is inside it. */
    public record RefusedDelete(String path, String operation, String userAgent, String clientRequestId,
                                Instant at) {
    }

    final ArmSimulatorOptions options;
    final SimulatorEndpoints endpoints = new SimulatorEndpoints();
    final ProviderStore providerStore;
    final ResourceStore resourceStore = new ResourceStore();
    final ResourceGroupStore groupStore = new ResourceGroupStore(resourceStore);
    final KeyStore keyStore = new KeyStore();
    final VaultStore vaultStore = new VaultStore(resourceStore, keyStore, endpoints);
    final RoleDefinitionStore roleDefinitionStore = new RoleDefinitionStore();
    final RoleAssignmentStore roleAssignmentStore;
    final StorageAccountStore storageAccountStore = new StorageAccountStore(resourceStore);
    final GenericResourceStore genericResourceStore = new GenericResourceStore(resourceStore, groupStore);
    final ManagedResourceGroups managedGroups = new ManagedResourceGroups(groupStore, resourceStore);
    final LongRunningOperations operations = new LongRunningOperations(this, this::changed);
    final WorkspaceStore workspaceStore;

    ArmState(ArmSimulatorOptions options) {
        this.options = options;
        this.providerStore = new ProviderStore(options);
        this.roleAssignmentStore = new RoleAssignmentStore(resourceStore, roleDefinitionStore, options.roleAssignmentDelay());
        this.workspaceStore = new WorkspaceStore(options, resourceStore, managedGroups, operations,
                new WorkspaceProvisioningChecks(resourceStore, keyStore, roleAssignmentStore));
    }

    /** Runs under this lock after each change (a request served, a seed, a timed change): writes the state file. */
    private volatile Runnable onChange = () -> { };

    void close() {
        operations.close();
    }

    void onChange(Runnable listener) {
        this.onChange = listener;
    }

    /** Called under this lock once something may have changed. */
    void changed() {
        onChange.run();
    }

    // --- snapshot -------------------------------------------------------------------------------------------------

    /**
     * Everything the simulated Azure holds, composed from what each store exports: the stored documents themselves
     * (not copies), so the caller serialises them before it lets go of this lock. Storage accounts, generic resources
     * and managed groups have nothing of their own: they live in the resource and group tables.
     */
    ObjectNode export() {
        ObjectNode snapshot = JsonDocuments.object();
        snapshot.set("providers", providerStore.export());
        snapshot.set("resourceGroups", groupStore.export());
        snapshot.set("resources", resourceStore.export());
        snapshot.set("deletedVaults", vaultStore.export());
        snapshot.set("keys", keyStore.export());
        snapshot.set("roleAssignments", roleAssignmentStore.export());
        snapshot.set("operations", operations.export());
        snapshot.set("workspaces", workspaceStore.export());
        return snapshot;
    }

    /** Fills this (new, empty) state from an {@link #export()}; the workspaces' timed changes are rescheduled. */
    void load(JsonNode snapshot) {
        providerStore.load(snapshot.path("providers"));
        groupStore.load(snapshot.path("resourceGroups"));
        resourceStore.load(snapshot.path("resources"));
        vaultStore.load(snapshot.path("deletedVaults"));
        keyStore.load(snapshot.path("keys"));
        roleAssignmentStore.load(snapshot.path("roleAssignments"));
        operations.load(snapshot.path("operations"));
        workspaceStore.load(snapshot.path("workspaces"));
    }

    // --- seeding --------------------------------------------------------------------------------------------------

    /** The caller's standing grant: {@code role} at the root scope ({@link ArmSimulatorOptions#callerRole()}). */
    void grantCaller(RoleDefinition role) {
        roleDefinitionStore.define(role);
        roleAssignmentStore.seed("/", UUID.nameUUIDFromBytes(("caller|" + role.id()).getBytes(StandardCharsets.UTF_8))
                .toString(), role.id(), SimulatedDirectory.CALLER_OBJECT_ID, null);
    }

    /**
     * Defines a custom role, or redefines one (same GUID): every assignment of it permits what it permits now, as a
     * changed role definition does in Azure (without Azure's propagation time).
     */
    public synchronized ArmState roleDefinition(RoleDefinition role) {
        roleDefinitionStore.define(role);
        changed();
        return this;
    }

    /** Seeds an assignment of the role {@code roleGuid} to {@code principalId} at {@code scope}, applying at once. */
    public synchronized ArmState roleAssignment(String scope, String roleGuid, String principalId) {
        return roleAssignment(scope, roleGuid, principalId, null);
    }

    /** As {@link #roleAssignment(String, String, String)}, with an ABAC {@code condition} (version 2.0) on it. */
    public synchronized ArmState roleAssignment(String scope, String roleGuid, String principalId, String condition) {
        roleAssignmentStore.seed(scope, UUID.nameUUIDFromBytes((scope.toLowerCase(java.util.Locale.ROOT) + "|" + roleGuid
                + "|" + principalId).getBytes(StandardCharsets.UTF_8)).toString(), roleGuid.toLowerCase(java.util.Locale.ROOT),
                principalId, condition);
        changed();
        return this;
    }

    /** Creates (or replaces the location of) a resource group. */
    public synchronized ArmState resourceGroup(String subscription, String name, String location) {
        groupStore.create(subscription, name, location, null, Map.of());
        changed();
        return this;
    }

    /** Marks namespaces Registered in a subscription. */
    public synchronized ArmState registerProviders(String subscription, String... namespaces) {
        for (String ns : namespaces) {
            providerStore.markRegistered(subscription, ns);
        }
        changed();
        return this;
    }

    /** Marks a namespace NotRegistered (the default unless {@code providersRegisteredAtStart}). */
    public synchronized ArmState unregisterProvider(String subscription, String namespace) {
        providerStore.markNotRegistered(subscription, namespace);
        changed();
        return this;
    }

    /** Seeds a key vault as described (its resource group is created when missing). */
    public synchronized VaultView vault(VaultSeed seed) {
        groupStore.ensure(seed.subscription(), seed.resourceGroup(), seed.location());
        VaultView view = VaultDocuments.view(resourceStore.put(seedDocument(seed)));
        changed();
        return view;
    }

    /** Seeds a soft-deleted vault (as if deleted now), blocking its name until recovered or purged. */
    public synchronized DeletedVaultView deletedVault(VaultSeed seed) {
        DeletedVaultView view = VaultDocuments.deletedView(vaultStore.softDelete(seedDocument(seed)));
        changed();
        return view;
    }

    private ObjectNode seedDocument(VaultSeed seed) {
        return VaultDocuments.vault(seed.subscription(), seed.resourceGroup(), seed.name(), seed.location(),
                seed.tags(), seed.properties(), endpoints.vaultUri(seed.name()));
    }

    /** Seeds an RSA key with one version in an existing vault. */
    public synchronized KeyView key(String vaultId, String keyName, int keySize, Map<String, String> tags) {
        ObjectNode vault = vaultStore.get(vaultId);
        if (vault == null) {
            throw new IllegalArgumentException("no vault " + vaultId + " to seed key " + keyName + " into");
        }
        KeyView view = keyStore.create(vault, keyName, "RSA", keySize, List.of("wrapKey", "unwrapKey"), tags).view();
        changed();
        return view;
    }

    /** Seeds a storage account. */
    public synchronized ResourceView storageAccount(String subscription, String group, String name, String location,
                                                    Map<String, String> tags) {
        groupStore.ensure(subscription, group, location);
        ResourceView view = resourceView(storageAccountStore.create(subscription, group, name, location, tags,
                JsonDocuments.object()));
        changed();
        return view;
    }

    /**
     * Seeds a user-assigned managed identity; {@code principalId} is the object id Key Vault access is granted to, and
     * its resource group is created when missing.
     */
    public synchronized ResourceView userAssignedIdentity(String subscription, String group, String name,
                                                          String principalId, String clientId) {
        groupStore.ensure(subscription, group, DEFAULT_IDENTITY_LOCATION);
        String location = JsonDocuments.text(groupStore.get(subscription, group), "location");
        ResourceView view = resourceView(resourceStore.put(IdentityDocuments.userAssigned(subscription, group, name, location,
                principalId, clientId)));
        changed();
        return view;
    }

    /** Seeds an Application Insights component. */
    public synchronized ResourceView applicationInsights(String subscription, String group, String name,
                                                         String location, Map<String, String> tags) {
        groupStore.ensure(subscription, group, location);
        ResourceView view = resourceView(resourceStore.put(ComponentDocuments.seed(subscription, group, name, location, tags)));
        changed();
        return view;
    }

    /**
     * Makes the next provisioning of this workspace (by name) fail asynchronously with this error, as Azure does when
     * it cannot create the managed Cosmos DB / storage / search (e.g. {@code QuotaExceeded}).
     */
    public synchronized ArmState failNextWorkspaceProvisioning(String workspaceName, String code, String message) {
        workspaceStore.planFailure(workspaceName, code, message);
        changed();
        return this;
    }

    /**
     * Makes the next delete of this workspace (by name) end Failed with this error, Azure's answer when it cannot
     * remove what the workspace provisioned: the delete's operation URL answers the error, the workspace stays with
     * provisioningState Failed, and a later delete goes through.
     */
    public synchronized ArmState failNextWorkspaceDeletion(String workspaceName, String code, String message) {
        workspaceStore.planDeleteFailure(workspaceName, code, message);
        changed();
        return this;
    }

    // --- inspection -----------------------------------------------------------------------------------------------

    public synchronized ProviderView providerState(String subscription, String namespace) {
        return providerStore.get(subscription, namespace);
    }

    public synchronized List<ResourceGroupView> resourceGroups() {
        return groupStore.all().stream().map(ResourceGroupStore::view).toList();
    }

    public synchronized Optional<ResourceGroupView> resourceGroup(String subscription, String name) {
        return Optional.ofNullable(groupStore.get(subscription, name)).map(ResourceGroupStore::view);
    }

    /** Resource groups whose {@code managedBy} is set (the workspaces' Microsoft-managed groups). */
    public synchronized List<ResourceGroupView> managedResourceGroups() {
        return groupStore.all().stream().filter(g -> g.hasNonNull("managedBy")).map(ResourceGroupStore::view)
                .toList();
    }

    /** Every resource in a group (vaults, storage, workspaces, managed Cosmos DB/storage/search, ...). */
    public synchronized List<ResourceView> resourcesIn(String subscription, String group) {
        return resourceStore.inGroup(subscription, group).stream().map(ArmState::resourceView).toList();
    }

    public synchronized Optional<ResourceView> resource(String id) {
        return Optional.ofNullable(resourceStore.get(id)).map(ArmState::resourceView);
    }

    public synchronized List<VaultView> vaults() {
        return vaultStore.all().stream().map(VaultDocuments::view).toList();
    }

    public synchronized Optional<VaultView> vault(String subscription, String group, String name) {
        return Optional.ofNullable(vaultStore.get(VaultStore.id(subscription, group, name))).map(VaultDocuments::view);
    }

    public synchronized List<DeletedVaultView> deletedVaults() {
        return vaultStore.deleted().stream().map(VaultDocuments::deletedView).toList();
    }

    public synchronized Optional<DeletedVaultView> deletedVault(String name) {
        return Optional.ofNullable(vaultStore.deleted(name)).map(VaultDocuments::deletedView);
    }

    /** Keys of a vault (by vault id), including soft-deleted data-plane keys (flagged {@code deleted}). */
    public synchronized List<KeyView> keys(String vaultId) {
        return keyStore.of(vaultId).stream().map(KeyStore.StoredKey::view).toList();
    }

    public synchronized Optional<KeyView> key(String vaultId, String keyName) {
        return Optional.ofNullable(keyStore.get(vaultId, keyName)).map(KeyStore.StoredKey::view);
    }

    public synchronized List<AccessPolicyView> accessPolicies(String vaultId) {
        ObjectNode vault = vaultStore.get(vaultId);
        return vault == null ? List.of() : AccessPolicies.views(vault);
    }

    public synchronized List<RoleAssignmentView> roleAssignments() {
        return roleAssignmentStore.views();
    }

    public synchronized List<ResourceView> storageAccounts() {
        return storageAccountStore.all().stream().map(ArmState::resourceView).toList();
    }

    public synchronized List<ResourceView> applicationInsights() {
        return resourceStore.ofType(ComponentDocuments.TYPE).stream().map(ArmState::resourceView).toList();
    }

    public synchronized List<WorkspaceView> workspaces() {
        return workspaceStore.all().stream().map(WorkspaceDocuments::view).toList();
    }

    public synchronized Optional<WorkspaceView> workspace(String subscription, String group, String name) {
        return Optional.ofNullable(workspaceStore.get(WorkspaceStore.id(subscription, group, name)))
                .map(WorkspaceDocuments::view);
    }

    /** Workspaces deleted without {@code forceToPurge}: they keep their name blocked. */
    public synchronized List<WorkspaceView> softDeletedWorkspaces() {
        return workspaceStore.softDeleted().stream().map(WorkspaceDocuments::view).toList();
    }

    public synchronized List<RefusedDelete> refusedDeletes() {
        return managedGroups.refusedDeletes();
    }

    private static ResourceView resourceView(ObjectNode r) {
        String id = r.get("id").asText();
        return new ResourceView(id, JsonDocuments.text(r, "name"), JsonDocuments.text(r, "type"),
                ResourceIds.after(id, "resourceGroups"), JsonDocuments.text(r, "location"), JsonDocuments.tags(r),
                r.deepCopy());
    }
}
