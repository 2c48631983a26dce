package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Resources served by id alone, whatever their type (Application Insights components, user-assigned identities, the
 * managed group's resources, ...), as {@code azure.genericResources()} reaches them. Callers hold the ArmState lock.
 */
final class GenericResourceStore {
    /** A create-or-replace's outcome: the stored resource, and whether it is new (201) or replaced (200). */
    record Saved(ObjectNode resource, boolean created) {
    }

    private final ResourceStore resources;
    private final ResourceGroupStore groups;

    GenericResourceStore(ResourceStore resources, ResourceGroupStore groups) {
        this.resources = resources;
        this.groups = groups;
    }

    /** Stores the requested resource as {@code type}; a replace keeps the location and what Azure generated. */
    Saved createOrReplace(String id, String type, ObjectNode request) {
        ObjectNode current = resources.get(id);
        if (current == null && JsonDocuments.text(request, "location") == null) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        ObjectNode resource = request.deepCopy();
        resource.put("id", id);
        resource.put("name", ResourceIds.name(id));
        resource.put("type", type);
        if (!resource.has("location") && current != null) {
            resource.set("location", current.get("location"));
        }
        if (!resource.has("tags")) {
            resource.putObject("tags");
        }
        JsonDocuments.objectAt(resource, "properties").put("provisioningState", "Succeeded");
        if (type.equalsIgnoreCase(ComponentDocuments.TYPE)) {
            if (current != null) {
                ComponentDocuments.copyGenerated(current, resource);
            }
            ComponentDocuments.complete(resource);
            logsOf(id, resource);
        }
        return new Saved(resources.put(resource), current == null);
    }

    /**
     * The Log Analytics workspace a component stores its data in. Classic Application Insights is retired: a component
     * created without {@code WorkspaceResourceId} gets a workspace Azure makes for it, {@code DefaultWorkspace-...} in
     * a new group {@code DefaultResourceGroup-...}; one named must exist.
     */
    private void logsOf(String componentId, ObjectNode component) {
        ObjectNode props = JsonDocuments.objectAt(component, "properties");
        String named = JsonDocuments.text(props, "WorkspaceResourceId");
        if (named != null) {
            if (resources.get(named) == null) {
                throw ArmError.badRequest("InvalidWorkspaceResourceId", "The Log Analytics workspace '" + named
                        + "' does not exist.");
            }
        } else {
            String subscription = ResourceIds.after(componentId, "subscriptions");
            String location = JsonDocuments.text(component, "location");
            String group = "DefaultResourceGroup-" + location;
            String name = "DefaultWorkspace-" + subscription + "-" + location;
            groups.ensure(subscription, group, location);
            String logs = ResourceIds.resource(subscription, group, "Microsoft.OperationalInsights", "workspaces", name);
            if (resources.get(logs) == null) {
                ObjectNode workspace = JsonDocuments.object();
                workspace.put("id", logs);
                workspace.put("name", name);
                workspace.put("type", "Microsoft.OperationalInsights/workspaces");
                workspace.put("location", location);
                workspace.putObject("tags");
                workspace.putObject("properties").put("provisioningState", "Succeeded");
                resources.put(workspace);
            }
            props.put("WorkspaceResourceId", logs);
        }
        props.put("IngestionMode", "LogAnalytics");
    }

    ObjectNode patch(String id, String type, JsonNode request) {
        ObjectNode resource = resources.require(id, type);
        ResourceStore.patch(resource, request);
        return resource;
    }
}
