package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.time.Period;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * Key Vault's rules for a key's rotation policy, the same through the data plane ({@code PUT keys/{name}/rotationpolicy},
 * 7.4) and the management plane ({@code properties.rotationPolicy} of a key PUT): an expiry
 * ({@code attributes.expiryTime}) of at least 28 days; each lifetime action a Rotate or Notify triggered
 * {@code timeAfterCreate} or {@code timeBeforeExpiry} (exactly one); a before-expiry trigger needs the expiry; a
 * rotation at least 7 days after creation and 7 days before expiry. Sources: docs/azure-behaviour.md, "Key Vault".
 */
final class KeyRotationPolicies {
    private KeyRotationPolicies() {
    }

    /** The policy's id: {@code {vaultUri}keys/{name}/rotationpolicy}. */
    static String id(ObjectNode vault, String keyName) {
        return JsonDocuments.text(vault, "properties", "vaultUri") + "keys/" + keyName + "/rotationpolicy";
    }

    /** What a key that never had a policy answers: Key Vault's default, notify 30 days before expiry. */
    static ObjectNode keyVaultDefault(String id) {
        ObjectNode policy = JsonDocuments.object();
        policy.put("id", id);
        ObjectNode action = policy.putArray("lifetimeActions").addObject();
        action.putObject("trigger").put("timeBeforeExpiry", "P30D");
        action.putObject("action").put("type", "Notify");
        policy.putObject("attributes");
        return policy;
    }

    /**
     * The policy as Key Vault stores and answers it (created when {@code previous}, the key's current policy or null,
     * was), or Key Vault's 400 naming the rule broken.
     */
    static ObjectNode validated(JsonNode requested, String id, ObjectNode previous) {
        String expiryTime = JsonDocuments.text(requested, "attributes", "expiryTime");
        Duration expiry = expiryTime == null ? null : duration("attributes.expiryTime", expiryTime);
        if (expiry != null && expiry.compareTo(Duration.ofDays(28)) < 0) {
            throw ArmError.badRequest("BadParameter", "attributes.expiryTime must be at least 28 days (P28D), was "
                    + expiryTime + ".");
        }
        for (JsonNode action : requested.path("lifetimeActions")) {
            String type = JsonDocuments.text(action, "action", "type");
            if (type == null || !List.of("rotate", "notify").contains(type.toLowerCase(Locale.ROOT))) {
                throw ArmError.badRequest("BadParameter", "A lifetime action's action.type must be Rotate or Notify, was "
                        + type + ".");
            }
            String afterCreate = JsonDocuments.text(action, "trigger", "timeAfterCreate");
            String beforeExpiry = JsonDocuments.text(action, "trigger", "timeBeforeExpiry");
            if ((afterCreate == null) == (beforeExpiry == null)) {
                throw ArmError.badRequest("BadParameter", "A lifetime action's trigger needs exactly one of "
                        + "timeAfterCreate and timeBeforeExpiry.");
            }
            if (beforeExpiry != null && expiry == null) {
                throw ArmError.badRequest("BadParameter", "A timeBeforeExpiry trigger needs attributes.expiryTime.");
            }
            if ("rotate".equalsIgnoreCase(type)) {
                Duration after = afterCreate != null ? duration("timeAfterCreate", afterCreate)
                        : expiry.minus(duration("timeBeforeExpiry", beforeExpiry));
                if (after.compareTo(Duration.ofDays(7)) < 0
                        || (expiry != null && expiry.minus(after).compareTo(Duration.ofDays(7)) < 0)) {
                    throw ArmError.badRequest("BadParameter", "A rotation must come at least 7 days after creation "
                            + "and at least 7 days before expiry.");
                }
            }
        }
        ObjectNode policy = JsonDocuments.object();
        policy.put("id", id);
        policy.set("lifetimeActions", requested.path("lifetimeActions").isArray() ? requested.get("lifetimeActions").deepCopy()
                : JsonDocuments.array());
        ObjectNode attributes = policy.putObject("attributes");
        if (expiryTime != null) {
            attributes.put("expiryTime", expiryTime);
        }
        long now = Instant.now().getEpochSecond();
        attributes.put("created", previous == null ? now : previous.path("attributes").path("created").asLong(now));
        attributes.put("updated", now);
        return policy;
    }

    /** An ISO 8601 duration as Key Vault takes it: P90D, P1Y, P2M (a month counted as 30 days), PT48H. */
    static Duration duration(String field, String value) {
        try {
            if (value.contains("T")) {
                return Duration.parse(value);
            }
            Period period = Period.parse(value);
            return Duration.ofDays(period.toTotalMonths() * 30 + period.getDays());
        } catch (DateTimeParseException e) {
            throw ArmError.badRequest("BadParameter", field + " must be an ISO 8601 duration such as P90D, was "
                    + value + ".");
        }
    }
}
