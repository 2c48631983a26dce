package io.cmkflow.local.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft.Authorization role assignments at any scope (PUT/GET/DELETE, list with {@code $filter}) and the built-in
 * role definitions cmkflow looks up (by id, or by {@code roleName eq '...'}).
 */
final class RoleRoutes implements Route.Family {
    static final String KEY_VAULT_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603";
    static final String KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483";
    private static final Map<String, String> BUILT_IN_ROLES = new LinkedHashMap<>();
    private static final Pattern GUID = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern ROLE_NAME_FILTER = Pattern.compile("roleName\\s+eq\\s+'([^']*)'",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PRINCIPAL_FILTER = Pattern.compile(
            "(?:principalId\\s+eq\\s+|assignedTo\\()'([^']*)'", Pattern.CASE_INSENSITIVE);

    static {
        BUILT_IN_ROLES.put(ArmState.CRYPTO_SERVICE_ENCRYPTION_USER_ROLE, ArmState.CRYPTO_SERVICE_ENCRYPTION_USER_ROLE_NAME);
        BUILT_IN_ROLES.put(KEY_VAULT_CRYPTO_OFFICER, "Key Vault Crypto Officer");
        BUILT_IN_ROLES.put(KEY_VAULT_ADMINISTRATOR, "Key Vault Administrator");
        BUILT_IN_ROLES.put("acdd72a7-3385-48ef-bd42-f606fba81ae7", "Reader");
        BUILT_IN_ROLES.put("b24988ac-6180-42a0-ab88-20f7382dd24c", "Contributor");
        BUILT_IN_ROLES.put("8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner");
    }

    private final ArmState state;

    RoleRoutes(ArmState state) {
        this.state = state;
    }

    @Override
    public Route match(ArmRequest r) {
        int at = -1;
        for (int i = 0; i + 2 < r.size(); i++) {
            if (r.is(i, "providers") && r.is(i + 1, "Microsoft.Authorization")) {
                at = i;
                break;
            }
        }
        if (at < 0 || at % 2 != 0) {
            return null;
        }
        return match(r, at);
    }

    private Route match(ArmRequest r, int at) {
        String scope = at == 0 ? "/" : "/" + String.join("/", r.segments.subList(0, at));
        String method = r.method.toUpperCase(Locale.ROOT);
        int rest = r.size() - at;
        if (r.is(at + 2, "roleAssignments")) {
            if (rest == 3 && method.equals("GET")) {
                return new Route("RoleAssignments_ListForScope", () -> listAssignments(scope, r.query("$filter")));
            }
            if (rest == 4) {
                String name = r.segment(at + 3);
                return switch (method) {
                    case "PUT" -> new Route("RoleAssignments_Create", () -> create(r, scope, name));
                    case "GET" -> new Route("RoleAssignments_Get", () -> ArmResponse.ok(assignment(scope, name)));
                    case "DELETE" -> new Route("RoleAssignments_Delete", () -> {
                        ObjectNode removed = state.roleAssignments.remove(ResourceIds.key(assignmentId(scope, name)));
                        return removed == null ? ArmResponse.empty(204) : ArmResponse.ok(removed);
                    });
                    default -> null;
                };
            }
        }
        if (r.is(at + 2, "roleDefinitions") && method.equals("GET")) {
            if (rest == 3) {
                return new Route("RoleDefinitions_List", () -> listDefinitions(scope, r.query("$filter")));
            }
            if (rest == 4) {
                String id = r.segment(at + 3).toLowerCase(Locale.ROOT);
                return new Route(at == 0 ? "RoleDefinitions_GetById" : "RoleDefinitions_Get", () -> {
                    if (!BUILT_IN_ROLES.containsKey(id)) {
                        throw new ArmError(404, "RoleDefinitionDoesNotExist", "The specified role definition with ID '"
                                + r.segment(at + 3) + "' does not exist.");
                    }
                    return ArmResponse.ok(definition(scope, id));
                });
            }
        }
        return null;
    }

    private static String assignmentId(String scope, String name) {
        return (scope.equals("/") ? "" : scope) + "/providers/Microsoft.Authorization/roleAssignments/" + name;
    }

    private ObjectNode assignment(String scope, String name) {
        ObjectNode assignment = state.roleAssignments.get(ResourceIds.key(assignmentId(scope, name)));
        if (assignment == null) {
            throw new ArmError(404, "RoleAssignmentNotFound", "The role assignment '" + name + "' is not found.");
        }
        return assignment;
    }

    private ArmResponse create(ArmRequest r, String scope, String name) {
        if (!GUID.matcher(name).matches()) {
            throw ArmError.badRequest("InvalidRoleAssignmentId", "The role assignment ID '" + name
                    + "' is not valid. The role assignment ID must be a GUID.");
        }
        ObjectNode body = r.jsonBody();
        String roleDefinitionId = JsonDocuments.text(body, "properties", "roleDefinitionId");
        String principalId = JsonDocuments.text(body, "properties", "principalId");
        if (roleDefinitionId == null || principalId == null) {
            throw ArmError.badRequest("InvalidRequestContent", "The request must have properties.roleDefinitionId "
                    + "and properties.principalId.");
        }
        String roleGuid = ResourceIds.name(roleDefinitionId).toLowerCase(Locale.ROOT);
        if (!BUILT_IN_ROLES.containsKey(roleGuid)) {
            throw ArmError.badRequest("RoleDefinitionDoesNotExist", "The specified role definition with ID '"
                    + roleGuid + "' does not exist.");
        }
        if (scope.contains("/providers/") && !state.resources.containsKey(ResourceIds.key(scope))) {
            throw new ArmError(404, "ResourceNotFound", "The scope '" + scope + "' does not exist.");
        }
        String id = assignmentId(scope, name);
        ObjectNode existing = state.roleAssignments.get(ResourceIds.key(id));
        for (ObjectNode other : state.roleAssignments.values()) {
            boolean same = principalId.equalsIgnoreCase(JsonDocuments.text(other, "properties", "principalId"))
                    && roleGuid.equalsIgnoreCase(ResourceIds.name(JsonDocuments.text(other, "properties",
                    "roleDefinitionId")))
                    && scope.equalsIgnoreCase(JsonDocuments.text(other, "properties", "scope"));
            if (same && other != existing) {
                throw ArmError.conflict("RoleAssignmentExists", "The role assignment already exists. The ID of the "
                        + "existing role assignment is " + other.get("name").asText() + ".");
            }
        }
        if (existing != null) {
            if (!principalId.equalsIgnoreCase(JsonDocuments.text(existing, "properties", "principalId"))
                    || !roleGuid.equalsIgnoreCase(ResourceIds.name(JsonDocuments.text(existing, "properties",
                    "roleDefinitionId")))) {
                throw ArmError.conflict("RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, "
                        + "and scope are not allowed to be updated.");
            }
            return ArmResponse.ok(existing);
        }
        ObjectNode assignment = JsonDocuments.object();
        assignment.put("id", id);
        assignment.put("name", name);
        assignment.put("type", "Microsoft.Authorization/roleAssignments");
        ObjectNode props = assignment.putObject("properties");
        props.put("roleDefinitionId", roleDefinitionId);
        props.put("principalId", principalId);
        props.put("principalType", body.path("properties").path("principalType").asText("ServicePrincipal"));
        props.put("scope", scope);
        props.put("createdOn", ArmState.now().toString());
        props.put("updatedOn", ArmState.now().toString());
        state.roleAssignments.put(ResourceIds.key(id), assignment);
        return ArmResponse.status(201, assignment);
    }

    private ArmResponse listAssignments(String scope, String filter) {
        String lowerScope = ResourceIds.key(scope);
        boolean atScopeOnly = filter != null && filter.toLowerCase(Locale.ROOT).contains("atscope()");
        String principal = null;
        if (filter != null) {
            Matcher m = PRINCIPAL_FILTER.matcher(filter);
            if (m.find()) {
                principal = m.group(1);
            }
        }
        List<ObjectNode> items = new ArrayList<>();
        for (ObjectNode a : state.roleAssignments.values()) {
            String s = ResourceIds.key(JsonDocuments.text(a, "properties", "scope"));
            boolean atOrAbove = lowerScope.equals(s) || s.equals("/") || lowerScope.startsWith(s + "/");
            boolean below = s.startsWith(lowerScope + "/");
            if (!(atOrAbove || (below && !atScopeOnly))) {
                continue;
            }
            if (principal != null && !principal.equalsIgnoreCase(JsonDocuments.text(a, "properties", "principalId"))) {
                continue;
            }
            items.add(a);
        }
        return ArmResponse.ok(JsonDocuments.list(items));
    }

    private ArmResponse listDefinitions(String scope, String filter) {
        String roleName = null;
        if (filter != null) {
            Matcher m = ROLE_NAME_FILTER.matcher(filter);
            if (m.find()) {
                roleName = m.group(1);
            }
        }
        List<ObjectNode> items = new ArrayList<>();
        for (Map.Entry<String, String> role : BUILT_IN_ROLES.entrySet()) {
            if (roleName == null || roleName.equalsIgnoreCase(role.getValue())) {
                items.add(definition(scope, role.getKey()));
            }
        }
        return ArmResponse.ok(JsonDocuments.list(items));
    }

    private static ObjectNode definition(String scope, String id) {
        ObjectNode definition = JsonDocuments.object();
        String subscription = ResourceIds.after(scope, "subscriptions");
        definition.put("id", (subscription == null ? "" : "/subscriptions/" + subscription)
                + "/providers/Microsoft.Authorization/roleDefinitions/" + id);
        definition.put("name", id);
        definition.put("type", "Microsoft.Authorization/roleDefinitions");
        ObjectNode props = definition.putObject("properties");
        props.put("roleName", BUILT_IN_ROLES.get(id));
        props.put("description", BUILT_IN_ROLES.get(id) + " (built-in role, simulated).");
        props.put("type", "BuiltInRole");
        ObjectNode permission = props.putArray("permissions").addObject();
        permission.putArray("actions");
        permission.putArray("notActions");
        var dataActions = permission.putArray("dataActions");
        if (id.equals(ArmState.CRYPTO_SERVICE_ENCRYPTION_USER_ROLE)) {
            dataActions.add("Microsoft.KeyVault/vaults/keys/read");
            dataActions.add("Microsoft.KeyVault/vaults/keys/wrap/action");
            dataActions.add("Microsoft.KeyVault/vaults/keys/unwrap/action");
        }
        permission.putArray("notDataActions");
        props.putArray("assignableScopes").add("/");
        return definition;
    }
}
