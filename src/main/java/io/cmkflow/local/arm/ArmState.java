package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The simulated Azure: what exists, seeded by tests and changed by requests. Every method is thread-safe (one lock,
 * shared with the request routes). Inspection methods return immutable snapshots.
 */
public final class ArmState {
    /** Azure Cosmos DB's first-party principal in public Azure; it needs get/wrapKey/unwrapKey on a CMK. */
    public static final String COSMOS_DB_PRINCIPAL_PUBLIC = "a232010e-820c-4083-83bb-3ace5fc29d0b";
    /** Azure Cosmos DB's first-party principal in Azure Government. */
    public static final String COSMOS_DB_PRINCIPAL_GOVERNMENT = "57506a73-e302-42a9-b869-6f12d9ec29e9";
    /** Built-in role "Key Vault Crypto Service Encryption User". */
    public static final String CRYPTO_SERVICE_ENCRYPTION_USER_ROLE = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
    public static final String CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_NAME = "Key Vault Crypto Service Encryption User";
    /** Namespaces ARM always has registered. */
    static final Set<String> ALWAYS_REGISTERED = Set.of("microsoft.resources", "microsoft.authorization");

    static final String VAULT_TYPE = "Microsoft.KeyVault/vaults";
    static final String WORKSPACE_TYPE = "Microsoft.MachineLearningServices/workspaces";
    static final String STORAGE_TYPE = "Microsoft.Storage/storageAccounts";
    static final String COMPONENT_TYPE = "microsoft.insights/components";
    static final String IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
    private static final String IDENTITY_TENANT = "00000000-0000-0000-0000-000000000000";
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

    // --- stored state ---------------------------------------------------------------------------------------------

    static final class Provider {
        final String subscription;
        final String namespace;
        String state;
        int registeringReadsLeft;

        Provider(String subscription, String namespace, String state) {
            this.subscription = subscription;
            this.namespace = namespace;
            this.state = state;
        }
    }

    static final class KeyVersion {
        final String version;
        final Instant created;
        final byte[] modulus;

        KeyVersion(String version, Instant created, byte[] modulus) {
            this.version = version;
            this.created = created;
            this.modulus = modulus;
        }
    }

    static final class StoredKey {
        final String vaultId;
        final String vaultName;
        final String name;
        String kty;
        int keySize;
        List<String> keyOps;
        Map<String, String> tags;
        final List<KeyVersion> versions = new ArrayList<>();
        Instant deletedAt;

        StoredKey(String vaultId, String vaultName, String name) {
            this.vaultId = vaultId;
            this.vaultName = vaultName;
            this.name = name;
        }

        KeyVersion latest() {
            return versions.get(versions.size() - 1);
        }
    }

    static final class DeletedVault {
        final ObjectNode vault;
        final Instant deletionDate;
        final Instant scheduledPurgeDate;

        DeletedVault(ObjectNode vault, Instant deletionDate, Instant scheduledPurgeDate) {
            this.vault = vault;
            this.deletionDate = deletionDate;
            this.scheduledPurgeDate = scheduledPurgeDate;
        }
    }

    static final class Operation {
        final String id;
        final String resourceId;
        final Instant startTime;
        String status = "InProgress";
        ObjectNode error;
        Instant endTime;

        Operation(String id, String resourceId, Instant startTime) {
            this.id = id;
            this.resourceId = resourceId;
            this.startTime = startTime;
        }
    }

    static final class SoftDeletedWorkspace {
        final ObjectNode workspace;
        final Instant deletedAt;

        SoftDeletedWorkspace(ObjectNode workspace, Instant deletedAt) {
            this.workspace = workspace;
            this.deletedAt = deletedAt;
        }
    }

    /** An async failure planned for a workspace's next provisioning (e.g. QuotaExceeded for the managed Cosmos DB). */
    record PlannedFailure(String code, String message) {
    }

    final ArmSimulatorOptions options;
    final SecureRandom random = new SecureRandom();
    private String baseUrl = "https://localhost/";
    private Function<String, String> vaultEndpoints = name -> baseUrl + "kv/" + name + "/";

    final Map<String, Provider> providers = new LinkedHashMap<>();
    final Map<String, ObjectNode> groups = new LinkedHashMap<>();
    final Map<String, ObjectNode> resources = new LinkedHashMap<>();
    final Map<String, StoredKey> keys = new LinkedHashMap<>();
    final Map<String, DeletedVault> deletedVaults = new LinkedHashMap<>();
    final Map<String, ObjectNode> roleAssignments = new LinkedHashMap<>();
    final Map<String, SoftDeletedWorkspace> deletedWorkspaces = new LinkedHashMap<>();
    final Map<String, Operation> operations = new LinkedHashMap<>();
    final Map<String, PlannedFailure> plannedWorkspaceFailures = new LinkedHashMap<>();
    final List<RefusedDelete> refusedDeletes = new ArrayList<>();

    final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "arm-simulator-operations");
        t.setDaemon(true);
        return t;
    });

    ArmState(ArmSimulatorOptions options) {
        this.options = options;
    }

    void close() {
        scheduler.shutdownNow();
    }

    /** Runs {@code change} under the state's lock after {@code delay} (long-running operations finishing). */
    void later(Duration delay, Runnable change) {
        scheduler.schedule(() -> {
            synchronized (this) {
                change.run();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    synchronized void baseUrl(String url) {
        this.baseUrl = url.endsWith("/") ? url : url + "/";
    }

    /** {@code https://localhost:PORT/} */
    synchronized String baseUrl() {
        return baseUrl;
    }

    /** Each vault's data plane has its own listener, so ids parse as Key Vault's do ({@code https://host/keys/k/v}). */
    synchronized void vaultEndpoints(Function<String, String> endpoints) {
        this.vaultEndpoints = endpoints;
    }

    synchronized String vaultUri(String vaultName) {
        return vaultEndpoints.apply(vaultName.toLowerCase(Locale.ROOT));
    }

    String newKeyVersion() {
        byte[] bytes = new byte[16];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    byte[] newModulus(int keySize) {
        byte[] modulus = new byte[Math.max(1, keySize / 8)];
        random.nextBytes(modulus);
        modulus[0] |= (byte) 0x80;
        return modulus;
    }

    static String base64Url(byte[] bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    // --- seeding --------------------------------------------------------------------------------------------------

    /** Creates (or replaces the location of) a resource group. */
    public synchronized ArmState resourceGroup(String subscription, String name, String location) {
        putGroup(subscription, name, location, null, Map.of());
        return this;
    }

    ObjectNode putGroup(String subscription, String name, String location, String managedBy, Map<String, String> tags) {
        ObjectNode group = JsonDocuments.object();
        group.put("id", ResourceIds.group(subscription, name));
        group.put("name", name);
        group.put("type", "Microsoft.Resources/resourceGroups");
        group.put("location", location);
        if (managedBy != null) {
            group.put("managedBy", managedBy);
        }
        group.set("tags", JsonDocuments.tagsNode(tags));
        group.putObject("properties").put("provisioningState", "Succeeded");
        groups.put(ResourceIds.groupKey(subscription, name), group);
        return group;
    }

    /** Marks namespaces Registered in a subscription. */
    public synchronized ArmState registerProviders(String subscription, String... namespaces) {
        for (String ns : namespaces) {
            provider(subscription, ns).state = "Registered";
        }
        return this;
    }

    /** Marks a namespace NotRegistered (the default unless {@code providersRegisteredAtStart}). */
    public synchronized ArmState unregisterProvider(String subscription, String namespace) {
        provider(subscription, namespace).state = "NotRegistered";
        return this;
    }

    Provider provider(String subscription, String namespace) {
        String key = subscription.toLowerCase(Locale.ROOT) + "|" + namespace.toLowerCase(Locale.ROOT);
        return providers.computeIfAbsent(key, k -> new Provider(subscription, ProviderCatalog.canonicalName(namespace),
                options.providersRegisteredAtStart() || ALWAYS_REGISTERED.contains(namespace.toLowerCase(Locale.ROOT))
                        ? "Registered" : "NotRegistered"));
    }

    synchronized boolean isRegistered(String subscription, String namespace) {
        return "Registered".equals(provider(subscription, namespace).state);
    }

    /** Seeds a key vault as described (its resource group is created when missing). */
    public synchronized VaultView vault(VaultSeed seed) {
        ensureGroup(seed.subscription(), seed.resourceGroup(), seed.location());
        ObjectNode vault = VaultRoutes.vaultDocument(this, seed.subscription(), seed.resourceGroup(), seed.name(),
                seed.location(), seed.tags(), seed.properties());
        resources.put(ResourceIds.key(vault.get("id").asText()), vault);
        return vaultView(vault);
    }

    /** Seeds a soft-deleted vault (as if deleted now), blocking its name until recovered or purged. */
    public synchronized DeletedVaultView deletedVault(VaultSeed seed) {
        ObjectNode vault = VaultRoutes.vaultDocument(this, seed.subscription(), seed.resourceGroup(), seed.name(),
                seed.location(), seed.tags(), seed.properties());
        return deletedVaultView(VaultRoutes.softDelete(this, vault));
    }

    /** Seeds an RSA key with one version in an existing vault. */
    public synchronized KeyView key(String vaultId, String keyName, int keySize, Map<String, String> tags) {
        ObjectNode vault = resources.get(ResourceIds.key(vaultId));
        if (vault == null) {
            throw new IllegalArgumentException("no vault " + vaultId + " to seed key " + keyName + " into");
        }
        StoredKey key = KeyRoutes.createKey(this, vault, keyName, "RSA", keySize, List.of("wrapKey", "unwrapKey"), tags);
        return keyView(key);
    }

    /** Seeds a storage account. */
    public synchronized ResourceView storageAccount(String subscription, String group, String name, String location,
                                                    Map<String, String> tags) {
        ensureGroup(subscription, group, location);
        ObjectNode account = StorageRoutes.accountDocument(this, subscription, group, name, location, tags,
                JsonDocuments.object());
        resources.put(ResourceIds.key(account.get("id").asText()), account);
        return resourceView(account);
    }

    /**
     * Seeds a user-assigned managed identity; {@code principalId} is the object id Key Vault access is granted to, and
     * its resource group is created when missing.
     */
    public synchronized ResourceView userAssignedIdentity(String subscription, String group, String name,
                                                          String principalId, String clientId) {
        ensureGroup(subscription, group, DEFAULT_IDENTITY_LOCATION);
        String location = JsonDocuments.text(groups.get(ResourceIds.groupKey(subscription, group)), "location");
        ObjectNode identity = JsonDocuments.object();
        identity.put("id", ResourceIds.resource(subscription, group, "Microsoft.ManagedIdentity",
                "userAssignedIdentities", name));
        identity.put("name", name);
        identity.put("type", IDENTITY_TYPE);
        identity.put("location", location);
        identity.putObject("tags");
        ObjectNode properties = identity.putObject("properties");
        properties.put("tenantId", IDENTITY_TENANT);
        properties.put("principalId", principalId);
        properties.put("clientId", clientId);
        resources.put(ResourceIds.key(identity.get("id").asText()), identity);
        return resourceView(identity);
    }

    /** Seeds an Application Insights component. */
    public synchronized ResourceView applicationInsights(String subscription, String group, String name,
                                                         String location, Map<String, String> tags) {
        ensureGroup(subscription, group, location);
        ObjectNode component = JsonDocuments.object();
        component.put("id", ResourceIds.resource(subscription, group, "microsoft.insights", "components", name));
        component.put("name", name);
        component.put("type", COMPONENT_TYPE);
        component.put("location", location);
        component.put("kind", "web");
        component.set("tags", JsonDocuments.tagsNode(tags));
        ObjectNode properties = component.putObject("properties");
        properties.put("Application_Type", "web");
        properties.put("provisioningState", "Succeeded");
        GenericRoutes.completeComponent(component);
        resources.put(ResourceIds.key(component.get("id").asText()), component);
        return resourceView(component);
    }

    /**
     * Makes the next provisioning of this workspace (by name) fail asynchronously with this error, as Azure does when
     * it cannot create the managed Cosmos DB / storage / search (e.g. {@code QuotaExceeded}).
     */
    public synchronized ArmState failNextWorkspaceProvisioning(String workspaceName, String code, String message) {
        plannedWorkspaceFailures.put(workspaceName.toLowerCase(Locale.ROOT), new PlannedFailure(code, message));
        return this;
    }

    void ensureGroup(String subscription, String group, String location) {
        if (!groups.containsKey(ResourceIds.groupKey(subscription, group))) {
            putGroup(subscription, group, location, null, Map.of());
        }
    }

    // --- inspection -----------------------------------------------------------------------------------------------

    public synchronized ProviderView providerState(String subscription, String namespace) {
        Provider p = provider(subscription, namespace);
        return new ProviderView(p.subscription, p.namespace, p.state);
    }

    public synchronized List<ResourceGroupView> resourceGroups() {
        return groups.values().stream().map(ArmState::groupView).toList();
    }

    public synchronized Optional<ResourceGroupView> resourceGroup(String subscription, String name) {
        return Optional.ofNullable(groups.get(ResourceIds.groupKey(subscription, name))).map(ArmState::groupView);
    }

    /** Resource groups whose {@code managedBy} is set (the workspaces' Microsoft-managed groups). */
    public synchronized List<ResourceGroupView> managedResourceGroups() {
        return groups.values().stream().filter(g -> g.hasNonNull("managedBy")).map(ArmState::groupView).toList();
    }

    /** Every resource in a group (vaults, storage, workspaces, managed Cosmos DB/storage/search, ...). */
    public synchronized List<ResourceView> resourcesIn(String subscription, String group) {
        String prefix = ResourceIds.groupKey(subscription, group) + "/";
        return resources.entrySet().stream().filter(e -> e.getKey().startsWith(prefix))
                .map(e -> resourceView(e.getValue())).toList();
    }

    public synchronized Optional<ResourceView> resource(String id) {
        return Optional.ofNullable(resources.get(ResourceIds.key(id))).map(ArmState::resourceView);
    }

    public synchronized List<VaultView> vaults() {
        return ofType(VAULT_TYPE).stream().map(this::vaultView).toList();
    }

    public synchronized Optional<VaultView> vault(String subscription, String group, String name) {
        return Optional.ofNullable(resources.get(ResourceIds.key(
                ResourceIds.resource(subscription, group, "Microsoft.KeyVault", "vaults", name)))).map(this::vaultView);
    }

    public synchronized List<DeletedVaultView> deletedVaults() {
        return deletedVaults.values().stream().map(this::deletedVaultView).toList();
    }

    public synchronized Optional<DeletedVaultView> deletedVault(String name) {
        return Optional.ofNullable(deletedVaults.get(name.toLowerCase(Locale.ROOT))).map(this::deletedVaultView);
    }

    /** Keys of a vault (by vault id), including soft-deleted data-plane keys (flagged {@code deleted}). */
    public synchronized List<KeyView> keys(String vaultId) {
        String prefix = ResourceIds.key(vaultId) + "|";
        return keys.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(e -> keyView(e.getValue()))
                .toList();
    }

    public synchronized Optional<KeyView> key(String vaultId, String keyName) {
        return Optional.ofNullable(keys.get(KeyRoutes.keyKey(vaultId, keyName))).map(ArmState::keyView);
    }

    public synchronized List<AccessPolicyView> accessPolicies(String vaultId) {
        ObjectNode vault = resources.get(ResourceIds.key(vaultId));
        return vault == null ? List.of() : accessPolicyViews(vault);
    }

    public synchronized List<RoleAssignmentView> roleAssignments() {
        return roleAssignments.values().stream().map(ArmState::roleAssignmentView).toList();
    }

    public synchronized List<ResourceView> storageAccounts() {
        return ofType(STORAGE_TYPE).stream().map(ArmState::resourceView).toList();
    }

    public synchronized List<ResourceView> applicationInsights() {
        return ofType(COMPONENT_TYPE).stream().map(ArmState::resourceView).toList();
    }

    public synchronized List<WorkspaceView> workspaces() {
        return ofType(WORKSPACE_TYPE).stream().map(ArmState::workspaceView).toList();
    }

    public synchronized Optional<WorkspaceView> workspace(String subscription, String group, String name) {
        return Optional.ofNullable(resources.get(ResourceIds.key(ResourceIds.resource(subscription, group,
                "Microsoft.MachineLearningServices", "workspaces", name)))).map(ArmState::workspaceView);
    }

    /** Workspaces deleted without {@code forceToPurge}: they keep their name blocked. */
    public synchronized List<WorkspaceView> softDeletedWorkspaces() {
        return deletedWorkspaces.values().stream().map(w -> workspaceView(w.workspace)).toList();
    }

    public synchronized List<RefusedDelete> refusedDeletes() {
        return List.copyOf(refusedDeletes);
    }

    // --- shared helpers for routes --------------------------------------------------------------------------------

    List<ObjectNode> ofType(String type) {
        return resources.values().stream().filter(r -> type.equalsIgnoreCase(r.path("type").asText())).toList();
    }

    /** The managed group (by lower-case group key) that {@code path} lies in, or null. */
    ObjectNode managedGroupContaining(String lowerPath) {
        for (Map.Entry<String, ObjectNode> e : groups.entrySet()) {
            if (e.getValue().hasNonNull("managedBy")
                    && (lowerPath.equals(e.getKey()) || lowerPath.startsWith(e.getKey() + "/"))) {
                return e.getValue();
            }
        }
        return null;
    }

    static ResourceGroupView groupView(ObjectNode g) {
        String id = g.get("id").asText();
        return new ResourceGroupView(id, ResourceIds.after(id, "subscriptions"), g.get("name").asText(),
                JsonDocuments.text(g, "location"), JsonDocuments.text(g, "managedBy"), JsonDocuments.tags(g));
    }

    static ResourceView resourceView(ObjectNode r) {
        String id = r.get("id").asText();
        return new ResourceView(id, JsonDocuments.text(r, "name"), JsonDocuments.text(r, "type"),
                ResourceIds.after(id, "resourceGroups"), JsonDocuments.text(r, "location"), JsonDocuments.tags(r),
                r.deepCopy());
    }

    VaultView vaultView(ObjectNode v) {
        String id = v.get("id").asText();
        JsonNode p = v.path("properties");
        return new VaultView(id, ResourceIds.after(id, "subscriptions"), ResourceIds.after(id, "resourceGroups"),
                v.get("name").asText(), JsonDocuments.text(v, "location"), JsonDocuments.text(p, "tenantId"),
                JsonDocuments.text(p, "vaultUri"), JsonDocuments.flag(p, "enableSoftDelete"),
                JsonDocuments.flag(p, "enablePurgeProtection"), JsonDocuments.flag(p, "enableRbacAuthorization"),
                p.path("softDeleteRetentionInDays").asInt(90), JsonDocuments.tags(v), accessPolicyViews(v));
    }

    static List<AccessPolicyView> accessPolicyViews(JsonNode vault) {
        List<AccessPolicyView> views = new ArrayList<>();
        for (JsonNode entry : vault.path("properties").path("accessPolicies")) {
            JsonNode perms = entry.path("permissions");
            views.add(new AccessPolicyView(JsonDocuments.text(entry, "tenantId"), JsonDocuments.text(entry, "objectId"),
                    textSet(perms.path("keys")), textSet(perms.path("secrets")), textSet(perms.path("certificates"))));
        }
        return List.copyOf(views);
    }

    static Set<String> textSet(JsonNode array) {
        Set<String> set = new LinkedHashSet<>();
        array.forEach(n -> set.add(n.asText()));
        return Set.copyOf(set);
    }

    DeletedVaultView deletedVaultView(DeletedVault d) {
        ObjectNode v = d.vault;
        String name = v.get("name").asText();
        String location = JsonDocuments.text(v, "location");
        return new DeletedVaultView(VaultRoutes.deletedVaultId(ResourceIds.after(v.get("id").asText(), "subscriptions"),
                location, name), name, v.get("id").asText(), location, JsonDocuments.tags(v), d.deletionDate,
                d.scheduledPurgeDate, JsonDocuments.flag(v, "properties", "enablePurgeProtection"));
    }

    static KeyView keyView(StoredKey k) {
        return new KeyView(k.vaultId, k.vaultName, k.name, k.kty, k.keySize, List.copyOf(k.keyOps),
                Map.copyOf(k.tags), k.versions.size(), k.latest().version, k.deletedAt != null);
    }

    static RoleAssignmentView roleAssignmentView(ObjectNode r) {
        JsonNode p = r.path("properties");
        return new RoleAssignmentView(r.get("id").asText(), r.get("name").asText(), JsonDocuments.text(p, "scope"),
                JsonDocuments.text(p, "roleDefinitionId"), JsonDocuments.text(p, "principalId"),
                JsonDocuments.text(p, "principalType"));
    }

    static WorkspaceView workspaceView(ObjectNode w) {
        String id = w.get("id").asText();
        JsonNode p = w.path("properties");
        return new WorkspaceView(id, ResourceIds.after(id, "subscriptions"), ResourceIds.after(id, "resourceGroups"),
                w.get("name").asText(), JsonDocuments.text(p, "provisioningState"),
                JsonDocuments.text(p, "serviceProvisionedResourceGroup"),
                JsonDocuments.text(p, "encryption", "keyVaultProperties", "keyVaultArmId"),
                JsonDocuments.text(p, "encryption", "keyVaultProperties", "keyIdentifier"), JsonDocuments.tags(w),
                w.deepCopy());
    }

    static Instant now() {
        return Instant.now();
    }

    static Duration retention(JsonNode vault) {
        return Duration.ofDays(vault.path("properties").path("softDeleteRetentionInDays").asInt(90));
    }

    static ArrayNode arrayOf(Collection<String> values) {
        ArrayNode array = JsonDocuments.array();
        values.forEach(array::add);
        return array;
    }
}
