package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Keys of every vault, by vault id and key name, with their versions. A key outlives a soft-deleted vault (stored
 * under the vault's id) so that recovering the vault brings it back. Callers hold the ArmState lock.
 */
final class KeyStore {
    /**
     * One version of a key; the RSA modulus is random bytes, enough for the SDK to parse a JWK. {@code expires} is its
     * {@code exp} attribute, null when it has none; a disabled version cannot be used.
     */
    record KeyVersion(String version, Instant created, byte[] modulus, Instant expires, boolean enabled) {
        KeyVersion withAttributes(Instant newExpires, boolean newEnabled) {
            return new KeyVersion(version, created, modulus, newExpires, newEnabled);
        }
    }

    /** A key as stored; only {@link KeyStore} changes it. */
    static final class StoredKey {
        private String vaultId;
        private final String vaultName;
        private final String name;
        private String kty;
        private int keySize;
        private List<String> keyOps;
        private Map<String, String> tags;
        private final List<KeyVersion> versions = new ArrayList<>();
        private Instant deletedAt;
        /** The key's rotation policy as Key Vault answers it, or null when none was set. */
        private ObjectNode rotationPolicy;

        private StoredKey(String vaultId, String vaultName, String name) {
            this.vaultId = vaultId;
            this.vaultName = vaultName;
            this.name = name;
        }

        String vaultId() {
            return vaultId;
        }

        String name() {
            return name;
        }

        String kty() {
            return kty;
        }

        int keySize() {
            return keySize;
        }

        List<String> keyOps() {
            return keyOps;
        }

        Map<String, String> tags() {
            return Collections.unmodifiableMap(tags);
        }

        List<KeyVersion> versions() {
            return List.copyOf(versions);
        }

        KeyVersion first() {
            return versions.get(0);
        }

        KeyVersion latest() {
            return versions.get(versions.size() - 1);
        }

        /** The version by id (case-insensitive), or null. */
        KeyVersion version(String version) {
            return versions.stream().filter(v -> v.version().equalsIgnoreCase(version)).findFirst().orElse(null);
        }

        boolean deleted() {
            return deletedAt != null;
        }

        Instant deletedAt() {
            return deletedAt;
        }

        ObjectNode rotationPolicy() {
            return rotationPolicy;
        }

        ArmState.KeyView view() {
            return new ArmState.KeyView(vaultId, vaultName, name, kty, keySize, List.copyOf(keyOps), Map.copyOf(tags),
                    versions.size(), latest().version(), deletedAt != null);
        }
    }

    private final Map<String, StoredKey> byKey = new LinkedHashMap<>();
    private final SecureRandom random = new SecureRandom();

    private static String keyOf(String vaultId, String keyName) {
        return ResourceIds.key(vaultId) + "|" + keyName.toLowerCase(Locale.ROOT);
    }

    private static String vaultPrefix(String vaultId) {
        return ResourceIds.key(vaultId) + "|";
    }

    /** The key (live or soft-deleted), or null. */
    StoredKey get(String vaultId, String keyName) {
        return byKey.get(keyOf(vaultId, keyName));
    }

    /** Every key of the vault, soft-deleted ones included. */
    List<StoredKey> of(String vaultId) {
        String prefix = vaultPrefix(vaultId);
        return byKey.entrySet().stream().filter(e -> e.getKey().startsWith(prefix)).map(Map.Entry::getValue).toList();
    }

    List<StoredKey> liveOf(String vaultId) {
        return of(vaultId).stream().filter(k -> !k.deleted()).toList();
    }

    /** Stores a new key with its first version. */
    StoredKey create(ObjectNode vault, String keyName, String kty, int keySize, List<String> keyOps,
                     Map<String, String> tags) {
        return create(vault, keyName, kty, keySize, keyOps, tags, null);
    }

    /** Stores a new key with its first version, which expires at {@code expires} (null: never). */
    StoredKey create(ObjectNode vault, String keyName, String kty, int keySize, List<String> keyOps,
                     Map<String, String> tags, Instant expires) {
        String vaultId = vault.get("id").asText();
        StoredKey key = new StoredKey(vaultId, vault.get("name").asText(), keyName);
        describe(key, kty, keySize, keyOps, tags);
        addVersion(key, expires);
        byKey.put(keyOf(vaultId, keyName), key);
        return key;
    }

    /** A new current version with these attributes, as the data plane's create does for an existing key. */
    void rotate(StoredKey key, String kty, int keySize, List<String> keyOps, Map<String, String> tags, Instant expires) {
        describe(key, kty, keySize, keyOps, tags);
        addVersion(key, expires);
    }

    /** Replaces a version's attributes (the data plane's UpdateKey). */
    void updateVersion(StoredKey key, KeyVersion version, Instant expires, boolean enabled) {
        key.versions.set(key.versions.indexOf(version), version.withAttributes(expires, enabled));
    }

    /** Sets (replaces) the key's rotation policy. */
    void rotationPolicy(StoredKey key, ObjectNode policy) {
        key.rotationPolicy = policy;
    }

    private static void describe(StoredKey key, String kty, int keySize, List<String> keyOps,
                                 Map<String, String> tags) {
        key.kty = kty;
        key.keySize = keySize;
        key.keyOps = List.copyOf(keyOps);
        key.tags = new LinkedHashMap<>(tags == null ? Map.of() : tags);
    }

    private void addVersion(StoredKey key, Instant expires) {
        byte[] id = new byte[16];
        random.nextBytes(id);
        byte[] modulus = new byte[Math.max(1, key.keySize / 8)];
        random.nextBytes(modulus);
        modulus[0] |= (byte) 0x80;
        key.versions.add(new KeyVersion(HexFormat.of().formatHex(id), Instant.now(), modulus, expires, true));
    }

    void softDelete(StoredKey key) {
        key.deletedAt = Instant.now();
    }

    void recover(StoredKey key) {
        key.deletedAt = null;
    }

    void purge(StoredKey key) {
        byKey.remove(keyOf(key.vaultId, key.name));
    }

    /** Forgets every key of a vault (the vault was purged or deleted for good). */
    void removeAll(String vaultId) {
        String prefix = vaultPrefix(vaultId);
        byKey.keySet().removeIf(k -> k.startsWith(prefix));
    }

    /** Every key with all its versions (ids, dates, key material) and its deletion date, for a snapshot. */
    ArrayNode export() {
        ArrayNode all = JsonDocuments.array();
        for (StoredKey key : byKey.values()) {
            ObjectNode k = all.addObject();
            k.put("vaultId", key.vaultId).put("vaultName", key.vaultName).put("name", key.name).put("kty", key.kty)
                    .put("keySize", key.keySize);
            k.set("keyOps", JsonDocuments.arrayOf(key.keyOps));
            k.set("tags", JsonDocuments.tagsNode(key.tags));
            ArrayNode versions = k.putArray("versions");
            key.versions.forEach(v -> versions.addObject().put("version", v.version())
                    .put("created", v.created().toString()).put("modulus", v.modulus())
                    .put("expires", v.expires() == null ? null : v.expires().toString()).put("enabled", v.enabled()));
            if (key.deletedAt != null) {
                k.put("deletedAt", key.deletedAt.toString());
            }
            if (key.rotationPolicy != null) {
                k.set("rotationPolicy", key.rotationPolicy);
            }
        }
        return all;
    }

    /** Adds the keys of a snapshot {@link #export()} wrote. */
    void load(JsonNode exported) {
        for (JsonNode k : exported) {
            StoredKey key = new StoredKey(k.get("vaultId").asText(), k.get("vaultName").asText(),
                    k.get("name").asText());
            List<String> keyOps = JsonDocuments.stream(k.get("keyOps")).map(JsonNode::asText).toList();
            describe(key, k.get("kty").asText(), k.get("keySize").asInt(), keyOps, JsonDocuments.tags(k));
            for (JsonNode v : k.get("versions")) {
                try {
                    key.versions.add(new KeyVersion(v.get("version").asText(), Instant.parse(v.get("created").asText()),
                            v.get("modulus").binaryValue(),
                            v.hasNonNull("expires") ? Instant.parse(v.get("expires").asText()) : null,
                            v.path("enabled").asBoolean(true)));
                } catch (java.io.IOException e) {
                    throw new IllegalArgumentException("key " + key.name + " has a version without key material", e);
                }
            }
            key.deletedAt = k.hasNonNull("deletedAt") ? Instant.parse(k.get("deletedAt").asText()) : null;
            key.rotationPolicy = k.get("rotationPolicy") instanceof ObjectNode policy ? policy : null;
            byKey.put(keyOf(key.vaultId, key.name), key);
        }
    }

    /** Files a vault's keys under its new id (a vault recovered into another resource group). */
    void moveAll(String oldVaultId, String newVaultId) {
        if (ResourceIds.key(oldVaultId).equals(ResourceIds.key(newVaultId))) {
            return;
        }
        List<StoredKey> moved = of(oldVaultId);
        removeAll(oldVaultId);
        for (StoredKey key : moved) {
            key.vaultId = newVaultId;
            byKey.put(keyOf(newVaultId, key.name), key);
        }
    }
}
