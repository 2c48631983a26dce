package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Microsoft.Authorization role assignments at any scope (PUT/GET/DELETE, list with {@code $filter}) and the built-in
 * role definitions cmkflow looks up (by id, or by {@code roleName eq '...'}).
 */
final class RoleRoutes implements Route.Family {
    private static final Pattern GUID = Pattern.compile(
            "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$");
    private static final Pattern ROLE_NAME_FILTER = Pattern.compile("roleName\\s+eq\\s+'([^']*)'",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern PRINCIPAL_FILTER = Pattern.compile(
            "(?:principalId\\s+eq\\s+|assignedTo\\()'([^']*)'", Pattern.CASE_INSENSITIVE);

    private final RoleAssignmentStore assignments;
    private final RoleDefinitionStore roles;

    RoleRoutes(RoleAssignmentStore assignments, RoleDefinitionStore roles) {
        this.assignments = assignments;
        this.roles = roles;
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
                        ObjectNode removed = assignments.delete(scope, name);
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
                return new Route(at == 0 ? "RoleDefinitions_GetById" : "RoleDefinitions_Get", () ->
                        ArmResponse.ok(BuiltInRoles.document(scope, roles.find(id).orElseThrow(() -> new ArmError(404,
                                "RoleDefinitionDoesNotExist", "The specified role definition with ID '" + r.segment(at + 3)
                                + "' does not exist.")))));
            }
        }
        return null;
    }

    private ObjectNode assignment(String scope, String name) {
        ObjectNode assignment = assignments.get(scope, name);
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
        if (roles.find(roleGuid).isEmpty()) {
            throw ArmError.badRequest("RoleDefinitionDoesNotExist", "The specified role definition with ID '"
                    + roleGuid + "' does not exist.");
        }
        RoleAssignmentStore.Saved saved = assignments.create(scope, name, roleDefinitionId, roleGuid, principalId,
                body.path("properties").path("principalType").asText("ServicePrincipal"),
                JsonDocuments.text(body, "properties", "condition"));
        return saved.created() ? ArmResponse.status(201, saved.assignment()) : ArmResponse.ok(saved.assignment());
    }

    private ArmResponse listAssignments(String scope, String filter) {
        boolean atScopeOnly = filter != null && filter.toLowerCase(Locale.ROOT).contains("atscope()");
        return ArmResponse.ok(JsonDocuments.list(assignments.applyingAt(scope, atScopeOnly,
                filterValue(PRINCIPAL_FILTER, filter))));
    }

    private ArmResponse listDefinitions(String scope, String filter) {
        String roleName = filterValue(ROLE_NAME_FILTER, filter);
        List<ObjectNode> items = roles.all().stream()
                .filter(role -> roleName == null || roleName.equalsIgnoreCase(role.roleName()))
                .map(role -> BuiltInRoles.document(scope, role)).toList();
        return ArmResponse.ok(JsonDocuments.list(items));
    }

    /** The quoted value {@code pattern} finds in an OData {@code $filter}, or null. */
    private static String filterValue(Pattern pattern, String filter) {
        if (filter == null) {
            return null;
        }
        Matcher m = pattern.matcher(filter);
        return m.find() ? m.group(1) : null;
    }
}
