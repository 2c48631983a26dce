package io.cmkflow.deploy;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.arm.RoleDefinition;
import io.cmkflow.operator.RunControl;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * infra/'s least-privilege custom role is what cmkflow's identity holds in every CmkStack, and the simulator authorizes
 * each ARM call against it as ARM does (linked checks and polls included). Whole runs (every step, then their
 * compensation after an abort), for an access-policy vault and for an RBAC vault with a user-assigned identity, pass
 * under it; and it lists exactly the actions those runs were authorized with, so none is unused. It carries no data
 * actions: cmkflow reaches a vault's keys through the access it grants itself on a vault it creates.
 */
class CustomRoleTest {
    private static final Path ROLE = Path.of("infra/role.tf");
    private static final Path DOC = Path.of("docs/azure-authorization.md");

    @RegisterExtension
    // The target group only: the providers start unregistered, so the run registers them as in a fresh subscription.
    static CmkStack stack = CmkStack.builder().resourceGroup(TestRequests.SUBSCRIPTION, TestRequests.GROUP, TestRequests.LOCATION).build();

    @Test
    void theCustomRoleListsExactlyTheActionsOfAFullRunAndItsCompensation() throws IOException {
        stack.arm().state().userAssignedIdentity(TestRequests.SUBSCRIPTION, TestRequests.GROUP, "uai-role",
                "6f1c2d3e-0000-4000-8000-00000000a11c", "c11e0000-0000-4000-8000-00000000c11e");
        CmkRequest accessPolicies = TestRequests.request("role-ap");
        CmkRequest rbacWithIdentity = withIdentity(rbacVault(TestRequests.request("role-rbac")), "uai-role");
        // The managed-group check is the last step: parked there, everything before it ran, and abort undoes all of it.
        stack.arm().faults().inject(FaultRule.forOperation("Resources_ListByResourceGroup").status(403)
                .code("AuthorizationFailed").message("parks the run after its last step").always());
        for (CmkRequest request : List.of(accessPolicies, rbacWithIdentity)) {
            runToCompensation(request);
        }

        // Nothing was refused but the fault that parks the runs (a vault's 401 is Key Vault's challenge for a token).
        assertThat(stack.arm().journal().where(call -> call.status() == 403 || call.status() == 401 && !call.path().startsWith("/kv/")))
                .extracting(call -> call.operation() + " " + call.errorCode() + " " + call.path() + " " + call.actions())
                .allMatch(call -> call.startsWith("Resources_ListByResourceGroup "));
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
        assertThat(RoleDefinition.fromTerraform("role", role).actions()).as("actions in " + ROLE)
                .containsExactlyElementsOf(actions);
        assertThat(RoleDefinition.fromTerraform("role", role).dataActions()).as("data_actions in " + ROLE).isEmpty();
    }

    private static void runToCompensation(CmkRequest request) {
        String workflowId = WorkflowIds.forRequest(request);
        stack.starter().start(new CmkWorkflowInput(request));
        stack.awaitParked(workflowId, "verify_managed_resource_group");
        new RunControl(stack.client()).abort(workflowId, "undo everything");
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.run(workflowId).map(run -> run.getWorkflowExecutionInfo().getStatus()
                != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING).orElse(false));
    }

    private static CmkRequest rbacVault(CmkRequest request) {
        CmkRequest.KeyVault vault = request.keyVault();
        return TestRequests.copy(request).vault(new CmkRequest.KeyVault(vault.name(), null, vault.sku(),
                vault.softDeleteRetentionDays(), true)).build();
    }

    private static CmkRequest withIdentity(CmkRequest request, String identity) {
        CmkRequest.Workspace ws = request.workspace();
        String id = "/subscriptions/" + TestRequests.SUBSCRIPTION + "/resourceGroups/" + TestRequests.GROUP
                + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + identity;
        return TestRequests.copy(request).workspace(new CmkRequest.Workspace(ws.name(), ws.friendlyName(), ws.hbiWorkspace(),
                id, "c11e0000-0000-4000-8000-00000000c11e", ws.storageAccountId(), ws.applicationInsightsId())).build();
    }
}
