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
 * @param identityGrantScopes       vault ids or resource group ids (lower case) under which cmkflow may grant a
 *                                  request's user-assigned identity key access on a vault the request adopted; empty:
 *                                  nowhere (the vault's owner grants it)
 */
public record PrincipalSettings(Map<String, String> cosmosDbObjectIds, String ownObjectId,
                                Duration roleAssignmentPropagation, List<String> identityGrantScopes) {

    public static final String COSMOS_DB_OBJECT_IDS = "cmkflow.azure.cosmos-db-object-ids";
    public static final String OWN_OBJECT_ID = "cmkflow.azure.own-object-id";
    public static final String ROLE_ASSIGNMENT_PROPAGATION = "cmkflow.azure.role-assignment-propagation";
    public static final String IDENTITY_GRANT_SCOPES = "cmkflow.azure.identity-grant-scopes";

    public PrincipalSettings {
        cosmosDbObjectIds = Map.copyOf(cosmosDbObjectIds);
        identityGrantScopes = identityGrantScopes.stream().map(String::trim).filter(s -> !s.isEmpty())
                .map(s -> s.replaceAll("/+$", "").toLowerCase(Locale.ROOT)).toList();
        if (roleAssignmentPropagation == null || roleAssignmentPropagation.isNegative()) {
            throw new IllegalArgumentException(ROLE_ASSIGNMENT_PROPAGATION + " must be zero or positive");
        }
    }

    /** Everything looked up; role assignments given 10 minutes. */
    public static PrincipalSettings lookedUp() {
        return new PrincipalSettings(Map.of(), null, Duration.ofMinutes(10), List.of());
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
        return new PrincipalSettings(byTenant, own, roleAssignmentPropagation, List.of());
    }

    /** These settings with {@link #identityGrantScopes} (from {@value #IDENTITY_GRANT_SCOPES}). */
    public PrincipalSettings withIdentityGrantScopes(List<String> scopes) {
        return new PrincipalSettings(cosmosDbObjectIds, ownObjectId, roleAssignmentPropagation, scopes);
    }

    /** Whether {@code vaultId} is, or lies in a resource group that is, one of {@link #identityGrantScopes}. */
    public boolean identityGrantAllowedOn(String vaultId) {
        String vault = vaultId.toLowerCase(Locale.ROOT);
        return identityGrantScopes.stream().anyMatch(scope -> vault.equals(scope) || vault.startsWith(scope + "/"));
    }

    private static boolean isGuid(String text) {
        try {
            return UUID.fromString(text).toString().equalsIgnoreCase(text);
        } catch (IllegalArgumentException notAGuid) {
            return false;
        }
    }
}
