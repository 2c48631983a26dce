package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keys on the management plane: {@code Keys_CreateIfNotExist} (an existing key comes back unchanged, no new version),
 * get, list, versions. Data-plane calls on the same keys are {@link KeyDataPlaneRoutes}'.
 */
final class KeyRoutes {
    static final List<String> ALL_KEY_OPS = List.of("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey");
    private static final Pattern KEY_NAME = Pattern.compile("^[a-zA-Z0-9-]{1,127}$");

    private final ArmState state;

    KeyRoutes(ArmState state) {
        this.state = state;
    }

    Route match(ArmRequest r, String vaultId, String method) {
        if (r.size() == 9 && method.equals("GET")) {
            return new Route("Keys_List", () -> list(vaultId));
        }
        if (r.size() < 10) {
            return null;
        }
        String keyName = r.segment(9);
        if (r.size() == 10) {
            return switch (method) {
                case "PUT" -> new Route("Keys_CreateIfNotExist", () -> createIfNotExist(r, vaultId, keyName));
                case "GET" -> new Route("Keys_Get", () -> ArmResponse.ok(document(vault(vaultId),
                        live(vaultId, keyName), null)));
                default -> null;
            };
        }
        if (r.is(10, "versions") && method.equals("GET")) {
            if (r.size() == 11) {
                return new Route("Keys_ListVersions", () -> {
                    ObjectNode vault = vault(vaultId);
                    ArmState.StoredKey key = live(vaultId, keyName);
                    List<ObjectNode> versions = new ArrayList<>();
                    key.versions.forEach(v -> versions.add(document(vault, key, v)));
                    return ArmResponse.ok(JsonDocuments.list(versions));
                });
            }
            if (r.size() == 12) {
                return new Route("Keys_GetVersion", () -> {
                    ArmState.StoredKey key = live(vaultId, keyName);
                    ArmState.KeyVersion version = key.versions.stream()
                            .filter(v -> v.version.equalsIgnoreCase(r.segment(11))).findFirst()
                            .orElseThrow(() -> ArmError.notFound("Microsoft.KeyVault/vaults/keys/versions",
                                    keyName + "/" + r.segment(11)));
                    return ArmResponse.ok(document(vault(vaultId), key, version));
                });
            }
        }
        return null;
    }

    static String keyKey(String vaultId, String keyName) {
        return ResourceIds.key(vaultId) + "|" + keyName.toLowerCase(Locale.ROOT);
    }

    private ObjectNode vault(String vaultId) {
        ObjectNode vault = state.resources.get(ResourceIds.key(vaultId));
        if (vault == null) {
            throw ArmError.notFound("Microsoft.KeyVault/vaults/" + ResourceIds.name(vaultId),
                    ResourceIds.after(vaultId, "resourceGroups"));
        }
        return vault;
    }

    private ArmState.StoredKey live(String vaultId, String keyName) {
        vault(vaultId);
        ArmState.StoredKey key = state.keys.get(keyKey(vaultId, keyName));
        if (key == null || key.deletedAt != null) {
            throw ArmError.notFound("Microsoft.KeyVault/vaults/keys", ResourceIds.name(vaultId) + "/" + keyName);
        }
        return key;
    }

    private ArmResponse list(String vaultId) {
        ObjectNode vault = vault(vaultId);
        String prefix = ResourceIds.key(vaultId) + "|";
        List<ObjectNode> items = state.keys.entrySet().stream()
                .filter(e -> e.getKey().startsWith(prefix) && e.getValue().deletedAt == null)
                .map(e -> document(vault, e.getValue(), null)).toList();
        return ArmResponse.ok(JsonDocuments.list(items));
    }

    private ArmResponse createIfNotExist(ArmRequest r, String vaultId, String keyName) {
        ObjectNode vault = vault(vaultId);
        ArmState.StoredKey existing = state.keys.get(keyKey(vaultId, keyName));
        if (existing != null && existing.deletedAt != null) {
            throw ArmError.conflict("Conflict", "Key " + keyName + " is currently in a deleted but recoverable state, "
                    + "and its name cannot be reused; in this state, the key can only be recovered or purged.");
        }
        if (existing != null) {
            return ArmResponse.ok(document(vault, existing, null));
        }
        if (!KEY_NAME.matcher(keyName).matches()) {
            throw ArmError.badRequest("BadRequest", "The key name '" + keyName + "' is invalid: it must be 1-127 "
                    + "letters, digits and dashes.");
        }
        ObjectNode body = r.jsonBody();
        JsonNode props = body.path("properties");
        String kty = JsonDocuments.text(props, "kty");
        if (kty == null) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'properties.kty'.");
        }
        if (!List.of("RSA", "RSA-HSM", "EC", "EC-HSM").contains(kty)) {
            throw ArmError.badRequest("BadRequest", "The property 'properties.kty' has the invalid value '" + kty
                    + "'; allowed: RSA, RSA-HSM, EC, EC-HSM.");
        }
        int keySize = props.path("keySize").asInt(kty.startsWith("RSA") ? 2048 : 256);
        if (kty.startsWith("RSA") && !List.of(2048, 3072, 4096).contains(keySize)) {
            throw ArmError.badRequest("BadRequest", "The property 'properties.keySize' has the invalid value "
                    + keySize + " for an RSA key; allowed: 2048, 3072, 4096.");
        }
        List<String> keyOps = new ArrayList<>();
        props.path("keyOps").forEach(op -> keyOps.add(op.asText()));
        ArmState.StoredKey key = createKey(state, vault, keyName, kty, keySize,
                keyOps.isEmpty() ? ALL_KEY_OPS : keyOps, JsonDocuments.tags(body));
        return ArmResponse.ok(document(vault, key, null));
    }

    /** Stores a new key with its first version. */
    static ArmState.StoredKey createKey(ArmState state, ObjectNode vault, String keyName, String kty, int keySize,
                                       List<String> keyOps, Map<String, String> tags) {
        String vaultId = vault.get("id").asText();
        ArmState.StoredKey key = new ArmState.StoredKey(vaultId, vault.get("name").asText(), keyName);
        key.kty = kty;
        key.keySize = keySize;
        key.keyOps = List.copyOf(keyOps);
        key.tags = new LinkedHashMap<>(tags == null ? Map.of() : tags);
        addVersion(state, key);
        state.keys.put(keyKey(vaultId, keyName), key);
        return key;
    }

    static ArmState.KeyVersion addVersion(ArmState state, ArmState.StoredKey key) {
        ArmState.KeyVersion version = new ArmState.KeyVersion(state.newKeyVersion(), ArmState.now(),
                state.newModulus(key.keySize));
        key.versions.add(version);
        return version;
    }

    static String recoveryLevel(JsonNode vault) {
        return JsonDocuments.flag(vault, "properties", "enablePurgeProtection") ? "Recoverable"
                : "Recoverable+Purgeable";
    }

    /** The management-plane key document; {@code version} null = the current version. */
    static ObjectNode document(ObjectNode vault, ArmState.StoredKey key, ArmState.KeyVersion version) {
        ArmState.KeyVersion v = version == null ? key.latest() : version;
        String keyUri = JsonDocuments.text(vault, "properties", "vaultUri") + "keys/" + key.name;
        ObjectNode doc = JsonDocuments.object();
        doc.put("id", key.vaultId + "/keys/" + key.name + (version == null ? "" : "/versions/" + v.version));
        doc.put("name", version == null ? key.name : v.version);
        doc.put("type", version == null ? "Microsoft.KeyVault/vaults/keys" : "Microsoft.KeyVault/vaults/keys/versions");
        doc.put("location", JsonDocuments.text(vault, "location"));
        doc.set("tags", JsonDocuments.tagsNode(key.tags));
        ObjectNode props = doc.putObject("properties");
        ObjectNode attributes = props.putObject("attributes");
        attributes.put("enabled", true);
        attributes.put("created", key.versions.get(0).created.getEpochSecond());
        attributes.put("updated", v.created.getEpochSecond());
        attributes.put("recoveryLevel", recoveryLevel(vault));
        attributes.put("exportable", false);
        props.put("kty", key.kty);
        props.set("keyOps", ArmState.arrayOf(key.keyOps));
        props.put("keySize", key.keySize);
        props.put("keyUri", keyUri);
        props.put("keyUriWithVersion", keyUri + "/" + v.version);
        return doc;
    }
}
