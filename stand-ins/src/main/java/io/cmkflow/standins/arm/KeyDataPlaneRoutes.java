package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import com.fasterxml.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Key Vault data plane for keys (api-version 7.x) at {@code {vaultUri}} = {@code https://localhost:PORT/kv/{vault}/}:
 * create (a new version on every call, {@code attributes.exp} kept), get, list, versions, delete (soft), deleted key,
 * recover, purge, update (a version's enabled and exp), rotate (on demand, expiring per policy) and the rotation policy
 * (get, set with Key Vault's rules). Requests
 * without a bearer token get Key Vault's 401 challenge from the server (see {@link ArmSimulator}); a caller without
 * the key permission gets Key Vault's 403 ({@link KeyVaultDataAccess}).
 */
final class KeyDataPlaneRoutes implements Route.Family {
    private final VaultStore vaults;
    private final KeyStore keys;
    private final KeyVaultDataAccess access;

    KeyDataPlaneRoutes(VaultStore vaults, KeyStore keys, KeyVaultDataAccess access) {
        this.vaults = vaults;
        this.keys = keys;
        this.access = access;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "kv") || r.size() < 3) {
            return null;
        }
        String vaultName = r.segment(1);
        String method = r.method.toUpperCase(Locale.ROOT);
        if (r.is(2, "keys")) {
            if (r.size() == 3 && method.equals("GET")) {
                return new Route("GetKeys", () -> listKeys(permitted(r, vaultName, null, "list")));
            }
            if (r.size() < 4) {
                return null;
            }
            String keyName = r.segment(3);
            if (r.size() == 5 && r.is(4, "create") && method.equals("POST")) {
                return new Route("CreateKey", () -> create(r, permitted(r, vaultName, keyName, "create"), keyName));
            }
            if (r.size() == 5 && r.is(4, "rotate") && method.equals("POST")) {
                return new Route("RotateKey", () -> rotate(permitted(r, vaultName, keyName, "rotate"), keyName));
            }
            if ((r.size() == 4 || r.size() == 5) && method.equals("PATCH")) {
                return new Route("UpdateKey", () -> update(r, permitted(r, vaultName, keyName, "update"), keyName,
                        r.size() == 5 ? r.segment(4) : null));
            }
            if (r.size() == 5 && r.is(4, "rotationpolicy") && method.equals("PUT")) {
                return new Route("UpdateKeyRotationPolicy", () -> setRotationPolicy(r,
                        permitted(r, vaultName, keyName, "setrotationpolicy"), keyName));
            }
            if (r.size() == 5 && r.is(4, "rotationpolicy") && method.equals("GET")) {
                return new Route("GetKeyRotationPolicy", () -> rotationPolicy(
                        permitted(r, vaultName, keyName, "getrotationpolicy"), keyName));
            }
            if (r.size() == 5 && r.is(4, "versions") && method.equals("GET")) {
                return new Route("GetKeyVersions", () -> versions(permitted(r, vaultName, keyName, "list"), keyName));
            }
            if (r.size() == 4 && method.equals("DELETE")) {
                return new Route("DeleteKey", () -> delete(permitted(r, vaultName, keyName, "delete"), keyName));
            }
            if ((r.size() == 4 || r.size() == 5) && method.equals("GET")) {
                return new Route("GetKey", () -> get(permitted(r, vaultName, keyName, "get"), keyName,
                        r.size() == 5 ? r.segment(4) : null));
            }
            return null;
        }
        if (r.is(2, "deletedkeys") && r.size() >= 4) {
            String keyName = r.segment(3);
            if (r.size() == 4 && method.equals("GET")) {
                return new Route("GetDeletedKey", () -> ArmResponse.ok(KeyDocuments.deletedBundle(
                        vault(permitted(r, vaultName, keyName, "get")), deleted(vaultName, keyName))));
            }
            if (r.size() == 4 && method.equals("DELETE")) {
                return new Route("PurgeDeletedKey", () -> purge(permitted(r, vaultName, keyName, "purge"), keyName));
            }
            if (r.size() == 5 && r.is(4, "recover") && method.equals("POST")) {
                return new Route("RecoverDeletedKey", () -> {
                    KeyStore.StoredKey key = deleted(permitted(r, vaultName, keyName, "recover"), keyName);
                    keys.recover(key);
                    return ArmResponse.ok(KeyDocuments.bundle(vault(vaultName), key, key.latest()));
                });
            }
        }
        return null;
    }

    /** The vault's name once the caller may use {@code permission} on its keys (Key Vault's 403 otherwise). */
    private String permitted(ArmRequest r, String vaultName, String keyName, String permission) {
        access.require(r, vault(vaultName), keyName, permission);
        return vaultName;
    }

    private ObjectNode vault(String vaultName) {
        ObjectNode vault = vaults.named(vaultName);
        if (vault == null) {
            throw new ArmError(404, "VaultNotFound", "The vault '" + vaultName + "' does not exist or is deleted.");
        }
        return vault;
    }

    private KeyStore.StoredKey stored(String vaultName, String keyName) {
        return keys.get(vault(vaultName).get("id").asText(), keyName);
    }

    private KeyStore.StoredKey live(String vaultName, String keyName) {
        KeyStore.StoredKey key = stored(vaultName, keyName);
        if (key == null || key.deleted()) {
            throw keyNotFound(vaultName, keyName);
        }
        return key;
    }

    private KeyStore.StoredKey deleted(String vaultName, String keyName) {
        KeyStore.StoredKey key = stored(vaultName, keyName);
        if (key == null || !key.deleted()) {
            throw new ArmError(404, "KeyNotFound", "Deleted Key not found: " + keyName);
        }
        return key;
    }

    private static ArmError keyNotFound(String vaultName, String keyName) {
        return new ArmError(404, "KeyNotFound", "A key with (name/id) " + keyName + " was not found in this key vault ("
                + vaultName + ").");
    }

    private ArmResponse create(ArmRequest r, String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        ObjectNode body = r.jsonBody();
        String kty = JsonDocuments.text(body, "kty");
        if (kty == null) {
            throw ArmError.badRequest("BadParameter", "Property kty is required.");
        }
        int keySize = body.path("key_size").asInt(kty.startsWith("RSA") ? 2048 : 256);
        List<String> keyOps = KeyRoutes.requestedOps(body.path("key_ops"));
        Map<String, String> tags = KeyRoutes.keyTags(body);
        KeyStore.StoredKey key = keys.get(vault.get("id").asText(), keyName);
        if (key != null && key.deleted()) {
            throw ArmError.conflict("Conflict", "Key " + keyName + KeyRoutes.DELETED_KEY_NAME_MESSAGE);
        }
        JsonNode exp = body.path("attributes").path("exp");
        Instant expires = exp.isNumber() ? Instant.ofEpochSecond(exp.asLong()) : null;
        if (key == null) {
            key = keys.create(vault, keyName, kty, keySize, keyOps, tags, expires);
        } else {
            keys.rotate(key, kty, keySize, keyOps, tags, expires);
        }
        return ArmResponse.ok(KeyDocuments.bundle(vault, key, key.latest()));
    }

    /** Changes a version's {@code enabled} and {@code exp} attributes (absent ones stay as they are). */
    private ArmResponse update(ArmRequest r, String vaultName, String keyName, String version) {
        ObjectNode vault = vault(vaultName);
        KeyStore.StoredKey key = live(vaultName, keyName);
        KeyStore.KeyVersion v = version == null || version.isEmpty() ? key.latest() : key.version(version);
        if (v == null) {
            throw keyNotFound(vaultName, keyName + "/" + version);
        }
        JsonNode attributes = r.jsonBody().path("attributes");
        JsonNode exp = attributes.path("exp");
        Instant expires = exp.isNumber() ? Instant.ofEpochSecond(exp.asLong()) : v.expires();
        boolean enabled = attributes.path("enabled").isBoolean() ? attributes.get("enabled").asBoolean() : v.enabled();
        keys.updateVersion(key, v, expires, enabled);
        return ArmResponse.ok(KeyDocuments.bundle(vault, key, key.version(v.version())));
    }

    /** Key Vault's on-demand rotation: a new version like the current one, expiring as the rotation policy says. */
    private ArmResponse rotate(String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        KeyStore.StoredKey key = live(vaultName, keyName);
        String expiryTime = key.rotationPolicy() == null ? null
                : JsonDocuments.text(key.rotationPolicy(), "attributes", "expiryTime");
        Instant expires = expiryTime == null ? null : Instant.now().plus(KeyRotationPolicies.duration("expiryTime", expiryTime));
        keys.rotate(key, key.kty(), key.keySize(), key.keyOps(), key.tags(), expires);
        return ArmResponse.ok(KeyDocuments.bundle(vault, key, key.latest()));
    }

    private ArmResponse setRotationPolicy(ArmRequest r, String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        KeyStore.StoredKey key = live(vaultName, keyName);
        ObjectNode policy = KeyRotationPolicies.validated(r.jsonBody(), KeyRotationPolicies.id(vault, keyName),
                key.rotationPolicy());
        keys.rotationPolicy(key, policy);
        return ArmResponse.ok(policy);
    }

    /** The key's policy; a key that never had one answers Key Vault's default. */
    private ArmResponse rotationPolicy(String vaultName, String keyName) {
        KeyStore.StoredKey key = live(vaultName, keyName);
        return ArmResponse.ok(key.rotationPolicy() != null ? key.rotationPolicy()
                : KeyRotationPolicies.keyVaultDefault(KeyRotationPolicies.id(vault(vaultName), keyName)));
    }

    private ArmResponse get(String vaultName, String keyName, String version) {
        ObjectNode vault = vault(vaultName);
        KeyStore.StoredKey key = live(vaultName, keyName);
        KeyStore.KeyVersion v = version == null || version.isEmpty() ? key.latest() : key.version(version);
        if (v == null) {
            throw keyNotFound(vaultName, keyName + "/" + version);
        }
        return ArmResponse.ok(KeyDocuments.bundle(vault, key, v));
    }

    private ArmResponse listKeys(String vaultName) {
        ObjectNode vault = vault(vaultName);
        return ArmResponse.ok(KeyDocuments.page(keys.liveOf(vault.get("id").asText()).stream()
                .map(key -> KeyDocuments.item(vault, key, null)).toList()));
    }

    private ArmResponse versions(String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        KeyStore.StoredKey key = live(vaultName, keyName);
        return ArmResponse.ok(KeyDocuments.page(key.versions().stream()
                .map(v -> KeyDocuments.item(vault, key, v)).toList()));
    }

    private ArmResponse delete(String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        KeyStore.StoredKey key = live(vaultName, keyName);
        keys.softDelete(key);
        return ArmResponse.ok(KeyDocuments.deletedBundle(vault, key));
    }

    private ArmResponse purge(String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        KeyStore.StoredKey key = deleted(vaultName, keyName);
        if (JsonDocuments.flag(vault, "properties", "enablePurgeProtection")) {
            throw new ArmError(403, "Forbidden", "Operation \"purge\" is not allowed because purge protection is "
                    + "enabled for this vault. Key Vault service will automatically purge it after the retention "
                    + "period has passed.");
        }
        keys.purge(key);
        return ArmResponse.empty(204);
    }
}
