package io.cmkflow.standins.arm;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.UUID;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An Azure role definition: what it permits, as ARM evaluates it. An action is permitted when it matches one of
 * {@code actions} and none of {@code notActions} (likewise data actions); {@code *} in a pattern matches any run of
 * characters ({@code /*}{@code /} also none: Managed Identity Operator's {@code userAssignedIdentities/*}{@code /assign/action}
 * permits {@code userAssignedIdentities/assign/action}), and the comparison ignores case, as ARM's does.
 *
 * @param id   the role's GUID (lower case)
 * @param type {@code BuiltInRole} or {@code CustomRole}
 */
public record RoleDefinition(String id, String roleName, String type, List<String> actions, List<String> notActions,
                             List<String> dataActions, List<String> notDataActions) {

    public RoleDefinition {
        id = id.toLowerCase(Locale.ROOT);
        actions = List.copyOf(actions);
        notActions = List.copyOf(notActions);
        dataActions = List.copyOf(dataActions);
        notDataActions = List.copyOf(notDataActions);
    }

    /** The built-in Owner role: every action, no data action (what the simulated caller holds by default). */
    public static RoleDefinition owner() {
        return BuiltInRoles.ALL.get(BuiltInRoles.OWNER);
    }

    /** A custom role with {@code actions} and {@code dataActions} and no exclusions. */
    public static RoleDefinition custom(String id, String roleName, List<String> actions, List<String> dataActions) {
        return new RoleDefinition(id, roleName, "CustomRole", actions, List.of(), dataActions, List.of());
    }

    /**
     * The custom role an {@code azurerm_role_definition} declares in Terraform: its {@code permissions} block's
     * {@code actions}, {@code not_actions}, {@code data_actions} and {@code not_data_actions} lists, under an id derived
     * from {@code roleName} (a custom role's id is whatever its creator chose).
     */
    public static RoleDefinition fromTerraform(String roleName, String hcl) {
        return new RoleDefinition(UUID.nameUUIDFromBytes(roleName.getBytes(StandardCharsets.UTF_8)).toString(), roleName,
                "CustomRole", list(hcl, "actions"), list(hcl, "not_actions"), list(hcl, "data_actions"),
                list(hcl, "not_data_actions"));
    }

    /** Whether this role permits the management-plane {@code action}. */
    public boolean permits(String action) {
        return anyMatches(actions, action) && !anyMatches(notActions, action);
    }

    /** Whether this role permits the data-plane {@code dataAction}. */
    public boolean permitsData(String dataAction) {
        return anyMatches(dataActions, dataAction) && !anyMatches(notDataActions, dataAction);
    }

    /** This role without {@code action} among its actions (what a least-privilege test takes away). */
    public RoleDefinition without(String action) {
        return new RoleDefinition(id, roleName, type, actions.stream().filter(a -> !a.equalsIgnoreCase(action)).toList(),
                notActions, dataActions, notDataActions);
    }

    private static boolean anyMatches(List<String> patterns, String action) {
        return patterns.stream().anyMatch(pattern -> matches(pattern, action));
    }

    static boolean matches(String pattern, String action) {
        StringBuilder regex = new StringBuilder();
        String[] parts = pattern.toLowerCase(Locale.ROOT).split("/\\*/", -1);
        for (int i = 0; i < parts.length; i++) {
            if (i > 0) {
                regex.append("/(?:.*/)?");
            }
            String[] literals = parts[i].split("\\*", -1);
            for (int j = 0; j < literals.length; j++) {
                if (j > 0) {
                    regex.append(".*");
                }
                regex.append(Pattern.quote(literals[j]));
            }
        }
        return action.toLowerCase(Locale.ROOT).matches(regex.toString());
    }

    private static List<String> list(String hcl, String name) {
        Matcher list = Pattern.compile("(?m)^\\s*" + name + "\\s*=\\s*\\[(.*?)\\]", Pattern.DOTALL).matcher(hcl);
        if (!list.find()) {
            return List.of();
        }
        return Pattern.compile("\"([^\"]+)\"").matcher(list.group(1)).results().map(m -> m.group(1)).toList();
    }
}
