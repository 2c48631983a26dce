package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * Machine Learning workspaces: live ones (in the resource table), soft-deleted ones (keeping their name blocked) and
 * failures planned for a next provisioning or delete. Creates, deletes and key changes are long-running operations that
 * finish on the {@link LongRunningOperations} timer. Callers hold the ArmState lock.
 */
final class WorkspaceStore {
    static final String TYPE = "Microsoft.MachineLearningServices/workspaces";

    /** A started create or delete: the operation to poll and the workspace's location (for its URL). */
    record Started(ObjectNode workspace, LongRunningOperations.Operation operation, String location) {
    }

    /** What a timed change does when it is due. */
    private enum Change { FINISH_CREATE, FINISH_DELETE, POPULATE_MANAGED_GROUP, FINISH_KEY_CHANGE }

    /**
     * A timed change this store waits for, kept as data so that a snapshot carries it and a restarted simulator
     * reschedules it for the same instant (Azure goes on working while cmkflow is down).
     */
    private record Pending(Change change, Instant due, String workspaceId, String operationId, boolean purge,
                           String managedGroup, String location, String keyIdentifier) {
    }

    private final Map<String, ObjectNode> softDeletedById = new LinkedHashMap<>();
    private final Map<String, ArmError> plannedFailuresByName = new LinkedHashMap<>();
    private final Map<String, ArmError> plannedDeleteFailuresByName = new LinkedHashMap<>();
    private final List<Pending> pending = new ArrayList<>();
    private final ArmSimulatorOptions options;
    private final ResourceStore resources;
    private final ManagedResourceGroups managedGroups;
    private final LongRunningOperations operations;
    private final WorkspaceProvisioningChecks checks;

    WorkspaceStore(ArmSimulatorOptions options, ResourceStore resources, ManagedResourceGroups managedGroups,
                   LongRunningOperations operations, WorkspaceProvisioningChecks checks) {
        this.options = options;
        this.resources = resources;
        this.managedGroups = managedGroups;
        this.operations = operations;
        this.checks = checks;
    }

    static String id(String subscription, String group, String name) {
        return ResourceIds.resource(subscription, group, "Microsoft.MachineLearningServices", "workspaces", name);
    }

    /** The workspace, or null. */
    ObjectNode get(String id) {
        return resources.get(id);
    }

    ObjectNode require(String id) {
        return resources.require(id, TYPE);
    }

    List<ObjectNode> all() {
        return resources.ofType(TYPE);
    }

    List<ObjectNode> inGroup(String subscription, String group) {
        String prefix = ResourceIds.groupKey(subscription, group) + "/";
        return all().stream().filter(w -> ResourceIds.key(w.get("id").asText()).startsWith(prefix)).toList();
    }

    List<ObjectNode> inSubscription(String subscription) {
        String prefix = ("/subscriptions/" + subscription + "/").toLowerCase(Locale.ROOT);
        return all().stream().filter(w -> ResourceIds.key(w.get("id").asText()).startsWith(prefix)).toList();
    }

    List<ObjectNode> softDeleted() {
        return List.copyOf(softDeletedById.values());
    }

    /** A soft-deleted workspace keeps its name until it is purged. */
    void requireNameNotReserved(String id) {
        if (softDeletedById.containsKey(ResourceIds.key(id))) {
            throw ArmError.conflict("Conflict", "A workspace named '" + ResourceIds.name(id) + "' was soft-deleted "
                    + "and its name is reserved until it is purged: delete it with forceToPurge=true or recover it.");
        }
    }

    void planFailure(String workspaceName, String code, String message) {
        plannedFailuresByName.put(workspaceName.toLowerCase(Locale.ROOT), new ArmError(409, code, message));
    }

    void planDeleteFailure(String workspaceName, String code, String message) {
        plannedDeleteFailuresByName.put(workspaceName.toLowerCase(Locale.ROOT), new ArmError(500, code, message));
    }

    /** Stores the requested workspace as Creating; provisioning finishes (or fails) after the operation's duration. */
    Started create(String id, ObjectNode request, String location) {
        ObjectNode workspace = WorkspaceDocuments.creating(id, request);
        completeIdentity(workspace);
        resources.put(workspace);
        LongRunningOperations.Operation operation = operations.start(id);
        schedule(new Pending(Change.FINISH_CREATE, Instant.now().plus(options.workspaceOperationDuration()), id,
                operation.id(), false, null, null, null));
        return new Started(workspace, operation, location);
    }

    /** Fills the identity's ids: a seeded identity answers with its own, as Azure does; others get made-up ones. */
    private void completeIdentity(ObjectNode workspace) {
        if (!(workspace.get("identity") instanceof ObjectNode identity)) {
            return;
        }
        String type = JsonDocuments.text(identity, "type");
        if (type != null && type.toLowerCase(Locale.ROOT).contains("systemassigned")) {
            identity.put("principalId", UUID.randomUUID().toString());
            identity.put("tenantId", "00000000-0000-0000-0000-000000000000");
        }
        if (identity.get("userAssignedIdentities") instanceof ObjectNode assigned) {
            assigned.fields().forEachRemaining(e -> {
                ObjectNode seeded = resources.get(e.getKey());
                String principalId = seeded == null ? null : JsonDocuments.text(seeded, "properties", "principalId");
                String clientId = seeded == null ? null : JsonDocuments.text(seeded, "properties", "clientId");
                ObjectNode details = JsonDocuments.object();
                details.put("principalId", principalId != null ? principalId : UUID.randomUUID().toString());
                details.put("clientId", clientId != null ? clientId : UUID.randomUUID().toString());
                e.setValue(details);
            });
        }
    }

    /**
     * Starts switching the workspace's customer-managed key ({@code Workspaces_Update} with
     * {@code encryption.keyVaultProperties.keyIdentifier}, which {@link #update} let through). The workspace is Updating and keeps answering with its old key until the operation's
     * duration is over; then the key must exist and Azure Cosmos DB (and the CMK identity) must be able to use it, as
     * at creation, or the operation fails and the old key stays.
     */
    Started changeKey(String id, String keyIdentifier) {
        ObjectNode workspace = require(id);
        JsonDocuments.objectAt(workspace, "properties").put("provisioningState", "Updating");
        LongRunningOperations.Operation operation = operations.start(id);
        schedule(new Pending(Change.FINISH_KEY_CHANGE, Instant.now().plus(options.workspaceOperationDuration()), id,
                operation.id(), false, null, null, keyIdentifier));
        return new Started(workspace, operation, workspace.get("location").asText());
    }

    private void finishKeyChange(String id, LongRunningOperations.Operation operation, String keyIdentifier) {
        ObjectNode workspace = get(id);
        if (workspace == null || operation == null || !operation.inProgress()) {
            return;
        }
        // The workspace goes on with the key it had when the switch fails: it is usable, so Succeeded again.
        JsonDocuments.objectAt(workspace, "properties").put("provisioningState", "Succeeded");
        ObjectNode candidate = workspace.deepCopy();
        JsonDocuments.objectAt(JsonDocuments.objectAt(JsonDocuments.objectAt(candidate, "properties"), "encryption"),
                "keyVaultProperties").put("keyIdentifier", keyIdentifier);
        ArmError failure = checks.failure(candidate);
        if (failure != null) {
            operation.fail(failure);
            return;
        }
        resources.put(candidate);
        operation.succeed();
    }

    /**
     * Tags, friendly name and description change; the encryption vault never does, the key only to another of that
     * vault (its switch is {@link #changeKey}), and nothing mid-operation.
     */
    ObjectNode update(ObjectNode current, JsonNode request) {
        String state = JsonDocuments.text(current, "properties", "provisioningState");
        if (!"Succeeded".equals(state)) {
            throw ArmError.conflict("AnotherOperationInProgress", "The workspace '" + current.get("name").asText()
                    + "' is in provisioning state '" + state + "'; retry when the current operation is done.");
        }
        String currentVault = JsonDocuments.text(current, "properties", "encryption", "keyVaultProperties",
                "keyVaultArmId");
        String requestedVault = JsonDocuments.text(request, "properties", "encryption", "keyVaultProperties",
                "keyVaultArmId");
        if (requestedVault != null && (currentVault == null || !currentVault.equalsIgnoreCase(requestedVault))) {
            throw ArmError.badRequest("BadRequest", "The encryption key vault of a workspace cannot be changed after "
                    + "it is created (from '" + currentVault + "' to '" + requestedVault + "').");
        }
        String requestedKey = JsonDocuments.text(request, "properties", "encryption", "keyVaultProperties", "keyIdentifier");
        ArmError refused = requestedKey == null ? null : checks.keyChangeRefusal(current, requestedKey);
        if (refused != null) {
            throw refused;
        }
        if (request.has("tags")) {
            current.set("tags", request.get("tags"));
        }
        ObjectNode props = JsonDocuments.objectAt(current, "properties");
        for (String field : List.of("friendlyName", "description")) {
            if (request.path("properties").has(field)) {
                props.set(field, request.path("properties").get(field));
            }
        }
        return current;
    }

    private void schedule(Pending change) {
        pending.add(change);
        Duration delay = Duration.between(Instant.now(), change.due());
        operations.later(delay.isNegative() ? Duration.ZERO : delay, () -> {
            if (pending.remove(change)) {
                run(change);
            }
        });
    }

    private void run(Pending change) {
        LongRunningOperations.Operation operation = change.operationId() == null ? null
                : operations.get(change.operationId());
        String id = change.workspaceId();
        switch (change.change()) {
            case FINISH_CREATE -> finishCreate(id, operation);
            case FINISH_DELETE -> finishDelete(id, operation, change.purge());
            case POPULATE_MANAGED_GROUP -> managedGroups.populate(ResourceIds.after(id, "subscriptions"),
                    change.managedGroup(), change.location(), ResourceIds.name(id));
            case FINISH_KEY_CHANGE -> finishKeyChange(id, operation, change.keyIdentifier());
        }
    }

    private void finishCreate(String id, LongRunningOperations.Operation operation) {
        ObjectNode workspace = get(id);
        if (workspace == null || operation == null || !operation.inProgress()) {
            return;
        }
        String name = workspace.get("name").asText();
        ArmError planned = plannedFailuresByName.remove(name.toLowerCase(Locale.ROOT));
        ArmError failure = planned != null ? planned : checks.failure(workspace);
        if (failure != null) {
            // As in Azure, the workspace stays, Failed: a PUT provisions it again, a DELETE removes it.
            JsonDocuments.objectAt(workspace, "properties").put("provisioningState", "Failed");
            operation.fail(failure);
            return;
        }
        if (WorkspaceDocuments.serviceSide(workspace)) {
            // Service-side CMK: the metadata goes to Microsoft's own stores; no group appears in the subscription.
            WorkspaceDocuments.provisioned(workspace, null);
            operation.succeed();
            return;
        }
        String subscription = ResourceIds.after(id, "subscriptions");
        String location = workspace.get("location").asText();
        String managedGroup = managedGroups.create(subscription, id, name, location);
        if (options.managedResourcesDelay().isZero()) {
            managedGroups.populate(subscription, managedGroup, location, name);
        } else {
            schedule(new Pending(Change.POPULATE_MANAGED_GROUP, Instant.now().plus(options.managedResourcesDelay()), id,
                    null, false, managedGroup, location, null));
        }
        WorkspaceDocuments.provisioned(workspace, managedGroup);
        operation.succeed();
    }

    /**
     * Starts deleting: with {@code purge} the workspace (live or soft-deleted) goes with its managed group, without it
     * the workspace is soft-deleted. Null when there is nothing to delete.
     */
    Started delete(String id, boolean purge) {
        ObjectNode workspace = get(id);
        ObjectNode softDeleted = softDeletedById.get(ResourceIds.key(id));
        if (workspace == null && (softDeleted == null || !purge)) {
            return null;
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
        LongRunningOperations.Operation operation = operations.start(id);
        ObjectNode deleting = workspace != null ? workspace : softDeleted;
        schedule(new Pending(Change.FINISH_DELETE, Instant.now().plus(options.workspaceOperationDuration()), id,
                operation.id(), purge, null, null, null));
        return new Started(deleting, operation, deleting.get("location").asText());
    }

    private void finishDelete(String id, LongRunningOperations.Operation operation, boolean purge) {
        ArmError planned = plannedDeleteFailuresByName.remove(ResourceIds.name(id).toLowerCase(Locale.ROOT));
        if (planned != null && operation != null) {
            // The workspace stays, in the state of its last operation (ARM's provisioningState after a failed one).
            ObjectNode workspace = get(id);
            if (workspace != null) {
                JsonDocuments.objectAt(workspace, "properties").put("provisioningState", "Failed");
            }
            operation.fail(planned);
            return;
        }
        ObjectNode workspace = resources.remove(id);
        ObjectNode softDeleted = softDeletedById.remove(ResourceIds.key(id));
        ObjectNode deleted = workspace != null ? workspace : softDeleted;
        if (deleted != null) {
            JsonDocuments.objectAt(deleted, "properties").put("provisioningState", "Succeeded");
            if (purge) {
                managedGroups.removeOf(deleted);
            } else {
                softDeletedById.put(ResourceIds.key(id), deleted);
            }
        }
        if (operation != null) {
            operation.succeed();
        }
    }

    /** Soft-deleted workspaces, planned failures (of provisionings and deletes) and the timed changes still to come, for a snapshot. */
    ObjectNode export() {
        ObjectNode exported = JsonDocuments.object();
        ArrayNode softDeleted = exported.putArray("softDeleted");
        softDeletedById.values().forEach(softDeleted::add);
        ArrayNode failures = exported.putArray("plannedFailures");
        plannedFailuresByName.forEach((name, e) -> failures.addObject().put("workspaceName", name)
                .put("code", e.code()).put("message", e.getMessage()));
        ArrayNode deleteFailures = exported.putArray("plannedDeleteFailures");
        plannedDeleteFailuresByName.forEach((name, e) -> deleteFailures.addObject().put("workspaceName", name)
                .put("code", e.code()).put("message", e.getMessage()));
        ArrayNode changes = exported.putArray("pending");
        for (Pending p : pending) {
            changes.addObject().put("change", p.change().name()).put("due", p.due().toString())
                    .put("workspaceId", p.workspaceId()).put("operationId", p.operationId()).put("purge", p.purge())
                    .put("managedGroup", p.managedGroup()).put("location", p.location())
                    .put("keyIdentifier", p.keyIdentifier());
        }
        return exported;
    }

    /** Adds what a snapshot {@link #export()} wrote and reschedules its timed changes (the operations are loaded). */
    void load(JsonNode exported) {
        exported.path("softDeleted").forEach(w -> softDeletedById.put(ResourceIds.key(w.get("id").asText()),
                (ObjectNode) w));
        exported.path("plannedFailures").forEach(f -> plannedFailuresByName.put(f.get("workspaceName").asText(),
                new ArmError(409, f.get("code").asText(), f.get("message").asText())));
        exported.path("plannedDeleteFailures").forEach(f -> plannedDeleteFailuresByName.put(
                f.get("workspaceName").asText(), new ArmError(500, f.get("code").asText(), f.get("message").asText())));
        for (JsonNode c : exported.path("pending")) {
            schedule(new Pending(Change.valueOf(c.get("change").asText()), Instant.parse(c.get("due").asText()),
                    c.get("workspaceId").asText(), JsonDocuments.text(c, "operationId"), c.path("purge").asBoolean(),
                    JsonDocuments.text(c, "managedGroup"), JsonDocuments.text(c, "location"),
                    JsonDocuments.text(c, "keyIdentifier")));
        }
    }
}
