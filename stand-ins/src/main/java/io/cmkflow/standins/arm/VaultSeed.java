package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A key vault to seed into {@link ArmState}: where it is and how it is configured. Defaults: soft delete on, purge
 * protection on, access-policy authorisation, 90 days retention, standard SKU, tenant
 * {@code 00000000-0000-0000-0000-000000000000}.
 */
public final class VaultSeed {
    private final String subscription;
    private final String resourceGroup;
    private final String name;
    private String location = "westeurope";
    /** The tenant of a seeded vault unless {@link #tenantId} says otherwise. */
    public static final String DEFAULT_TENANT = "00000000-0000-0000-0000-000000000000";

    private String tenantId = DEFAULT_TENANT;
    private boolean softDelete = true;
    private boolean purgeProtection = true;
    private boolean rbac;
    private int retentionDays = 90;
    private final Map<String, String> tags = new LinkedHashMap<>();
    private final ArrayNode accessPolicies = JsonDocuments.array();

    private VaultSeed(String subscription, String resourceGroup, String name) {
        this.subscription = subscription;
        this.resourceGroup = resourceGroup;
        this.name = name;
    }

    public static VaultSeed of(String subscription, String resourceGroup, String name) {
        return new VaultSeed(subscription, resourceGroup, name);
    }

    public VaultSeed location(String value) {
        this.location = value;
        return this;
    }

    public VaultSeed tenantId(String value) {
        this.tenantId = value;
        return this;
    }

    public VaultSeed softDelete(boolean value) {
        this.softDelete = value;
        return this;
    }

    public VaultSeed purgeProtection(boolean value) {
        this.purgeProtection = value;
        return this;
    }

    public VaultSeed rbacAuthorization(boolean value) {
        this.rbac = value;
        return this;
    }

    public VaultSeed retentionDays(int value) {
        this.retentionDays = value;
        return this;
    }

    public VaultSeed tags(Map<String, String> value) {
        this.tags.putAll(value);
        return this;
    }

    /** Adds an access policy entry granting these key permissions to {@code objectId}. */
    public VaultSeed accessPolicy(String objectId, List<String> keyPermissions) {
        ObjectNode entry = accessPolicies.addObject();
        entry.put("tenantId", tenantId);
        entry.put("objectId", objectId);
        ObjectNode permissions = entry.putObject("permissions");
        permissions.set("keys", JsonDocuments.arrayOf(keyPermissions));
        permissions.putArray("secrets");
        permissions.putArray("certificates");
        return this;
    }

    String subscription() {
        return subscription;
    }

    String resourceGroup() {
        return resourceGroup;
    }

    String name() {
        return name;
    }

    String location() {
        return location;
    }

    Map<String, String> tags() {
        return tags;
    }

    /** The {@code properties} object as a create request would carry it. */
    ObjectNode properties() {
        ObjectNode properties = JsonDocuments.object();
        properties.put("tenantId", tenantId);
        properties.putObject("sku").put("family", "A").put("name", "standard");
        properties.set("accessPolicies", accessPolicies.deepCopy());
        properties.put("enableSoftDelete", softDelete);
        if (purgeProtection) {
            properties.put("enablePurgeProtection", true);
        }
        properties.put("enableRbacAuthorization", rbac);
        properties.put("softDeleteRetentionInDays", retentionDays);
        return properties;
    }
}
