package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

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
        if (!assignments.permits(request.path, caller.objectId(), action)) {
            return new ArmError(403, "AuthorizationFailed", "The client '" + client(caller) + "' with object id '"
                    + caller.objectId() + "' does not have authorization to perform action '" + action + "' over scope '"
                    + request.path + "' or the scope is invalid. If access was recently granted, please refresh your"
                    + " credentials.");
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
