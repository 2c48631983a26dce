package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.Base64;
import java.util.List;

/** Keys as the management plane (resource documents) and the data plane (KeyBundles, 7.x) write them. */
final class KeyDocuments {
    private KeyDocuments() {
    }

    private static String recoveryLevel(JsonNode vault) {
        return JsonDocuments.flag(vault, "properties", "enablePurgeProtection") ? "Recoverable"
                : "Recoverable+Purgeable";
    }

    private static String keyUri(JsonNode vault, KeyStore.StoredKey key) {
        return JsonDocuments.text(vault, "properties", "vaultUri") + "keys/" + key.name();
    }

    /** The management-plane key document; {@code version} null = the current version. */
    static ObjectNode resource(ObjectNode vault, KeyStore.StoredKey key, KeyStore.KeyVersion version) {
        KeyStore.KeyVersion v = version == null ? key.latest() : version;
        String keyUri = keyUri(vault, key);
        ObjectNode doc = JsonDocuments.object();
        doc.put("id", key.vaultId() + "/keys/" + key.name() + (version == null ? "" : "/versions/" + v.version()));
        doc.put("name", version == null ? key.name() : v.version());
        doc.put("type", version == null ? "Microsoft.KeyVault/vaults/keys" : "Microsoft.KeyVault/vaults/keys/versions");
        doc.put("location", JsonDocuments.text(vault, "location"));
        doc.set("tags", JsonDocuments.tagsNode(key.tags()));
        ObjectNode props = doc.putObject("properties");
        ObjectNode attributes = props.putObject("attributes");
        attributes.put("enabled", v.enabled());
        if (v.expires() != null) {
            attributes.put("exp", v.expires().getEpochSecond());
        }
        attributes.put("created", key.first().created().getEpochSecond());
        attributes.put("updated", v.created().getEpochSecond());
        attributes.put("recoveryLevel", recoveryLevel(vault));
        attributes.put("exportable", false);
        props.put("kty", key.kty());
        props.set("keyOps", JsonDocuments.arrayOf(key.keyOps()));
        props.put("keySize", key.keySize());
        props.put("keyUri", keyUri);
        props.put("keyUriWithVersion", keyUri + "/" + v.version());
        if (key.rotationPolicy() != null) {
            ObjectNode policy = props.putObject("rotationPolicy");
            policy.set("lifetimeActions", key.rotationPolicy().get("lifetimeActions"));
            policy.set("attributes", key.rotationPolicy().get("attributes"));
        }
        return doc;
    }

    private static ObjectNode attributes(ObjectNode vault, KeyStore.KeyVersion v) {
        ObjectNode attributes = JsonDocuments.object();
        attributes.put("enabled", v.enabled());
        if (v.expires() != null) {
            attributes.put("exp", v.expires().getEpochSecond());
        }
        attributes.put("created", v.created().getEpochSecond());
        attributes.put("updated", v.created().getEpochSecond());
        attributes.put("recoveryLevel", recoveryLevel(vault));
        attributes.put("recoverableDays", VaultDocuments.retention(vault).toDays());
        return attributes;
    }

    /** The data-plane KeyBundle for one version (fixture CreateKey-example.json's shape). */
    static ObjectNode bundle(ObjectNode vault, KeyStore.StoredKey key, KeyStore.KeyVersion v) {
        ObjectNode bundle = JsonDocuments.object();
        ObjectNode jwk = bundle.putObject("key");
        jwk.put("kid", keyUri(vault, key) + "/" + v.version());
        jwk.put("kty", key.kty());
        jwk.set("key_ops", JsonDocuments.arrayOf(key.keyOps()));
        jwk.put("n", Base64.getUrlEncoder().withoutPadding().encodeToString(v.modulus()));
        jwk.put("e", "AQAB");
        bundle.set("attributes", attributes(vault, v));
        bundle.set("tags", JsonDocuments.tagsNode(key.tags()));
        return bundle;
    }

    /** The DeletedKeyBundle of a soft-deleted key. */
    static ObjectNode deletedBundle(ObjectNode vault, KeyStore.StoredKey key) {
        ObjectNode bundle = bundle(vault, key, key.latest());
        JsonNode retentionDays = vault.path("properties").path("softDeleteRetentionInDays");
        bundle.put("recoveryId", JsonDocuments.text(vault, "properties", "vaultUri") + "deletedkeys/" + key.name());
        bundle.put("deletedDate", key.deletedAt().getEpochSecond());
        bundle.put("scheduledPurgeDate", key.deletedAt().plusSeconds(86400L * retentionDays.asInt(90))
                .getEpochSecond());
        return bundle;
    }

    /** A KeyItem of a data-plane list: {@code kid} is the key's URI, with the version when one is given. */
    static ObjectNode item(ObjectNode vault, KeyStore.StoredKey key, KeyStore.KeyVersion version) {
        ObjectNode item = JsonDocuments.object();
        item.put("kid", version == null ? keyUri(vault, key) : keyUri(vault, key) + "/" + version.version());
        item.set("attributes", attributes(vault, version == null ? key.latest() : version));
        item.set("tags", JsonDocuments.tagsNode(key.tags()));
        return item;
    }

    /** A data-plane page: the items and a null {@code nextLink}. */
    static ObjectNode page(List<ObjectNode> items) {
        ObjectNode page = JsonDocuments.list(items);
        page.putNull("nextLink");
        return page;
    }
}
