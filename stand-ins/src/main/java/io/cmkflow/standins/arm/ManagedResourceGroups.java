package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * The Microsoft-managed resource group a workspace gets (with its Cosmos DB account, storage account and search
 * service), and the deletes ARM refused in such groups because of their deny assignment. Callers hold the ArmState
 * lock.
 */
final class ManagedResourceGroups {
    private final ResourceGroupStore groups;
    private final ResourceStore resources;
    private final List<ArmState.RefusedDelete> refusedDeletes = new ArrayList<>();

    ManagedResourceGroups(ResourceGroupStore groups, ResourceStore resources) {
        this.groups = groups;
        this.resources = resources;
    }

    /** Creates the empty managed group of a workspace and answers its name. */
    String create(String subscription, String workspaceId, String workspaceName, String location) {
        String name = "azureml-rg-" + workspaceName + "_" + UUID.randomUUID();
        groups.create(subscription, name, location, workspaceId, Map.of());
        return name;
    }

    /** Adds the managed resources, unless the group is gone by now. */
    void populate(String subscription, String group, String location, String workspaceName) {
        if (!groups.exists(subscription, group)) {
            return;
        }
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        String base = workspaceName.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
        base = base.substring(0, Math.min(base.length(), 10));
        put(subscription, group, location, "Microsoft.DocumentDB", "databaseAccounts", base + suffix);
        put(subscription, group, location, "Microsoft.Storage", "storageAccounts", base + suffix);
        put(subscription, group, location, "Microsoft.Search", "searchServices", base + suffix);
    }

    private void put(String subscription, String group, String location, String namespace, String type,
                     String name) {
        ObjectNode resource = JsonDocuments.object();
        resource.put("id", ResourceIds.resource(subscription, group, namespace, type, name));
        resource.put("name", name);
        resource.put("type", namespace + "/" + type);
        resource.put("location", location);
        resource.putObject("tags");
        resource.putObject("properties").put("provisioningState", "Succeeded");
        resources.put(resource);
    }

    /** Deletes the workspace's managed group with what is in it (the workspace was purged). */
    void removeOf(ObjectNode workspace) {
        String group = JsonDocuments.text(workspace, "properties", "serviceProvisionedResourceGroup");
        if (group != null) {
            groups.delete(ResourceIds.after(workspace.get("id").asText(), "subscriptions"), group);
        }
    }

    /** The managed group that {@code lowerPath} is or lies in, or null. */
    ObjectNode containing(String lowerPath) {
        return groups.managedGroupContaining(lowerPath);
    }

    void recordRefusedDelete(String path, String operation, String userAgent, String clientRequestId) {
        refusedDeletes.add(new ArmState.RefusedDelete(path, operation, userAgent, clientRequestId, Instant.now()));
    }

    List<ArmState.RefusedDelete> refusedDeletes() {
        return List.copyOf(refusedDeletes);
    }
}
