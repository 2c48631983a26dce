package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

/** Vaults, deleted vaults and access policy answers as Key Vault's management plane writes them. */
final class VaultDocuments {
    private VaultDocuments() {
    }

    /** A vault as Azure answers it, from the request's (or a seed's) properties. */
    static ObjectNode vault(String subscription, String group, String name, String location, Map<String, String> tags,
                            ObjectNode requestedProperties, String vaultUri) {
        ObjectNode vault = JsonDocuments.object();
        vault.put("id", VaultStore.id(subscription, group, name));
        vault.put("name", name);
        vault.put("type", VaultStore.TYPE);
        vault.put("location", location);
        vault.set("tags", JsonDocuments.tagsNode(tags));
        ObjectNode systemData = vault.putObject("systemData");
        systemData.put("createdBy", "cmkflow-simulator");
        systemData.put("createdByType", "Application");
        systemData.put("createdAt", Instant.now().toString());
        ObjectNode props = requestedProperties.deepCopy();
        props.remove("createMode");
        if (!props.has("accessPolicies") || !props.get("accessPolicies").isArray()) {
            props.putArray("accessPolicies");
        }
        defaultWhenAbsent(props, "enableSoftDelete", true);
        if (!props.has("softDeleteRetentionInDays") || props.get("softDeleteRetentionInDays").isNull()) {
            props.put("softDeleteRetentionInDays", 90);
        }
        defaultWhenAbsent(props, "enableRbacAuthorization", false);
        if (props.has("enablePurgeProtection") && !props.get("enablePurgeProtection").asBoolean(false)) {
            // Azure never reports purge protection as false: it is either on or absent.
            props.remove("enablePurgeProtection");
        }
        if (!props.has("publicNetworkAccess")) {
            props.put("publicNetworkAccess", "Enabled");
        }
        props.put("vaultUri", vaultUri);
        props.put("provisioningState", "Succeeded");
        vault.set("properties", props);
        return vault;
    }

    private static void defaultWhenAbsent(ObjectNode props, String field, boolean value) {
        if (!props.has(field) || props.get(field).isNull()) {
            props.put(field, value);
        }
    }

    static Duration retention(JsonNode vault) {
        return Duration.ofDays(vault.path("properties").path("softDeleteRetentionInDays").asInt(90));
    }

    static String deletedVaultId(String subscription, String location, String name) {
        return "/subscriptions/" + subscription + "/providers/Microsoft.KeyVault/locations/" + location
                + "/deletedVaults/" + name;
    }

    static ObjectNode deleted(VaultStore.DeletedVault d) {
        ObjectNode v = d.vault();
        String name = v.get("name").asText();
        String location = JsonDocuments.text(v, "location");
        ObjectNode doc = JsonDocuments.object();
        doc.put("id", deletedVaultId(d.subscription(), location, name));
        doc.put("name", name);
        doc.put("type", "Microsoft.KeyVault/deletedVaults");
        ObjectNode p = doc.putObject("properties");
        p.put("vaultId", v.get("id").asText());
        p.put("location", location);
        p.set("tags", v.has("tags") ? v.get("tags").deepCopy() : JsonDocuments.object());
        p.put("deletionDate", d.deletionDate().toString());
        p.put("scheduledPurgeDate", d.scheduledPurgeDate().toString());
        p.put("purgeProtectionEnabled", JsonDocuments.flag(v, "properties", "enablePurgeProtection"));
        return doc;
    }

    /** Vaults_UpdateAccessPolicy's answer: the entries as requested. */
    static ObjectNode accessPolicyUpdate(String vaultId, JsonNode requested) {
        ObjectNode answer = JsonDocuments.object();
        answer.put("id", vaultId + "/accessPolicies/");
        answer.put("type", "Microsoft.KeyVault/vaults/accessPolicies");
        answer.putObject("properties").set("accessPolicies", requested.deepCopy());
        return answer;
    }

    static ArmState.VaultView view(ObjectNode v) {
        String id = v.get("id").asText();
        JsonNode p = v.path("properties");
        return new ArmState.VaultView(id, ResourceIds.after(id, "subscriptions"),
                ResourceIds.after(id, "resourceGroups"), v.get("name").asText(), JsonDocuments.text(v, "location"),
                JsonDocuments.text(p, "tenantId"), JsonDocuments.text(p, "vaultUri"),
                JsonDocuments.flag(p, "enableSoftDelete"), JsonDocuments.flag(p, "enablePurgeProtection"),
                JsonDocuments.flag(p, "enableRbacAuthorization"), p.path("softDeleteRetentionInDays").asInt(90),
                JsonDocuments.tags(v), AccessPolicies.views(v));
    }

    static ArmState.DeletedVaultView deletedView(VaultStore.DeletedVault d) {
        ObjectNode v = d.vault();
        String name = v.get("name").asText();
        String location = JsonDocuments.text(v, "location");
        return new ArmState.DeletedVaultView(deletedVaultId(d.subscription(), location, name), name,
                v.get("id").asText(), location, JsonDocuments.tags(v), d.deletionDate(), d.scheduledPurgeDate(),
                JsonDocuments.flag(v, "properties", "enablePurgeProtection"));
    }
}
