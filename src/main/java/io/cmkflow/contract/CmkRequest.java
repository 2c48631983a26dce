package io.cmkflow.contract;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;

import java.util.Map;

/**
 * A request about one CMK-encrypted Azure Machine Learning workspace: provision it, or change its key. Its JSON form is defined by
 * {@code workflows/cmk-workspace/request.schema.json}; this record is what the workflow and the activities carry.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record CmkRequest(
        String requestId,
        String subscriptionId,
        String tenantId,
        String cloud,
        String resourceGroup,
        String location,
        Workspace workspace,
        KeyVault keyVault,
        Key key,
        Map<String, String> tags,
        String operation,
        Decommission decommission) {

    /** A create request (no {@code operation}). */
    public CmkRequest(String requestId, String subscriptionId, String tenantId, String cloud, String resourceGroup,
                      String location, Workspace workspace, KeyVault keyVault, Key key, Map<String, String> tags) {
        this(requestId, subscriptionId, tenantId, cloud, resourceGroup, location, workspace, keyVault, key, tags, null);
    }

    /** A request of {@code operation} (no decommission settings). */
    public CmkRequest(String requestId, String subscriptionId, String tenantId, String cloud, String resourceGroup,
                      String location, Workspace workspace, KeyVault keyVault, Key key, Map<String, String> tags,
                      String operation) {
        this(requestId, subscriptionId, tenantId, cloud, resourceGroup, location, workspace, keyVault, key, tags,
                operation, null);
    }

    public static final String AZURE_CLOUD = "AzureCloud";
    public static final String AZURE_US_GOVERNMENT = "AzureUSGovernment";

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Workspace(
            String name,
            String friendlyName,
            Boolean hbiWorkspace,
            String userAssignedIdentityId,
            String userAssignedIdentityClientId,
            String storageAccountId,
            String applicationInsightsId,
            Boolean serviceSideEncryption) {
        /** A workspace in the classic mode (its encrypted metadata in a Microsoft-managed resource group). */
        public Workspace(String name, String friendlyName, Boolean hbiWorkspace, String userAssignedIdentityId,
                         String userAssignedIdentityClientId, String storageAccountId, String applicationInsightsId) {
            this(name, friendlyName, hbiWorkspace, userAssignedIdentityId, userAssignedIdentityClientId, storageAccountId,
                    applicationInsightsId, null);
        }

        public boolean hbi() {
            return Boolean.TRUE.equals(hbiWorkspace);
        }

        /** Azure's service-side CMK mode: the workspace's metadata in Microsoft's stores, no managed resource group. */
        public boolean serviceSide() {
            return Boolean.TRUE.equals(serviceSideEncryption);
        }
    }

    /** Either {@code name} (created in the request's resource group) or {@code existingId} (adopted if it complies). */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record KeyVault(
            String name,
            String existingId,
            String sku,
            Integer softDeleteRetentionDays,
            Boolean rbac) {
        public boolean rbacAuthorization() {
            return Boolean.TRUE.equals(rbac);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Key(String name, Integer size, String type, RotationPolicy rotationPolicy) {
        /** A key without a rotation policy. */
        public Key(String name, Integer size, String type) {
            this(name, size, type, null);
        }
    }

    /**
     * What Key Vault does over the life of a key cmkflow creates, in days: the key's versions expire
     * {@code expiresAfterDays} after they are made; Key Vault makes a new version {@code rotateBeforeExpiryDays} before
     * that and publishes a near-expiry event {@code notifyBeforeExpiryDays} before it (each only when given).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record RotationPolicy(Integer expiresAfterDays, Integer rotateBeforeExpiryDays, Integer notifyBeforeExpiryDays) {
    }

    /**
     * What a decommission deletes and how: {@code confirm} must repeat the workspace's name (the delete cannot be taken
     * back once Azure accepts it); {@code purge} deletes the workspace for good (default: soft delete, which keeps its
     * name blocked and its managed resource group until Azure's retention ends); {@code deleteCreatedResources} also
     * deletes what the workspace's create made for it and nothing else uses (key and vault soft-deleted).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Decommission(String confirm, Boolean purge, Boolean deleteCreatedResources) {
        /** Settings that keep what the create made. */
        public Decommission(String confirm, Boolean purge) {
            this(confirm, purge, null);
        }

        public boolean purgeWorkspace() {
            return Boolean.TRUE.equals(purge);
        }

        public boolean deleteCreated() {
            return Boolean.TRUE.equals(deleteCreatedResources);
        }
    }

    /**
     * The vault the request names: its {@code keyVault.existingId}, or {@code keyVault.name} in the request's resource
     * group. Call only on a request that passed {@link RequestRules}.
     */
    public ArmResourceId keyVaultId() {
        if (keyVault.existingId() != null) {
            return ArmResourceId.parse(keyVault.existingId()).orElseThrow();
        }
        return new ArmResourceId(subscriptionId, resourceGroup, "Microsoft.KeyVault", "vaults", keyVault.name());
    }

    /** What the request asks for: its {@code operation}, {@link Operation#CREATE} when absent. Call only on a request that passed {@link RequestRules}. */
    public Operation operationOrDefault() {
        return Operation.find(operation).orElseThrow();
    }

    public Map<String, String> tagsOrEmpty() {
        return tags == null ? Map.of() : tags;
    }
}
