package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.UUID;

/** Workspaces as Machine Learning Services answers them, while creating and once provisioned. */
final class WorkspaceDocuments {
    private WorkspaceDocuments() {
    }

    /** The requested workspace with its id, name, type and a new workspace id, {@code Creating}. */
    static ObjectNode creating(String id, ObjectNode request) {
        ObjectNode workspace = request.deepCopy();
        workspace.put("id", id);
        workspace.put("name", ResourceIds.name(id));
        workspace.put("type", WorkspaceStore.TYPE);
        if (!workspace.has("tags")) {
            workspace.putObject("tags");
        }
        ObjectNode props = JsonDocuments.objectAt(workspace, "properties");
        props.put("provisioningState", "Creating");
        props.put("workspaceId", UUID.randomUUID().toString());
        return workspace;
    }

    /** Whether the workspace asked for Azure's service-side CMK mode ({@code enableServiceSideCMKEncryption}). */
    static boolean serviceSide(JsonNode workspace) {
        return workspace.path("properties").path("enableServiceSideCMKEncryption").asBoolean(false);
    }

    /**
     * Marks the workspace {@code Succeeded} with what Azure sets once it is provisioned; a service-side CMK workspace
     * ({@code managedGroup} null) names no managed group.
     */
    static void provisioned(ObjectNode workspace, String managedGroup) {
        String location = workspace.get("location").asText();
        ObjectNode props = JsonDocuments.objectAt(workspace, "properties");
        props.put("provisioningState", "Succeeded");
        if (managedGroup != null) {
            props.put("serviceProvisionedResourceGroup", managedGroup);
        }
        props.put("discoveryUrl", "https://" + location + ".api.azureml.ms/discovery");
        props.put("mlFlowTrackingUri", "azureml://" + location + ".api.azureml.ms/mlflow/v1.0"
                + workspace.get("id").asText());
        props.put("privateLinkCount", 0);
        if (!props.has("publicNetworkAccess")) {
            props.put("publicNetworkAccess", "Enabled");
        }
    }

    static ArmState.WorkspaceView view(ObjectNode w) {
        String id = w.get("id").asText();
        JsonNode p = w.path("properties");
        return new ArmState.WorkspaceView(id, ResourceIds.after(id, "subscriptions"),
                ResourceIds.after(id, "resourceGroups"), w.get("name").asText(),
                JsonDocuments.text(p, "provisioningState"), JsonDocuments.text(p, "serviceProvisionedResourceGroup"),
                JsonDocuments.text(p, "encryption", "keyVaultProperties", "keyVaultArmId"),
                JsonDocuments.text(p, "encryption", "keyVaultProperties", "keyIdentifier"), JsonDocuments.tags(w),
                w.deepCopy());
    }
}
