package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.regex.Pattern;

/** What Key Vault's management plane accepts in a request, with the errors it answers otherwise. */
final class VaultRequests {
    private static final Pattern VAULT_NAME = Pattern.compile("^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$");

    private VaultRequests() {
    }

    static boolean isValidName(String name) {
        return VAULT_NAME.matcher(name).matches();
    }

    static void requireValidName(String name) {
        if (!isValidName(name) || name.contains("--")) {
            throw ArmError.badRequest("VaultNameNotValid", "The vault name '" + name + "' is invalid. A vault's name "
                    + "must be between 3-24 alphanumeric characters. The name must begin with a letter, end with a "
                    + "letter or digit, and not contain consecutive hyphens.");
        }
    }

    static String requireLocation(JsonNode body) {
        String location = JsonDocuments.text(body, "location");
        if (location == null || location.isBlank()) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'location'.");
        }
        return location;
    }

    static ObjectNode requireProperties(JsonNode body) {
        if (!(body.get("properties") instanceof ObjectNode props)) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'properties'.");
        }
        return props;
    }

    static void requireTenantAndSku(JsonNode props) {
        if (JsonDocuments.text(props, "tenantId") == null) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'properties.tenantId'.");
        }
        if (!props.has("sku")) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'properties.sku'.");
        }
    }

    /** Purge protection and soft delete cannot be switched off once on. */
    static void guardIrreversible(JsonNode current, JsonNode requested) {
        if (JsonDocuments.flag(current, "enablePurgeProtection") && requested.has("enablePurgeProtection")
                && !requested.get("enablePurgeProtection").isNull()
                && !requested.get("enablePurgeProtection").asBoolean()) {
            throw ArmError.badRequest("BadRequest", "The property \"enablePurgeProtection\" cannot be set to false. "
                    + "Enabling the purge protection for a vault is an irreversible action.");
        }
        if (JsonDocuments.flag(current, "enableSoftDelete") && requested.has("enableSoftDelete")
                && !requested.get("enableSoftDelete").isNull() && !requested.get("enableSoftDelete").asBoolean()) {
            throw ArmError.badRequest("BadRequest", "The property \"enableSoftDelete\" cannot be set to false. "
                    + "Enabling the soft delete for a vault is an irreversible action.");
        }
    }

    static JsonNode requireAccessPolicies(JsonNode body) {
        JsonNode requested = body.path("properties").path("accessPolicies");
        if (!requested.isArray()) {
            throw ArmError.badRequest("BadRequest",
                    "The request is missing the required property 'properties.accessPolicies'.");
        }
        return requested;
    }

    static void requireEntryIds(JsonNode entry) {
        if (JsonDocuments.text(entry, "objectId") == null || JsonDocuments.text(entry, "tenantId") == null) {
            throw ArmError.badRequest("BadRequest", "An access policy entry must have 'tenantId' and 'objectId'.");
        }
    }

    static String requireName(JsonNode body) {
        String name = JsonDocuments.text(body, "name");
        if (name == null) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'name'.");
        }
        return name;
    }
}
