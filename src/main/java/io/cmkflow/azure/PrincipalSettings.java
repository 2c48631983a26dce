package io.cmkflow.azure;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * What cmkflow is told about principals instead of finding it out, and how long it lets a role assignment take.
 *
 * @param cosmosDbObjectIds         Azure Cosmos DB's object id by tenant (lower case), for tenants where cmkflow's
 *                                  identity may not read Microsoft Graph; other tenants are looked up
 * @param ownObjectId               cmkflow's own object id; null = the {@code oid} claim of its access token
 * @param roleAssignmentPropagation how long after cmkflow created a role assignment a 403 on the access it grants is
 *                                  taken for an assignment not yet applied, and retried (Azure: up to ~10 minutes)
 */
public record PrincipalSettings(Map<String, String> cosmosDbObjectIds, String ownObjectId,
                                Duration roleAssignmentPropagation) {

    public static final String COSMOS_DB_OBJECT_IDS = "cmkflow.azure.cosmos-db-object-ids";
    public static final String OWN_OBJECT_ID = "cmkflow.azure.own-object-id";
    public static final String ROLE_ASSIGNMENT_PROPAGATION = "cmkflow.azure.role-assignment-propagation";

    public PrincipalSettings {
        cosmosDbObjectIds = Map.copyOf(cosmosDbObjectIds);
        if (roleAssignmentPropagation == null || roleAssignmentPropagation.isNegative()) {
            throw new IllegalArgumentException(ROLE_ASSIGNMENT_PROPAGATION + " must be zero or positive");
        }
    }

    /** Everything looked up; role assignments given 10 minutes. */
    public static PrincipalSettings lookedUp() {
        return new PrincipalSettings(Map.of(), null, Duration.ofMinutes(10));
    }

    /**
     * From the settings' text: {@code cosmosDbObjectIds} as {@code TENANT_ID=OBJECT_ID} items (GUIDs); a malformed
     * item stops start-up with a message naming the setting.
     */
    public static PrincipalSettings of(List<String> cosmosDbObjectIds, String ownObjectId,
                                       Duration roleAssignmentPropagation) {
        Map<String, String> byTenant = new HashMap<>();
        for (String item : cosmosDbObjectIds) {
            String[] parts = item.split("=", 2);
            if (parts.length != 2 || !isGuid(parts[0].trim()) || !isGuid(parts[1].trim())) {
                throw new IllegalArgumentException(COSMOS_DB_OBJECT_IDS + ": each item must be TENANT_ID=OBJECT_ID "
                        + "(two GUIDs), was '" + item + "'");
            }
            byTenant.put(parts[0].trim().toLowerCase(Locale.ROOT), parts[1].trim());
        }
        String own = ownObjectId == null || ownObjectId.isBlank() ? null : ownObjectId.trim();
        if (own != null && !isGuid(own)) {
            throw new IllegalArgumentException(OWN_OBJECT_ID + " must be an object id (a GUID), was '" + own + "'");
        }
        return new PrincipalSettings(byTenant, own, roleAssignmentPropagation);
    }

    private static boolean isGuid(String text) {
        try {
            return UUID.fromString(text).toString().equalsIgnoreCase(text);
        } catch (IllegalArgumentException notAGuid) {
            return false;
        }
    }
}
