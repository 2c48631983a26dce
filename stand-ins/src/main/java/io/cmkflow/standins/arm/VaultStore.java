package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Key vaults: live ones (in the resource table), soft-deleted ones (by name, which they keep blocked until recovered
 * or purged) and their access policies. Vault names are unique across the simulated Azure. Callers hold the ArmState
 * lock.
 */
final class VaultStore {
    static final String TYPE = "Microsoft.KeyVault/vaults";
    static final String DELETED_STATE_MESSAGE = "A vault with the same name already exists in deleted state. "
            + "You need to either recover or purge existing key vault. Follow this link "
            + "https://go.microsoft.com/fwlink/?linkid=2149745 for more information on soft delete.";

    /** A soft-deleted vault: its last document and when Azure would purge it. */
    record DeletedVault(ObjectNode vault, Instant deletionDate, Instant scheduledPurgeDate) {
        String subscription() {
            return ResourceIds.after(vault.get("id").asText(), "subscriptions");
        }
    }

    /** A create-or-update's outcome: the stored vault, and whether it is new (201) or replaced (200). */
    record Saved(ObjectNode vault, boolean created) {
    }

    private final Map<String, DeletedVault> deletedByName = new LinkedHashMap<>();
    private final ResourceStore resources;
    private final KeyStore keys;
    private final SimulatorEndpoints endpoints;

    VaultStore(ResourceStore resources, KeyStore keys, SimulatorEndpoints endpoints) {
        this.resources = resources;
        this.keys = keys;
        this.endpoints = endpoints;
    }

    static String id(String subscription, String group, String name) {
        return ResourceIds.resource(subscription, group, "Microsoft.KeyVault", "vaults", name);
    }

    /** The vault, or null. */
    ObjectNode get(String id) {
        return resources.get(id);
    }

    ObjectNode require(String id) {
        return resources.require(id, TYPE);
    }

    /** The live vault of this name (names are global), or null. */
    ObjectNode named(String name) {
        return all().stream().filter(v -> v.get("name").asText().equalsIgnoreCase(name)).findFirst().orElse(null);
    }

    List<ObjectNode> all() {
        return resources.ofType(TYPE);
    }

    /** Vaults in any resource group of this name. */
    List<ObjectNode> inGroupsNamed(String group) {
        return all().stream()
                .filter(v -> group.equalsIgnoreCase(ResourceIds.after(v.get("id").asText(), "resourceGroups")))
                .toList();
    }

    boolean isDeletedName(String name) {
        return deletedByName.containsKey(name.toLowerCase(Locale.ROOT));
    }

    /** Refuses a name a soft-deleted vault holds, or another live vault has (they are global). */
    void requireNameFree(String id, String name) {
        if (isDeletedName(name)) {
            throw ArmError.conflict("ConflictError", DELETED_STATE_MESSAGE);
        }
        for (ObjectNode other : all()) {
            if (other.get("name").asText().equalsIgnoreCase(name) && !other.get("id").asText().equalsIgnoreCase(id)) {
                throw ArmError.conflict("VaultAlreadyExists", "The vault name '" + name + "' is already in use. Vault "
                        + "names are globally unique so it is possible that the name is already taken. If you are "
                        + "sure that the vault name was not taken then it is possible that a vault with the same "
                        + "name was recently deleted but not purged after being placed in a recoverable state.");
            }
        }
    }

    /** Creates the vault, or replaces its settings; purge protection, once on, stays on. */
    Saved createOrReplace(String subscription, String group, String name, String location, Map<String, String> tags,
                          ObjectNode requestedProperties) {
        ObjectNode current = get(id(subscription, group, name));
        ObjectNode properties = requestedProperties;
        if (current != null) {
            ObjectNode currentProps = (ObjectNode) current.get("properties");
            VaultRequests.guardIrreversible(currentProps, requestedProperties);
            properties = requestedProperties.deepCopy();
            if (JsonDocuments.flag(currentProps, "enablePurgeProtection")) {
                properties.put("enablePurgeProtection", true);
            }
        }
        ObjectNode vault = resources.put(VaultDocuments.vault(subscription, group, name, location, tags, properties,
                endpoints.vaultUri(name)));
        return new Saved(vault, current == null);
    }

    /**
     * Brings a soft-deleted vault (and its keys) back under {@code id} as it was: Azure's {@code createMode=recover}
     * ignores the request's other properties and tags (change them with an update afterwards).
     */
    ObjectNode recover(String id, String name) {
        DeletedVault deleted = deletedByName.remove(name.toLowerCase(Locale.ROOT));
        if (deleted == null) {
            throw new ArmError(404, "ResourceNotFound", "No deleted vault named '" + name
                    + "' exists in the subscription to recover.");
        }
        ObjectNode recovered = deleted.vault().deepCopy();
        recovered.put("id", id);
        ObjectNode recoveredProps = (ObjectNode) recovered.get("properties");
        recoveredProps.put("provisioningState", "Succeeded");
        recoveredProps.put("vaultUri", endpoints.vaultUri(name));
        keys.moveAll(deleted.vault().get("id").asText(), id);
        return resources.put(recovered);
    }

    /** Vaults_Update: the non-null requested properties and the tags (when given) replace the vault's. */
    ObjectNode update(String id, JsonNode requestedProperties, JsonNode tags) {
        ObjectNode vault = require(id);
        ObjectNode props = (ObjectNode) vault.get("properties");
        if (requestedProperties instanceof ObjectNode patch) {
            VaultRequests.guardIrreversible(props, patch);
            patch.fields().forEachRemaining(f -> {
                if (!f.getValue().isNull()) {
                    props.set(f.getKey(), f.getValue());
                }
            });
        }
        if (tags != null) {
            vault.set("tags", tags);
        }
        return vault;
    }

    /** Soft-deletes the vault when soft delete is on, else deletes it and its keys; false when there was none. */
    boolean delete(String id) {
        ObjectNode vault = get(id);
        if (vault == null) {
            return false;
        }
        if (JsonDocuments.flag(vault, "properties", "enableSoftDelete")) {
            softDelete(vault);
        } else {
            resources.remove(id);
            keys.removeAll(id);
        }
        return true;
    }

    /** Moves a vault to the deleted vaults; its keys stay stored under its id, so a recovery brings them back. */
    DeletedVault softDelete(ObjectNode vault) {
        resources.remove(vault.get("id").asText());
        Instant now = Instant.now();
        DeletedVault deleted = new DeletedVault(vault.deepCopy(), now, now.plus(VaultDocuments.retention(vault)));
        deletedByName.put(vault.get("name").asText().toLowerCase(Locale.ROOT), deleted);
        return deleted;
    }

    /** The deleted vault of this name, or null. */
    DeletedVault deleted(String name) {
        return deletedByName.get(name.toLowerCase(Locale.ROOT));
    }

    /** The deleted vault as addressed by subscription, location and name, or Azure's 404. */
    DeletedVault requireDeleted(String subscription, String location, String name) {
        DeletedVault d = deleted(name);
        if (d == null || !subscription.equalsIgnoreCase(d.subscription())
                || !normalLocation(location).equals(normalLocation(JsonDocuments.text(d.vault(), "location")))) {
            throw new ArmError(404, "ResourceNotFound", "The Resource 'Microsoft.KeyVault/deletedVaults/" + name
                    + "' under location '" + location + "' was not found.");
        }
        return d;
    }

    private static String normalLocation(String location) {
        return location == null ? "" : location.replace(" ", "").toLowerCase(Locale.ROOT);
    }

    List<DeletedVault> deleted() {
        return List.copyOf(deletedByName.values());
    }

    List<DeletedVault> deletedIn(String subscription) {
        return deletedByName.values().stream().filter(d -> subscription.equalsIgnoreCase(d.subscription())).toList();
    }

    /** Purges a deleted vault and its keys; refused (405, as Azure answers) under purge protection. */
    void purge(String subscription, String location, String name) {
        DeletedVault d = requireDeleted(subscription, location, name);
        if (JsonDocuments.flag(d.vault(), "properties", "enablePurgeProtection")) {
            throw new ArmError(405, "MethodNotAllowed", "Operation 'DeletedVaultPurge' is not allowed.");
        }
        deletedByName.remove(name.toLowerCase(Locale.ROOT));
        keys.removeAll(d.vault().get("id").asText());
    }

    /** The soft-deleted vaults with their dates, for a snapshot (live vaults are in the resource table). */
    ArrayNode export() {
        ArrayNode all = JsonDocuments.array();
        deletedByName.values().forEach(d -> all.addObject().<ObjectNode>set("vault", d.vault())
                .put("deletionDate", d.deletionDate().toString())
                .put("scheduledPurgeDate", d.scheduledPurgeDate().toString()));
        return all;
    }

    /** Adds the soft-deleted vaults of a snapshot {@link #export()} wrote. */
    void load(JsonNode exported) {
        for (JsonNode d : exported) {
            ObjectNode vault = (ObjectNode) d.get("vault");
            deletedByName.put(vault.get("name").asText().toLowerCase(Locale.ROOT), new DeletedVault(vault,
                    Instant.parse(d.get("deletionDate").asText()), Instant.parse(d.get("scheduledPurgeDate").asText())));
        }
    }

    /** Applies one requested access policy entry to the vault. */
    void changeAccessPolicy(String id, AccessPolicies.Change change, JsonNode entry) {
        ObjectNode props = JsonDocuments.objectAt(require(id), "properties");
        ArrayNode entries = props.get("accessPolicies") instanceof ArrayNode current ? current
                : props.putArray("accessPolicies");
        AccessPolicies.apply(entries, change, entry);
    }
}
