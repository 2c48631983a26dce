package io.cmkflow.standins.arm;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
     * The custom roles a Terraform file's {@code azurerm_role_definition} resources declare, as one role: the union of
     * their {@code permissions} blocks' {@code actions}, {@code not_actions}, {@code data_actions} and
     * {@code not_data_actions} lists, under an id derived from {@code roleName} (a custom role's id is whatever its
     * creator chose). What a principal holding all of them may do.
     */
    public static RoleDefinition fromTerraform(String roleName, String hcl) {
        return fromBlocks(roleName, roleBlocks(hcl).values().stream().toList());
    }

    /** The one role the {@code azurerm_role_definition} named {@code resource} declares (see {@link #fromTerraform(String, String)}). */
    public static RoleDefinition fromTerraform(String roleName, String hcl, String resource) {
        String block = roleBlocks(hcl).get(resource);
        if (block == null) {
            throw new IllegalArgumentException("no azurerm_role_definition \"" + resource + "\" in the Terraform given");
        }
        return fromBlocks(roleName, List.of(block));
    }

    private static RoleDefinition fromBlocks(String roleName, List<String> blocks) {
        return new RoleDefinition(UUID.nameUUIDFromBytes(roleName.getBytes(StandardCharsets.UTF_8)).toString(), roleName,
                "CustomRole", lists(blocks, "actions"), lists(blocks, "not_actions"), lists(blocks, "data_actions"),
                lists(blocks, "not_data_actions"));
    }

    /** Each {@code azurerm_role_definition} resource's body, by resource name, in file order. */
    private static Map<String, String> roleBlocks(String hcl) {
        Map<String, String> blocks = new LinkedHashMap<>();
        Matcher start = Pattern.compile("resource\\s+\"azurerm_role_definition\"\\s+\"([^\"]+)\"\\s*\\{").matcher(hcl);
        while (start.find()) {
            int depth = 1;
            int i = start.end();
            while (i < hcl.length() && depth > 0) {
                char c = hcl.charAt(i++);
                depth += c == '{' ? 1 : c == '}' ? -1 : 0;
            }
            blocks.put(start.group(1), hcl.substring(start.end(), i));
        }
        return blocks;
    }

    private static List<String> lists(List<String> blocks, String name) {
        return blocks.stream().flatMap(block -> list(block, name).stream()).distinct().toList();
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
