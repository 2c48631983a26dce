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

    GenericResourceStore(ResourceStore resources) {
        this.resources = resources;
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
        }
        return new Saved(resources.put(resource), current == null);
    }

    ObjectNode patch(String id, String type, JsonNode request) {
        ObjectNode resource = resources.require(id, type);
        ResourceStore.patch(resource, request);
        return resource;
    }
}
