package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

/** User-assigned managed identities, as seeded: the principal is what Key Vault access is granted to. */
final class IdentityDocuments {
    static final String TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities";
    private static final String TENANT = "00000000-0000-0000-0000-000000000000";

    private IdentityDocuments() {
    }

    static ObjectNode userAssigned(String subscription, String group, String name, String location,
                                   String principalId, String clientId) {
        ObjectNode identity = JsonDocuments.object();
        identity.put("id", ResourceIds.resource(subscription, group, "Microsoft.ManagedIdentity",
                "userAssignedIdentities", name));
        identity.put("name", name);
        identity.put("type", TYPE);
        identity.put("location", location);
        identity.putObject("tags");
        ObjectNode properties = identity.putObject("properties");
        properties.put("tenantId", TENANT);
        properties.put("principalId", principalId);
        properties.put("clientId", clientId);
        return identity;
    }
}
