package io.cmkflow.deploy;

import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.arm.RoleDefinition;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * infra/role.tf's least-privilege custom roles (together) are what cmkflow's identity holds in every CmkStack, and the
 * simulator authorizes each ARM call against them as ARM does (linked checks and polls included). Whole runs (every
 * step, then their compensation after an abort), for an access-policy vault and for an RBAC vault with a user-assigned
 * identity, pass under them; and they list exactly the actions those runs were authorized with, each in one of the two
 * roles, so none is unused. They carry no data actions: cmkflow reaches a vault's keys through the access it grants
 * itself on a vault it creates.
 */
class CustomRoleTest {
    private static final Path ROLE = Path.of("infra/role.tf");
    private static final Path DOC = Path.of("docs/azure-authorization.md");

    @RegisterExtension
    // The target group only: the providers start unregistered, so the run registers them as in a fresh subscription.
    static CmkStack stack = CmkStack.builder().resourceGroup(TestRequests.SUBSCRIPTION, TestRequests.GROUP, TestRequests.LOCATION).build();

    @Test
    void theCustomRoleListsExactlyTheActionsOfAFullRunAndItsCompensation() throws IOException {
        RoleRuns.prepare(stack);
        RoleRuns.runBoth(stack, "role");

        // Nothing was refused: the fault that parks the runs answers after authorization.
        assertThat(RoleRuns.refusals(stack)).isEmpty();
        // Microsoft Graph is not authorized by Azure roles: its read is the separate Application.Read.All permission.
        assertThat(stack.arm().journal().where(call -> call.path().startsWith("/v1.0/")))
                .extracting(JournalEntry::operation).containsOnly("Graph_ListServicePrincipals");
        Set<String> actions = stack.arm().journal().where(call -> !call.path().startsWith("/kv/")).stream()
                .flatMap(call -> call.actions().stream()).collect(Collectors.toCollection(TreeSet::new));
        assertThat(stack.arm().journal().where(call -> call.path().startsWith("/kv/")))
                .as("the vaults' data plane was used (through cmkflow's own access)").isNotEmpty();

        Map<String, Set<String>> byOperation = new TreeMap<>();
        stack.arm().journal().where(call -> !call.path().startsWith("/kv/") && !call.actions().isEmpty()).forEach(call ->
                byOperation.computeIfAbsent(call.operation(), op -> new TreeSet<>()).addAll(call.actions()));
        String table = "| operation | action(s) it is authorized with |\n|---|---|\n" + byOperation.entrySet().stream()
                .map(e -> "| `" + e.getKey() + "` | " + e.getValue().stream().map(action -> "`" + action + "`")
                        .collect(Collectors.joining(", ")) + " |\n").collect(Collectors.joining());
        String doc = Files.readString(DOC);
        String generated = doc.replaceFirst("(?s)(<!-- arm-actions:start[^>]*-->\n).*?(<!-- arm-actions:end -->)",
                "$1" + java.util.regex.Matcher.quoteReplacement(table) + "$2");
        if (Boolean.getBoolean("cmkflow.docs.write")) {
            Files.writeString(DOC, generated);
        }
        assertThat(doc).as(DOC + "'s operation table; regenerate: mvn -B -q test -Dtest=CustomRoleTest -Dcmkflow.docs.write=true")
                .isEqualTo(generated);

        String role = Files.readString(ROLE);
        RoleDefinition subscription = RoleDefinition.fromTerraform("s", role, "cmkflow_subscription");
        RoleDefinition groups = RoleDefinition.fromTerraform("g", role, "cmkflow_groups");
        assertThat(RoleDefinition.fromTerraform("role", role).actions()).as("the actions of the roles in " + ROLE)
                .containsExactlyInAnyOrderElementsOf(actions);
        assertThat(subscription.actions()).as("no action in both roles").doesNotContainAnyElementsOf(groups.actions());
        assertThat(subscription.actions()).isSorted();
        assertThat(groups.actions()).isSorted();
        assertThat(RoleDefinition.fromTerraform("role", role).dataActions()).as("data_actions in " + ROLE).isEmpty();
    }
}
