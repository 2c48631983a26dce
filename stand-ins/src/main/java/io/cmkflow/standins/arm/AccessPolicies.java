package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** A vault's {@code properties.accessPolicies} and Vaults_UpdateAccessPolicy's add / remove / replace on it. */
final class AccessPolicies {
    /** The operationKind of an access policy update. */
    enum Change {
        ADD, REMOVE, REPLACE;

        /** The change named in the path, or a 400 naming the allowed ones. */
        static Change named(String kind) {
            return switch (kind.toLowerCase(Locale.ROOT)) {
                case "add" -> ADD;
                case "remove" -> REMOVE;
                case "replace" -> REPLACE;
                default -> throw ArmError.badRequest("BadRequest", "The operationKind '" + kind
                        + "' is invalid: it must be one of add, remove, replace.");
            };
        }
    }

    private static final List<String> PERMISSION_KINDS = List.of("keys", "secrets", "certificates", "storage");

    private AccessPolicies() {
    }

    /** Applies one requested entry: add merges permissions, remove drops them (and an emptied entry). */
    static void apply(ArrayNode entries, Change change, JsonNode requested) {
        String objectId = JsonDocuments.text(requested, "objectId");
        ObjectNode existing = find(entries, objectId);
        switch (change) {
            case ADD -> {
                if (existing == null) {
                    entries.add(normalised(requested));
                } else {
                    for (String kind : PERMISSION_KINDS) {
                        Set<String> merged = new LinkedHashSet<>(textSet(existing.path("permissions").path(kind)));
                        merged.addAll(textSet(requested.path("permissions").path(kind)));
                        permissions(existing).set(kind, JsonDocuments.arrayOf(merged));
                    }
                }
            }
            case REMOVE -> {
                if (existing != null) {
                    boolean empty = true;
                    for (String kind : PERMISSION_KINDS) {
                        Set<String> left = new LinkedHashSet<>(textSet(existing.path("permissions").path(kind)));
                        Set<String> removing = lower(textSet(requested.path("permissions").path(kind)));
                        left.removeIf(p -> removing.contains(p.toLowerCase(Locale.ROOT)));
                        permissions(existing).set(kind, JsonDocuments.arrayOf(left));
                        empty &= left.isEmpty();
                    }
                    if (empty) {
                        remove(entries, objectId);
                    }
                }
            }
            case REPLACE -> {
                remove(entries, objectId);
                entries.add(normalised(requested));
            }
        }
    }

    static List<ArmState.AccessPolicyView> views(JsonNode vault) {
        return JsonDocuments.stream(vault.path("properties").path("accessPolicies")).map(entry -> {
            JsonNode perms = entry.path("permissions");
            return new ArmState.AccessPolicyView(JsonDocuments.text(entry, "tenantId"),
                    JsonDocuments.text(entry, "objectId"), textSet(perms.path("keys")),
                    textSet(perms.path("secrets")), textSet(perms.path("certificates")));
        }).toList();
    }

    /** Whether an entry for one of these principals (lower case) holds all of {@code keyPermissions} or "all". */
    static boolean grantKeys(JsonNode vault, Set<String> principals, Set<String> keyPermissions) {
        for (JsonNode entry : vault.path("properties").path("accessPolicies")) {
            String objectId = JsonDocuments.text(entry, "objectId");
            if (objectId != null && principals.contains(objectId.toLowerCase(Locale.ROOT))) {
                Set<String> granted = lower(textSet(entry.path("permissions").path("keys")));
                if (granted.containsAll(keyPermissions) || granted.contains("all")) {
                    return true;
                }
            }
        }
        return false;
    }

    private static Set<String> textSet(JsonNode array) {
        Set<String> set = new LinkedHashSet<>();
        array.forEach(n -> set.add(n.asText()));
        return Set.copyOf(set);
    }

    private static Set<String> lower(Set<String> values) {
        Set<String> lowered = new LinkedHashSet<>();
        values.forEach(v -> lowered.add(v.toLowerCase(Locale.ROOT)));
        return lowered;
    }

    private static ObjectNode normalised(JsonNode entry) {
        ObjectNode copy = entry.deepCopy();
        ObjectNode perms = permissions(copy);
        for (String kind : List.of("keys", "secrets", "certificates")) {
            if (!perms.has(kind)) {
                perms.putArray(kind);
            }
        }
        return copy;
    }

    private static ObjectNode permissions(ObjectNode entry) {
        return JsonDocuments.objectAt(entry, "permissions");
    }

    private static ObjectNode find(ArrayNode entries, String objectId) {
        for (JsonNode e : entries) {
            if (objectId.equalsIgnoreCase(JsonDocuments.text(e, "objectId"))) {
                return (ObjectNode) e;
            }
        }
        return null;
    }

    private static void remove(ArrayNode entries, String objectId) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (objectId.equalsIgnoreCase(JsonDocuments.text(entries.get(i), "objectId"))) {
                entries.remove(i);
            }
        }
    }
}
