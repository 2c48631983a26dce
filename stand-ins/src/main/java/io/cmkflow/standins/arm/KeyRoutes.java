package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Keys on the management plane: {@code Keys_CreateIfNotExist} (an existing key comes back unchanged, no new version),
 * get, list, versions. Data-plane calls on the same keys are {@link KeyDataPlaneRoutes}'.
 */
final class KeyRoutes {
    static final List<String> ALL_KEY_OPS = List.of("encrypt", "decrypt", "sign", "verify", "wrapKey", "unwrapKey");
    static final String DELETED_KEY_NAME_MESSAGE = " is currently in a deleted but recoverable state, and its name "
            + "cannot be reused; in this state, the key can only be recovered or purged.";
    private static final Pattern KEY_NAME = Pattern.compile("^[a-zA-Z0-9-]{1,127}$");

    private final VaultStore vaults;
    private final KeyStore keys;

    KeyRoutes(VaultStore vaults, KeyStore keys) {
        this.vaults = vaults;
        this.keys = keys;
    }

    Route match(ArmRequest r, String vaultId, String method) {
        if (r.size() == 9 && method.equals("GET")) {
            return new Route("Keys_List", () -> {
                ObjectNode vault = vaults.require(vaultId);
                return ArmResponse.ok(JsonDocuments.list(keys.liveOf(vaultId).stream()
                        .map(k -> KeyDocuments.resource(vault, k, null)).toList()));
            });
        }
        if (r.size() < 10) {
            return null;
        }
        String keyName = r.segment(9);
        if (r.size() == 10) {
            return switch (method) {
                case "PUT" -> new Route("Keys_CreateIfNotExist", () -> createIfNotExist(r, vaultId, keyName));
                case "GET" -> new Route("Keys_Get", () -> ArmResponse.ok(KeyDocuments.resource(vaults.require(vaultId),
                        live(vaultId, keyName), null)));
                default -> null;
            };
        }
        if (r.is(10, "versions") && method.equals("GET")) {
            if (r.size() == 11) {
                return new Route("Keys_ListVersions", () -> {
                    ObjectNode vault = vaults.require(vaultId);
                    KeyStore.StoredKey key = live(vaultId, keyName);
                    return ArmResponse.ok(JsonDocuments.list(key.versions().stream()
                            .map(v -> KeyDocuments.resource(vault, key, v)).toList()));
                });
            }
            if (r.size() == 12) {
                return new Route("Keys_GetVersion", () -> {
                    KeyStore.StoredKey key = live(vaultId, keyName);
                    KeyStore.KeyVersion version = key.version(r.segment(11));
                    if (version == null) {
                        throw ArmError.notFound("Microsoft.KeyVault/vaults/keys/versions",
                                keyName + "/" + r.segment(11));
                    }
                    return ArmResponse.ok(KeyDocuments.resource(vaults.require(vaultId), key, version));
                });
            }
        }
        return null;
    }

    private KeyStore.StoredKey live(String vaultId, String keyName) {
        vaults.require(vaultId);
        KeyStore.StoredKey key = keys.get(vaultId, keyName);
        if (key == null || key.deleted()) {
            throw ArmError.notFound("Microsoft.KeyVault/vaults/keys", ResourceIds.name(vaultId) + "/" + keyName);
        }
        return key;
    }

    private ArmResponse createIfNotExist(ArmRequest r, String vaultId, String keyName) {
        ObjectNode vault = vaults.require(vaultId);
        KeyStore.StoredKey existing = keys.get(vaultId, keyName);
        if (existing != null && existing.deleted()) {
            throw ArmError.conflict("Conflict", "Key " + keyName + DELETED_KEY_NAME_MESSAGE);
        }
        if (existing != null) {
            return ArmResponse.ok(KeyDocuments.resource(vault, existing, null));
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
        // Key Vault checks the whole request, the policy included, before it creates anything.
        ObjectNode policy = props.get("rotationPolicy") instanceof ObjectNode requested
                ? KeyRotationPolicies.validated(requested, KeyRotationPolicies.id(vault, keyName), null) : null;
        JsonNode expires = props.path("attributes").path("exp");
        KeyStore.StoredKey key = keys.create(vault, keyName, kty, keySize, requestedOps(props.path("keyOps")),
                keyTags(body), expires.isNumber() ? java.time.Instant.ofEpochSecond(expires.asLong()) : null);
        if (policy != null) {
            keys.rotationPolicy(key, policy);
        }
        return ArmResponse.ok(KeyDocuments.resource(vault, key, null));
    }

    /** Key Vault objects carry at most 15 tags (ARM resources 50); Key Vault refuses more with this 400. */
    static final int MAX_KEY_TAGS = 15;

    /** The request's tags for a key, or Key Vault's refusal of more than {@link #MAX_KEY_TAGS}. */
    static Map<String, String> keyTags(JsonNode body) {
        Map<String, String> tags = JsonDocuments.tags(body);
        if (tags.size() > MAX_KEY_TAGS) {
            throw ArmError.badRequest("BadParameter", "Property has invalid value");
        }
        return tags;
    }

    /** The requested key operations; none requested means all of them. */
    static List<String> requestedOps(JsonNode ops) {
        List<String> keyOps = new ArrayList<>();
        ops.forEach(op -> keyOps.add(op.asText()));
        return keyOps.isEmpty() ? ALL_KEY_OPS : keyOps;
    }
}
