package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.UUID;

/**
 * Microsoft.MachineLearningServices workspaces. A create is a long-running operation (201 Creating plus an
 * {@code Azure-AsyncOperation} URL) that validates the CMK settings as Azure does, and on success makes the
 * Microsoft-managed resource group with a Cosmos DB account, a storage account and a search service. A delete is 202
 * plus {@code Location}; with {@code forceToPurge=true} it removes the workspace and its managed group, without it the
 * workspace is soft-deleted and keeps its name blocked.
 */
final class WorkspaceRoutes implements Route.Family {
    private static final String NAMESPACE = "Microsoft.MachineLearningServices";
    private static final Set<String> CMK_KEY_PERMISSIONS = Set.of("get", "wrapkey", "unwrapkey");
    /** Roles that carry the key get/wrap/unwrap data actions Azure Cosmos DB (and a CMK identity) needs on an RBAC vault. */
    private static final Set<String> CMK_ROLES = Set.of(ArmState.CRYPTO_SERVICE_ENCRYPTION_USER_ROLE,
            RoleRoutes.KEY_VAULT_CRYPTO_OFFICER, RoleRoutes.KEY_VAULT_ADMINISTRATOR);

    private final ArmState state;

    WorkspaceRoutes(ArmState state) {
        this.state = state;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions")) {
            return null;
        }
        String method = r.method.toUpperCase(Locale.ROOT);
        if (r.size() == 8 && r.is(2, "providers") && r.is(3, NAMESPACE) && r.is(4, "locations")
                && method.equals("GET")) {
            if (r.is(6, "workspaceOperationsStatus")) {
                return new Route("WorkspaceOperations_GetStatus", () -> operationStatus(r.segment(7)));
            }
            if (r.is(6, "workspaceOperationResults")) {
                return new Route("WorkspaceOperations_GetResult", () -> operationResult(r));
            }
            return null;
        }
        if (!(r.is(2, "resourceGroups") && r.is(4, "providers") && r.is(5, NAMESPACE) && r.is(6, "workspaces"))) {
            return null;
        }
        String subscription = r.segment(1);
        String group = r.segment(3);
        if (r.size() == 7 && method.equals("GET")) {
            String prefix = ResourceIds.groupKey(subscription, group) + "/";
            return new Route("Workspaces_ListByResourceGroup", () -> ArmResponse.ok(JsonDocuments.list(
                    state.ofType(ArmState.WORKSPACE_TYPE).stream()
                            .filter(w -> ResourceIds.key(w.get("id").asText()).startsWith(prefix)).toList())));
        }
        if (r.size() != 8) {
            return null;
        }
        String id = ResourceIds.resource(subscription, group, NAMESPACE, "workspaces", r.segment(7));
        return switch (method) {
            case "PUT" -> new Route("Workspaces_CreateOrUpdate", () -> createOrUpdate(r, id));
            case "GET" -> new Route("Workspaces_Get", () -> ArmResponse.ok(existing(id)));
            case "PATCH" -> new Route("Workspaces_Update", () -> update(r, id));
            case "DELETE" -> new Route("Workspaces_Delete", () -> delete(r, id));
            case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                    state.resources.containsKey(ResourceIds.key(id)) ? 204 : 404));
            default -> null;
        };
    }

    private ObjectNode existing(String id) {
        ObjectNode workspace = state.resources.get(ResourceIds.key(id));
        if (workspace == null) {
            throw ArmError.notFound(ArmState.WORKSPACE_TYPE + "/" + ResourceIds.name(id),
                    ResourceIds.after(id, "resourceGroups"));
        }
        return workspace;
    }

    private ArmResponse createOrUpdate(ArmRequest r, String id) {
        ObjectNode body = r.jsonBody();
        if (state.deletedWorkspaces.containsKey(ResourceIds.key(id))) {
            throw ArmError.conflict("Conflict", "A workspace named '" + ResourceIds.name(id) + "' was soft-deleted "
                    + "and its name is reserved until it is purged: delete it with forceToPurge=true or recover it.");
        }
        ObjectNode current = state.resources.get(ResourceIds.key(id));
        if (current != null) {
            return update(current, body);
        }
        String location = JsonDocuments.text(body, "location");
        if (location == null || location.isBlank()) {
            throw ArmError.badRequest("BadRequest", "The workspace property 'location' is required.");
        }
        JsonNode props = body.path("properties");
        for (String required : List.of("storageAccount", "keyVault")) {
            if (JsonDocuments.text(props, required) == null) {
                throw ArmError.badRequest("BadRequest", "The workspace property 'properties." + required
                        + "' is required.");
            }
        }
        ObjectNode workspace = body.deepCopy();
        workspace.put("id", id);
        workspace.put("name", ResourceIds.name(id));
        workspace.put("type", ArmState.WORKSPACE_TYPE);
        if (!workspace.has("tags")) {
            workspace.putObject("tags");
        }
        ObjectNode wsProps = JsonDocuments.objectAt(workspace, "properties");
        wsProps.put("provisioningState", "Creating");
        wsProps.put("workspaceId", UUID.randomUUID().toString());
        completeIdentity(workspace);
        state.resources.put(ResourceIds.key(id), workspace);
        ArmState.Operation operation = startOperation(id);
        state.later(state.options.workspaceOperationDuration(), () -> finishCreate(id, operation));
        return ArmResponse.status(201, workspace).header("Azure-AsyncOperation",
                operationUrl(r, id, location, "workspaceOperationsStatus", operation.id));
    }

    private ArmResponse update(ObjectNode current, ObjectNode body) {
        String state = JsonDocuments.text(current, "properties", "provisioningState");
        if (!"Succeeded".equals(state)) {
            throw ArmError.conflict("AnotherOperationInProgress", "The workspace '" + current.get("name").asText()
                    + "' is in provisioning state '" + state + "'; retry when the current operation is done.");
        }
        String currentVault = JsonDocuments.text(current, "properties", "encryption", "keyVaultProperties",
                "keyVaultArmId");
        String requestedVault = JsonDocuments.text(body, "properties", "encryption", "keyVaultProperties",
                "keyVaultArmId");
        if (requestedVault != null && (currentVault == null || !currentVault.equalsIgnoreCase(requestedVault))) {
            throw ArmError.badRequest("BadRequest", "The encryption key vault of a workspace cannot be changed after "
                    + "it is created (from '" + currentVault + "' to '" + requestedVault + "').");
        }
        if (body.has("tags")) {
            current.set("tags", body.get("tags"));
        }
        ObjectNode props = JsonDocuments.objectAt(current, "properties");
        for (String field : List.of("friendlyName", "description")) {
            if (body.path("properties").has(field)) {
                props.set(field, body.path("properties").get(field));
            }
        }
        return ArmResponse.ok(current);
    }

    private ArmResponse update(ArmRequest r, String id) {
        return update(existing(id), r.jsonBody());
    }

    private void completeIdentity(ObjectNode workspace) {
        if (workspace.get("identity") instanceof ObjectNode identity) {
            String type = JsonDocuments.text(identity, "type");
            if (type != null && type.toLowerCase(Locale.ROOT).contains("systemassigned")) {
                identity.put("principalId", UUID.randomUUID().toString());
                identity.put("tenantId", "00000000-0000-0000-0000-000000000000");
            }
            if (identity.get("userAssignedIdentities") instanceof ObjectNode assigned) {
                assigned.fields().forEachRemaining(e -> {
                    // A seeded identity answers with its own ids, as Azure does; an unknown one gets made-up ids.
                    ObjectNode seeded = state.resources.get(ResourceIds.key(e.getKey()));
                    String principalId = seeded == null ? null : JsonDocuments.text(seeded, "properties", "principalId");
                    String clientId = seeded == null ? null : JsonDocuments.text(seeded, "properties", "clientId");
                    ObjectNode details = JsonDocuments.object();
                    details.put("principalId", principalId != null ? principalId : UUID.randomUUID().toString());
                    details.put("clientId", clientId != null ? clientId : UUID.randomUUID().toString());
                    e.setValue(details);
                });
            }
        }
    }

    private ArmState.Operation startOperation(String resourceId) {
        ArmState.Operation operation = new ArmState.Operation(UUID.randomUUID().toString(), resourceId,
                ArmState.now());
        state.operations.put(operation.id, operation);
        return operation;
    }

    private String operationUrl(ArmRequest r, String id, String location, String kind, String operationId) {
        String apiVersion = r.query("api-version") == null ? "2026-07-01" : r.query("api-version");
        return state.baseUrl() + "subscriptions/" + ResourceIds.after(id, "subscriptions") + "/providers/" + NAMESPACE
                + "/locations/" + location.replace(" ", "").toLowerCase(Locale.ROOT) + "/" + kind + "/"
                + operationId + "?api-version=" + apiVersion;
    }

    private void finishCreate(String id, ArmState.Operation operation) {
        ObjectNode workspace = state.resources.get(ResourceIds.key(id));
        if (workspace == null || !"InProgress".equals(operation.status)) {
            return;
        }
        ArmError failure = validate(workspace);
        operation.endTime = ArmState.now();
        if (failure != null) {
            state.resources.remove(ResourceIds.key(id));
            operation.status = "Failed";
            operation.error = JsonDocuments.object().put("code", failure.code()).put("message", failure.getMessage());
            return;
        }
        String managedGroup = "azureml-rg-" + workspace.get("name").asText() + "_" + UUID.randomUUID();
        String subscription = ResourceIds.after(id, "subscriptions");
        String location = workspace.get("location").asText();
        state.putGroup(subscription, managedGroup, location, id, java.util.Map.of());
        if (state.options.managedResourcesDelay().isZero()) {
            addManagedResources(subscription, managedGroup, location, workspace.get("name").asText());
        } else {
            state.later(state.options.managedResourcesDelay(), () -> {
                if (state.groups.containsKey(ResourceIds.groupKey(subscription, managedGroup))) {
                    addManagedResources(subscription, managedGroup, location, workspace.get("name").asText());
                }
            });
        }
        ObjectNode props = JsonDocuments.objectAt(workspace, "properties");
        props.put("provisioningState", "Succeeded");
        props.put("serviceProvisionedResourceGroup", managedGroup);
        props.put("discoveryUrl", "https://" + location + ".api.azureml.ms/discovery");
        props.put("mlFlowTrackingUri", "azureml://" + location + ".api.azureml.ms/mlflow/v1.0" + id);
        props.put("privateLinkCount", 0);
        if (!props.has("publicNetworkAccess")) {
            props.put("publicNetworkAccess", "Enabled");
        }
        operation.status = "Succeeded";
    }

    private void addManagedResources(String subscription, String group, String location, String workspaceName) {
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = workspaceName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        base = base.substring(0, Math.min(base.length(), 10));
        putManaged(subscription, group, location, "Microsoft.DocumentDB", "databaseAccounts", base + suffix);
        putManaged(subscription, group, location, "Microsoft.Storage", "storageAccounts", base + suffix);
        putManaged(subscription, group, location, "Microsoft.Search", "searchServices", base + suffix);
    }

    private void putManaged(String subscription, String group, String location, String namespace, String type,
                            String name) {
        ObjectNode resource = JsonDocuments.object();
        String id = ResourceIds.resource(subscription, group, namespace, type, name);
        resource.put("id", id);
        resource.put("name", name);
        resource.put("type", namespace + "/" + type);
        resource.put("location", location);
        resource.putObject("tags");
        resource.putObject("properties").put("provisioningState", "Succeeded");
        state.resources.put(ResourceIds.key(id), resource);
    }

    /** Azure's checks at provisioning time; null when the workspace can be created. */
    private ArmError validate(ObjectNode workspace) {
        ArmState.PlannedFailure planned = state.plannedWorkspaceFailures.remove(
                workspace.get("name").asText().toLowerCase(Locale.ROOT));
        if (planned != null) {
            return new ArmError(409, planned.code(), planned.message());
        }
        JsonNode props = workspace.path("properties");
        for (String reference : List.of("storageAccount", "keyVault", "applicationInsights")) {
            String referenced = JsonDocuments.text(props, reference);
            if (referenced != null && !state.resources.containsKey(ResourceIds.key(referenced))) {
                return new ArmError(400, "ResourceNotFound", "The " + reference + " '" + referenced
                        + "' associated with the workspace could not be found.");
            }
        }
        JsonNode encryption = props.path("encryption");
        if (!"Enabled".equalsIgnoreCase(JsonDocuments.text(encryption, "status"))) {
            return null;
        }
        String vaultId = JsonDocuments.text(encryption, "keyVaultProperties", "keyVaultArmId");
        String keyIdentifier = JsonDocuments.text(encryption, "keyVaultProperties", "keyIdentifier");
        if (vaultId == null || keyIdentifier == null) {
            return new ArmError(400, "BadRequest", "Encryption requires keyVaultProperties.keyVaultArmId and "
                    + "keyVaultProperties.keyIdentifier.");
        }
        ObjectNode vault = state.resources.get(ResourceIds.key(vaultId));
        if (vault == null) {
            return new ArmError(400, "KeyVaultNotFound", "The key vault '" + vaultId + "' given for the "
                    + "workspace's customer-managed key could not be found.");
        }
        if (!JsonDocuments.flag(vault, "properties", "enablePurgeProtection")) {
            return new ArmError(400, "BadRequest",
                    "CMK workspaces should have purge protection enabled on their CMK keyvault");
        }
        String keyPrefix = JsonDocuments.text(vault, "properties", "vaultUri") + "keys/";
        if (!keyIdentifier.regionMatches(true, 0, keyPrefix, 0, keyPrefix.length())) {
            return new ArmError(400, "KeyNotFound", "The key identifier '" + keyIdentifier + "' is not a key of the "
                    + "key vault '" + vaultId + "'.");
        }
        String[] keyParts = keyIdentifier.substring(keyPrefix.length()).split("/");
        ArmState.StoredKey key = state.keys.get(KeyRoutes.keyKey(vaultId, keyParts[0]));
        if (key == null || key.deletedAt != null
                || (keyParts.length > 1 && key.versions.stream().noneMatch(v -> v.version.equalsIgnoreCase(keyParts[1])))) {
            return new ArmError(400, "KeyNotFound", "The key '" + keyIdentifier + "' could not be found in the key "
                    + "vault '" + vaultId + "'.");
        }
        if (!cosmosCanUseKey(vault, key)) {
            return new ArmError(400, "KeyVaultAccessDenied", "Azure Cosmos DB (principal "
                    + ArmState.COSMOS_DB_PRINCIPAL_PUBLIC + ") cannot get, wrap and unwrap the key '" + keyIdentifier
                    + "': grant it an access policy with keys get, wrapKey and unwrapKey (or, on an RBAC vault, the "
                    + "Key Vault Crypto Service Encryption User role).");
        }
        String identityId = JsonDocuments.text(encryption, "identity", "userAssignedIdentity");
        if (identityId != null) {
            ObjectNode identity = state.resources.get(ResourceIds.key(identityId));
            if (identity == null || !ArmState.IDENTITY_TYPE.equalsIgnoreCase(JsonDocuments.text(identity, "type"))) {
                return new ArmError(400, "UserAssignedIdentityNotFound", "The user-assigned identity '" + identityId
                        + "' given for the workspace's customer-managed key could not be found.");
            }
            String principal = JsonDocuments.text(identity, "properties", "principalId");
            if (principal == null || !canUseKey(vault, key, Set.of(principal.toLowerCase(Locale.ROOT)))) {
                return new ArmError(400, "KeyVaultAccessDenied", "The user-assigned identity '" + identityId
                        + "' (principal " + principal + ") cannot get, wrap and unwrap the key '" + keyIdentifier
                        + "': grant it an access policy with keys get, wrapKey and unwrapKey (or, on an RBAC vault, "
                        + "the Key Vault Crypto Service Encryption User role).");
            }
        }
        return null;
    }

    private boolean cosmosCanUseKey(ObjectNode vault, ArmState.StoredKey key) {
        return canUseKey(vault, key, Set.of(ArmState.COSMOS_DB_PRINCIPAL_PUBLIC, ArmState.COSMOS_DB_PRINCIPAL_GOVERNMENT));
    }

    /** Whether one of these principals (lower case) holds get/wrapKey/unwrapKey on the key, by policy or role. */
    private boolean canUseKey(ObjectNode vault, ArmState.StoredKey key, Set<String> principals) {
        if (JsonDocuments.flag(vault, "properties", "enableRbacAuthorization")) {
            String vaultScope = ResourceIds.key(vault.get("id").asText());
            String keyScope = vaultScope + "/keys/" + key.name.toLowerCase(Locale.ROOT);
            return state.roleAssignments.values().stream().anyMatch(a -> {
                String scope = ResourceIds.key(JsonDocuments.text(a, "properties", "scope"));
                String role = ResourceIds.name(JsonDocuments.text(a, "properties", "roleDefinitionId"))
                        .toLowerCase(Locale.ROOT);
                String principal = JsonDocuments.text(a, "properties", "principalId");
                boolean covers = keyScope.equals(scope) || keyScope.startsWith(scope + "/");
                return covers && CMK_ROLES.contains(role) && principal != null
                        && principals.contains(principal.toLowerCase(Locale.ROOT));
            });
        }
        for (JsonNode entry : vault.path("properties").path("accessPolicies")) {
            String objectId = JsonDocuments.text(entry, "objectId");
            if (objectId != null && principals.contains(objectId.toLowerCase(Locale.ROOT))) {
                Set<String> granted = new java.util.HashSet<>();
                entry.path("permissions").path("keys").forEach(p -> granted.add(p.asText().toLowerCase(Locale.ROOT)));
                if (granted.containsAll(CMK_KEY_PERMISSIONS) || granted.contains("all")) {
                    return true;
                }
            }
        }
        return false;
    }

    private ArmResponse delete(ArmRequest r, String id) {
        boolean purge = "true".equalsIgnoreCase(r.query("forceToPurge"));
        String key = ResourceIds.key(id);
        ObjectNode workspace = state.resources.get(key);
        ArmState.SoftDeletedWorkspace softDeleted = state.deletedWorkspaces.get(key);
        if (workspace == null && (softDeleted == null || !purge)) {
            return ArmResponse.empty(204);
        }
        if (workspace != null) {
            String provisioning = JsonDocuments.text(workspace, "properties", "provisioningState");
            if ("Creating".equals(provisioning) || "Deleting".equals(provisioning)) {
                throw ArmError.conflict("AnotherOperationInProgress", "The workspace '" + ResourceIds.name(id)
                        + "' is in provisioning state '" + provisioning + "'; retry when the current operation is "
                        + "done.");
            }
            JsonDocuments.objectAt(workspace, "properties").put("provisioningState", "Deleting");
        }
        ArmState.Operation operation = startOperation(id);
        String location = workspace != null ? workspace.get("location").asText()
                : softDeleted.workspace.get("location").asText();
        state.later(state.options.workspaceOperationDuration(), () -> finishDelete(id, operation, purge));
        return ArmResponse.empty(202).header("Location",
                operationUrl(r, id, location, "workspaceOperationResults", operation.id));
    }

    private void finishDelete(String id, ArmState.Operation operation, boolean purge) {
        String key = ResourceIds.key(id);
        ObjectNode workspace = state.resources.remove(key);
        ArmState.SoftDeletedWorkspace softDeleted = state.deletedWorkspaces.remove(key);
        ObjectNode deleted = workspace != null ? workspace : softDeleted == null ? null : softDeleted.workspace;
        if (deleted != null) {
            JsonDocuments.objectAt(deleted, "properties").put("provisioningState", "Succeeded");
            if (purge) {
                removeManagedGroup(deleted);
            } else {
                state.deletedWorkspaces.put(key, new ArmState.SoftDeletedWorkspace(deleted, Instant.now()));
            }
        }
        operation.status = "Succeeded";
        operation.endTime = ArmState.now();
    }

    private void removeManagedGroup(ObjectNode workspace) {
        String group = JsonDocuments.text(workspace, "properties", "serviceProvisionedResourceGroup");
        if (group == null) {
            return;
        }
        String groupKey = ResourceIds.groupKey(ResourceIds.after(workspace.get("id").asText(), "subscriptions"), group);
        state.groups.remove(groupKey);
        state.resources.keySet().removeIf(k -> k.startsWith(groupKey + "/"));
    }

    private ArmResponse operationStatus(String operationId) {
        ArmState.Operation operation = operation(operationId);
        ObjectNode status = JsonDocuments.object();
        status.put("id", operation.resourceId + "/operations/" + operation.id);
        status.put("name", operation.id);
        status.put("status", operation.status);
        status.put("startTime", operation.startTime.toString());
        if (operation.endTime != null) {
            status.put("endTime", operation.endTime.toString());
        }
        if (operation.error != null) {
            status.set("error", operation.error);
        }
        return ArmResponse.ok(status);
    }

    private ArmResponse operationResult(ArmRequest r) {
        ArmState.Operation operation = operation(r.segment(7));
        return switch (operation.status) {
            case "InProgress" -> ArmResponse.empty(202).header("Location", state.baseUrl()
                    + r.path.substring(1) + "?api-version=" + r.query("api-version"));
            case "Succeeded" -> ArmResponse.empty(200);
            default -> throw new ArmError(500, operation.error.path("code").asText(),
                    operation.error.path("message").asText());
        };
    }

    private ArmState.Operation operation(String operationId) {
        ArmState.Operation operation = state.operations.get(operationId);
        if (operation == null) {
            throw new ArmError(404, "OperationNotFound", "The operation '" + operationId + "' was not found.");
        }
        return operation;
    }
}
