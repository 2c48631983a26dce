package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * ARM's authorization of a management-plane request: the caller (the token's {@code oid}) must hold a role that permits
 * the operation's action ({@link ArmActions}) at the request's scope or above it, by an assignment that already
 * applies; a PUT or PATCH that puts a user-assigned identity on a resource also needs
 * {@link ArmActions#ASSIGN_IDENTITY} on that identity (ARM's linked check). Refusals are ARM's 403
 * {@code AuthorizationFailed} and {@code LinkedAuthorizationFailed}. A vault's data plane is Key Vault's own
 * ({@link KeyVaultDataAccess}); Microsoft Graph has its own permissions.
 */
final class ArmAuthorization {
    private final RoleAssignmentStore assignments;

    ArmAuthorization(RoleAssignmentStore assignments) {
        this.assignments = assignments;
    }

    /** Null when the request may proceed; else the refusal. Records the actions checked on the request. */
    ArmError check(ArmRequest request) {
        if (request.is(0, "kv") || request.is(0, "v1.0")) {
            return null;
        }
        String action = ArmActions.action(request.operation, request.method, request.path);
        if (action == null) {
            return null;
        }
        SimulatedDirectory.Caller caller = SimulatedDirectory.caller(request);
        if (caller.objectId() == null) {
            return new ArmError(401, "InvalidAuthenticationToken", "The access token is invalid.");
        }
        request.actions.add(action);
        RoleAssignmentStore.Verdict verdict = assignments.permits(request.path, caller.objectId(), action,
                requestAttributes(request), resourceAttributes(request));
        if (verdict != RoleAssignmentStore.Verdict.PERMITTED) {
            String why = verdict == RoleAssignmentStore.Verdict.CONDITION_NOT_FULFILLED
                    ? "' has an authorization with ABAC condition that is not fulfilled to perform action '"
                    : "' does not have authorization to perform action '";
            return new ArmError(403, "AuthorizationFailed", "The client '" + client(caller) + "' with object id '"
                    + caller.objectId() + why + action + "' over scope '" + request.path + "' or the scope is invalid."
                    + " If access was recently granted, please refresh your credentials.");
        }
        for (String identity : linkedIdentities(request)) {
            request.actions.add(ArmActions.ASSIGN_IDENTITY);
            if (!assignments.permits(identity, caller.objectId(), ArmActions.ASSIGN_IDENTITY)) {
                return new ArmError(403, "LinkedAuthorizationFailed", "The client '" + client(caller)
                        + "' with object id '" + caller.objectId() + "' has permission to perform action '" + action
                        + "' on scope '" + request.path + "'; however, it does not have permission to perform action '"
                        + ArmActions.ASSIGN_IDENTITY + "' on the linked scope(s) '" + identity
                        + "' or the linked scope(s) are invalid.");
            }
        }
        return null;
    }

    /** What an ABAC condition reads of a role assignment being written ({@code @Request}): its body's properties. */
    private static Map<String, String> requestAttributes(ArmRequest request) {
        if (!"PUT".equalsIgnoreCase(request.method) || !request.path.toLowerCase(Locale.ROOT)
                .contains("/providers/microsoft.authorization/roleassignments/")) {
            return Map.of();
        }
        try {
            return attributes(JsonDocuments.MAPPER.readTree(request.body == null ? "{}" : request.body).path("properties"));
        } catch (java.io.IOException notJson) {
            return Map.of();
        }
    }

    /** What an ABAC condition reads of the role assignment a DELETE removes ({@code @Resource}). */
    private Map<String, String> resourceAttributes(ArmRequest request) {
        if (!"DELETE".equalsIgnoreCase(request.method)) {
            return Map.of();
        }
        ObjectNode existing = assignments.byPath(request.path);
        return existing == null ? Map.of() : attributes(existing.path("properties"));
    }

    private static Map<String, String> attributes(JsonNode properties) {
        Map<String, String> attributes = new HashMap<>();
        String role = JsonDocuments.text(properties, "roleDefinitionId");
        if (role != null) {
            attributes.put("roledefinitionid", ResourceIds.name(role));
        }
        if (JsonDocuments.text(properties, "principalId") != null) {
            attributes.put("principalid", JsonDocuments.text(properties, "principalId"));
        }
        attributes.put("principaltype", properties.path("principalType").asText("ServicePrincipal"));
        return attributes;
    }

    /** The user-assigned identities a PUT or PATCH body puts on its resource ({@code identity.userAssignedIdentities}). */
    private static List<String> linkedIdentities(ArmRequest request) {
        List<String> identities = new ArrayList<>();
        boolean putOrPatch = "PUT".equalsIgnoreCase(request.method) || "PATCH".equalsIgnoreCase(request.method);
        if (!putOrPatch || request.body == null || request.body.isBlank()) {
            return identities;
        }
        JsonNode body;
        try {
            body = JsonDocuments.MAPPER.readTree(request.body);
        } catch (java.io.IOException notJson) {
            return identities;
        }
        body.path("identity").path("userAssignedIdentities").fieldNames().forEachRemaining(identities::add);
        return identities;
    }

    /** ARM names a service principal by its application id, a user by its object id. */
    private static String client(SimulatedDirectory.Caller caller) {
        return caller.applicationId() != null ? caller.applicationId() : caller.objectId();
    }
}
