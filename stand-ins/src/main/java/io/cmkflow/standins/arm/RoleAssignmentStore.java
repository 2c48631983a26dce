package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Role assignments by id: a principal holds a role at a scope. A principal holds one role at one scope once, and an
 * assignment never changes principal or role. Callers hold the ArmState lock.
 */
final class RoleAssignmentStore {
    /** A create's outcome: the assignment, and whether it is new (201) or was there already (200). */
    record Saved(ObjectNode assignment, boolean created) {
    }

    /** What the caller's assignments say about an action. */
    enum Verdict {
        PERMITTED,
        /** An assignment's role permits it, but the assignment's condition does not. */
        CONDITION_NOT_FULFILLED,
        NOT_PERMITTED
    }

    private final Map<String, ObjectNode> byId = new LinkedHashMap<>();
    private final ResourceStore resources;
    private final RoleDefinitionStore roles;
    /**
     * How long after its creation an assignment may take to apply (real Azure: up to minutes); each new assignment
     * draws its own time between half of it and all of it, as propagation varies in Azure.
     */
    private final Duration delay;
    /** When each assignment (by id key) starts to apply; one not listed (seeded, or loaded from a snapshot) applies. */
    /** Conditions parsed once (they are checked on every request their assignment's role permits). */
    private final Map<String, RoleCondition> conditions = new java.util.concurrent.ConcurrentHashMap<>();
    private final Map<String, Instant> appliesAt = new java.util.concurrent.ConcurrentHashMap<>();

    RoleAssignmentStore(ResourceStore resources, RoleDefinitionStore roles, Duration delay) {
        this.resources = resources;
        this.roles = roles;
        this.delay = delay;
    }

    static String id(String scope, String name) {
        return (scope.equals("/") ? "" : scope) + "/providers/Microsoft.Authorization/roleAssignments/" + name;
    }

    /** The assignment, or null. */
    ObjectNode get(String scope, String name) {
        return byId.get(ResourceIds.key(id(scope, name)));
    }

    /** The assignment whose id is {@code path}, or null. */
    ObjectNode byPath(String path) {
        return byId.get(ResourceIds.key(path));
    }

    /** The removed assignment, or null. */
    ObjectNode delete(String scope, String name) {
        appliesAt.remove(ResourceIds.key(id(scope, name)));
        return byId.remove(ResourceIds.key(id(scope, name)));
    }

    /** Assigns the role ({@code roleGuid} lower case) at a scope, which must exist when it is a resource. */
    Saved create(String scope, String name, String roleDefinitionId, String roleGuid, String principalId,
                 String principalType, String condition) {
        if (condition != null) {
            RoleCondition.parse(condition);
        }
        if (scope.contains("/providers/") && !resources.exists(scope)) {
            throw new ArmError(404, "ResourceNotFound", "The scope '" + scope + "' does not exist.");
        }
        String id = id(scope, name);
        ObjectNode existing = byId.get(ResourceIds.key(id));
        for (ObjectNode other : byId.values()) {
            boolean same = principalId.equalsIgnoreCase(principal(other)) && roleGuid.equalsIgnoreCase(role(other))
                    && scope.equalsIgnoreCase(JsonDocuments.text(other, "properties", "scope"));
            if (same && other != existing) {
                throw ArmError.conflict("RoleAssignmentExists", "The role assignment already exists. The ID of the "
                        + "existing role assignment is " + other.get("name").asText() + ".");
            }
        }
        if (existing != null) {
            if (!principalId.equalsIgnoreCase(principal(existing)) || !roleGuid.equalsIgnoreCase(role(existing))) {
                throw ArmError.conflict("RoleAssignmentUpdateNotPermitted", "Tenant ID, application ID, principal ID, "
                        + "and scope are not allowed to be updated.");
            }
            return new Saved(existing, false);
        }
        ObjectNode assignment = JsonDocuments.object();
        assignment.put("id", id);
        assignment.put("name", name);
        assignment.put("type", "Microsoft.Authorization/roleAssignments");
        ObjectNode props = assignment.putObject("properties");
        props.put("roleDefinitionId", roleDefinitionId);
        props.put("principalId", principalId);
        props.put("principalType", principalType);
        props.put("scope", scope);
        if (condition != null) {
            props.put("condition", condition);
            props.put("conditionVersion", "2.0");
        }
        props.put("createdOn", Instant.now().toString());
        props.put("updatedOn", Instant.now().toString());
        byId.put(ResourceIds.key(id), assignment);
        long halfMillis = delay.toMillis() / 2;
        appliesAt.put(ResourceIds.key(id), Instant.now().plusMillis(halfMillis
                + (halfMillis == 0 ? 0 : java.util.concurrent.ThreadLocalRandom.current().nextLong(delay.toMillis() - halfMillis + 1))));
        return new Saved(assignment, true);
    }

    /** Seeds an assignment that applies at once (no propagation delay), as one made long before the simulator started. */
    void seed(String scope, String name, String roleGuid, String principalId, String condition) {
        Saved saved = create(scope, name, "/providers/Microsoft.Authorization/roleDefinitions/" + roleGuid, roleGuid,
                principalId, "ServicePrincipal", condition);
        appliesAt.remove(ResourceIds.key(saved.assignment().get("id").asText()));
    }

    /**
     * Assignments that apply at {@code scope}: at it or above it, and below it unless {@code atScopeOnly};
     * {@code principalId} null = anyone's.
     */
    List<ObjectNode> applyingAt(String scope, boolean atScopeOnly, String principalId) {
        String lowerScope = ResourceIds.key(scope);
        return byId.values().stream().filter(a -> {
            String s = ResourceIds.key(JsonDocuments.text(a, "properties", "scope"));
            boolean atOrAbove = lowerScope.equals(s) || s.equals("/") || lowerScope.startsWith(s + "/");
            boolean below = s.startsWith(lowerScope + "/");
            return (atOrAbove || (below && !atScopeOnly))
                    && (principalId == null || principalId.equalsIgnoreCase(principal(a)));
        }).toList();
    }

    /**
     * Whether {@code principal} holds a role permitting the management-plane {@code action} at {@code scope} or above
     * it, by an assignment that already applies (see {@link ArmSimulatorOptions#roleAssignmentDelay()}).
     */
    boolean permits(String scope, String principal, String action) {
        return permits(scope, principal, action, Map.of(), Map.of()) == Verdict.PERMITTED;
    }

    /**
     * As {@link #permits(String, String, String)}, with the attributes an assignment's ABAC condition reads: those of
     * the request ({@code @Request}) and of the resource it acts on ({@code @Resource}), by lower-case name.
     */
    Verdict permits(String scope, String principal, String action, Map<String, String> request, Map<String, String> resource) {
        List<ObjectNode> granting = applying(scope, Set.of(principal.toLowerCase(Locale.ROOT)), role -> role.permits(action));
        if (granting.isEmpty()) {
            return Verdict.NOT_PERMITTED;
        }
        boolean fulfilled = granting.stream().anyMatch(a -> {
            String condition = JsonDocuments.text(a, "properties", "condition");
            return condition == null || conditions.computeIfAbsent(condition, RoleCondition::parse).allows(action, request, resource);
        });
        return fulfilled ? Verdict.PERMITTED : Verdict.CONDITION_NOT_FULFILLED;
    }

    /** As {@link #permits} for a data action (Key Vault's data plane on an RBAC vault), for any of {@code principals}. */
    boolean permitsData(String scope, Set<String> principals, String dataAction) {
        return permitting(scope, principals, role -> role.permitsData(dataAction));
    }

    private boolean permitting(String scope, Set<String> lowerPrincipals, Predicate<RoleDefinition> permitted) {
        return !applying(scope, lowerPrincipals, permitted).isEmpty();
    }

    /** The applied assignments of these principals at {@code scope} or above whose role satisfies {@code permitted}. */
    private List<ObjectNode> applying(String scope, Set<String> lowerPrincipals, Predicate<RoleDefinition> permitted) {
        String lowerScope = ResourceIds.key(scope);
        Instant now = Instant.now();
        return byId.entrySet().stream().filter(e -> !appliesAt.getOrDefault(e.getKey(), Instant.MIN).isAfter(now))
                .map(Map.Entry::getValue).filter(a -> {
            String at = ResourceIds.key(JsonDocuments.text(a, "properties", "scope"));
            String principal = principal(a);
            boolean covers = at.equals("/") || lowerScope.equals(at) || lowerScope.startsWith(at + "/");
            return covers && principal != null && lowerPrincipals.contains(principal.toLowerCase(Locale.ROOT))
                    && roles.find(role(a)).filter(permitted).isPresent();
        }).toList();
    }

    List<ArmState.RoleAssignmentView> views() {
        return byId.values().stream().map(r -> {
            JsonNode p = r.path("properties");
            return new ArmState.RoleAssignmentView(r.get("id").asText(), r.get("name").asText(),
                    JsonDocuments.text(p, "scope"), JsonDocuments.text(p, "roleDefinitionId"),
                    JsonDocuments.text(p, "principalId"), JsonDocuments.text(p, "principalType"));
        }).toList();
    }

    /** The assignments as stored, for a snapshot. */
    ArrayNode export() {
        ArrayNode all = JsonDocuments.array();
        byId.values().forEach(all::add);
        return all;
    }

    /** Adds the assignments of a snapshot {@link #export()} wrote. */
    void load(JsonNode exported) {
        exported.forEach(a -> byId.put(ResourceIds.key(a.get("id").asText()), (ObjectNode) a));
    }

    private static String principal(JsonNode assignment) {
        return JsonDocuments.text(assignment, "properties", "principalId");
    }

    private static String role(JsonNode assignment) {
        return ResourceIds.name(JsonDocuments.text(assignment, "properties", "roleDefinitionId"));
    }
}
