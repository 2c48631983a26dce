package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The Key Vault data plane for keys (api-version 7.x) at {@code {vaultUri}} = {@code https://localhost:PORT/kv/{vault}/}:
 * create (a new version on every call), get, list, versions, delete (soft), deleted key, recover, purge. Requests
 * without a bearer token get Key Vault's 401 challenge from the server (see {@link ArmSimulator}).
 */
final class KeyDataPlaneRoutes implements Route.Family {
    private final ArmState state;

    KeyDataPlaneRoutes(ArmState state) {
        this.state = state;
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
                return new Route("GetKeys", () -> listKeys(vaultName));
            }
            if (r.size() < 4) {
                return null;
            }
            String keyName = r.segment(3);
            if (r.size() == 5 && r.is(4, "create") && method.equals("POST")) {
                return new Route("CreateKey", () -> create(r, vaultName, keyName));
            }
            if (r.size() == 5 && r.is(4, "versions") && method.equals("GET")) {
                return new Route("GetKeyVersions", () -> versions(vaultName, keyName));
            }
            if (r.size() == 4 && method.equals("DELETE")) {
                return new Route("DeleteKey", () -> delete(vaultName, keyName));
            }
            if ((r.size() == 4 || r.size() == 5) && method.equals("GET")) {
                return new Route("GetKey", () -> get(vaultName, keyName, r.size() == 5 ? r.segment(4) : null));
            }
            return null;
        }
        if (r.is(2, "deletedkeys") && r.size() >= 4) {
            String keyName = r.segment(3);
            if (r.size() == 4 && method.equals("GET")) {
                return new Route("GetDeletedKey", () -> ArmResponse.ok(deletedBundle(vault(vaultName),
                        deleted(vaultName, keyName))));
            }
            if (r.size() == 4 && method.equals("DELETE")) {
                return new Route("PurgeDeletedKey", () -> purge(vaultName, keyName));
            }
            if (r.size() == 5 && r.is(4, "recover") && method.equals("POST")) {
                return new Route("RecoverDeletedKey", () -> {
                    ArmState.StoredKey key = deleted(vaultName, keyName);
                    key.deletedAt = null;
                    return ArmResponse.ok(bundle(vault(vaultName), key, key.latest()));
                });
            }
        }
        return null;
    }

    private ObjectNode vault(String vaultName) {
        for (ObjectNode vault : state.ofType(ArmState.VAULT_TYPE)) {
            if (vault.get("name").asText().equalsIgnoreCase(vaultName)) {
                return vault;
            }
        }
        throw new ArmError(404, "VaultNotFound", "The vault '" + vaultName + "' does not exist or is deleted.");
    }

    private ArmState.StoredKey stored(String vaultName, String keyName) {
        return state.keys.get(KeyRoutes.keyKey(vault(vaultName).get("id").asText(), keyName));
    }

    private ArmState.StoredKey live(String vaultName, String keyName) {
        ArmState.StoredKey key = stored(vaultName, keyName);
        if (key == null || key.deletedAt != null) {
            throw keyNotFound(vaultName, keyName);
        }
        return key;
    }

    private ArmState.StoredKey deleted(String vaultName, String keyName) {
        ArmState.StoredKey key = stored(vaultName, keyName);
        if (key == null || key.deletedAt == null) {
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
        List<String> keyOps = new ArrayList<>();
        body.path("key_ops").forEach(op -> keyOps.add(op.asText()));
        Map<String, String> tags = JsonDocuments.tags(body);
        ArmState.StoredKey key = state.keys.get(KeyRoutes.keyKey(vault.get("id").asText(), keyName));
        if (key != null && key.deletedAt != null) {
            throw ArmError.conflict("Conflict", "Key " + keyName + " is currently in a deleted but recoverable state, "
                    + "and its name cannot be reused; in this state, the key can only be recovered or purged.");
        }
        if (key == null) {
            key = KeyRoutes.createKey(state, vault, keyName, kty, keySize,
                    keyOps.isEmpty() ? KeyRoutes.ALL_KEY_OPS : keyOps, tags);
        } else {
            key.kty = kty;
            key.keySize = keySize;
            key.keyOps = List.copyOf(keyOps.isEmpty() ? KeyRoutes.ALL_KEY_OPS : keyOps);
            key.tags = new LinkedHashMap<>(tags);
            KeyRoutes.addVersion(state, key);
        }
        return ArmResponse.ok(bundle(vault, key, key.latest()));
    }

    private ArmResponse get(String vaultName, String keyName, String version) {
        ObjectNode vault = vault(vaultName);
        ArmState.StoredKey key = live(vaultName, keyName);
        ArmState.KeyVersion v = version == null || version.isEmpty() ? key.latest() : key.versions.stream()
                .filter(x -> x.version.equalsIgnoreCase(version)).findFirst()
                .orElseThrow(() -> keyNotFound(vaultName, keyName + "/" + version));
        return ArmResponse.ok(bundle(vault, key, v));
    }

    private ArmResponse listKeys(String vaultName) {
        ObjectNode vault = vault(vaultName);
        String prefix = ResourceIds.key(vault.get("id").asText()) + "|";
        List<ObjectNode> items = new ArrayList<>();
        state.keys.forEach((k, key) -> {
            if (k.startsWith(prefix) && key.deletedAt == null) {
                ObjectNode item = JsonDocuments.object();
                item.put("kid", keyUri(vault, key));
                item.set("attributes", attributes(vault, key, key.latest()));
                item.set("tags", JsonDocuments.tagsNode(key.tags));
                items.add(item);
            }
        });
        return ArmResponse.ok(page(items));
    }

    private ArmResponse versions(String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        ArmState.StoredKey key = live(vaultName, keyName);
        List<ObjectNode> items = new ArrayList<>();
        for (ArmState.KeyVersion v : key.versions) {
            ObjectNode item = JsonDocuments.object();
            item.put("kid", keyUri(vault, key) + "/" + v.version);
            item.set("attributes", attributes(vault, key, v));
            item.set("tags", JsonDocuments.tagsNode(key.tags));
            items.add(item);
        }
        return ArmResponse.ok(page(items));
    }

    private static ObjectNode page(List<ObjectNode> items) {
        ObjectNode page = JsonDocuments.list(items);
        page.putNull("nextLink");
        return page;
    }

    private ArmResponse delete(String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        ArmState.StoredKey key = live(vaultName, keyName);
        key.deletedAt = Instant.now();
        return ArmResponse.ok(deletedBundle(vault, key));
    }

    private ArmResponse purge(String vaultName, String keyName) {
        ObjectNode vault = vault(vaultName);
        ArmState.StoredKey key = deleted(vaultName, keyName);
        if (JsonDocuments.flag(vault, "properties", "enablePurgeProtection")) {
            throw new ArmError(403, "Forbidden", "Operation \"purge\" is not allowed because purge protection is "
                    + "enabled for this vault. Key Vault service will automatically purge it after the retention "
                    + "period has passed.");
        }
        state.keys.remove(KeyRoutes.keyKey(vault.get("id").asText(), key.name));
        return ArmResponse.empty(204);
    }

    private static String keyUri(ObjectNode vault, ArmState.StoredKey key) {
        return JsonDocuments.text(vault, "properties", "vaultUri") + "keys/" + key.name;
    }

    private static ObjectNode attributes(ObjectNode vault, ArmState.StoredKey key, ArmState.KeyVersion v) {
        ObjectNode attributes = JsonDocuments.object();
        attributes.put("enabled", true);
        attributes.put("created", v.created.getEpochSecond());
        attributes.put("updated", v.created.getEpochSecond());
        attributes.put("recoveryLevel", KeyRoutes.recoveryLevel(vault));
        attributes.put("recoverableDays", ArmState.retention(vault).toDays());
        return attributes;
    }

    /** The data-plane KeyBundle for one version (fixture CreateKey-example.json's shape). */
    static ObjectNode bundle(ObjectNode vault, ArmState.StoredKey key, ArmState.KeyVersion v) {
        ObjectNode bundle = JsonDocuments.object();
        ObjectNode jwk = bundle.putObject("key");
        jwk.put("kid", keyUri(vault, key) + "/" + v.version);
        jwk.put("kty", key.kty);
        jwk.set("key_ops", ArmState.arrayOf(key.keyOps));
        jwk.put("n", ArmState.base64Url(v.modulus));
        jwk.put("e", "AQAB");
        bundle.set("attributes", attributes(vault, key, v));
        bundle.set("tags", JsonDocuments.tagsNode(key.tags));
        return bundle;
    }

    private static ObjectNode deletedBundle(ObjectNode vault, ArmState.StoredKey key) {
        ObjectNode bundle = bundle(vault, key, key.latest());
        JsonNode retentionDays = vault.path("properties").path("softDeleteRetentionInDays");
        bundle.put("recoveryId", JsonDocuments.text(vault, "properties", "vaultUri") + "deletedkeys/" + key.name);
        bundle.put("deletedDate", key.deletedAt.getEpochSecond());
        bundle.put("scheduledPurgeDate", key.deletedAt.plusSeconds(86400L * retentionDays.asInt(90)).getEpochSecond());
        return bundle;
    }
}
