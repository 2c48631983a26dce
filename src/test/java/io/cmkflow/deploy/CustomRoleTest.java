package io.cmkflow.deploy;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * infra/'s least-privilege custom role lists exactly the Azure actions cmkflow performs: what the ARM simulator journaled
 * over whole runs (every step, then their compensation after an abort), for an access-policy vault and for an RBAC vault
 * with a user-assigned identity, mapped to RBAC actions by {@link AzureRbacActions}.
 */
class CustomRoleTest {
    private static final Path ROLE = Path.of("infra/role.tf");

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

        // Microsoft Graph is not authorized by Azure roles: its read is the separate Application.Read.All permission.
        assertThat(stack.arm().journal().where(call -> call.path().startsWith("/v1.0/")))
                .extracting(JournalEntry::operation).containsOnly("Graph_ListServicePrincipals");
        List<JournalEntry> calls = stack.arm().journal().where(call -> call.handled() && !call.path().startsWith("/v1.0/")
                && !"ResourceGroups_AutoCreate".equals(call.operation()));
        Set<String> actions = calls.stream().filter(call -> !AzureRbacActions.dataPlane(call))
                .map(AzureRbacActions::action).collect(Collectors.toCollection(TreeSet::new));
        Set<String> dataActions = calls.stream().filter(AzureRbacActions::dataPlane)
                .map(AzureRbacActions::dataAction).collect(Collectors.toCollection(TreeSet::new));

        String role = Files.readString(ROLE);
        assertThat(list(role, "actions")).as("actions in " + ROLE).containsExactlyElementsOf(actions);
        assertThat(list(role, "data_actions")).as("data_actions in " + ROLE).containsExactlyElementsOf(dataActions);
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

    /** The strings of the HCL list {@code name = [ ... ]}, in order. */
    private static List<String> list(String hcl, String name) {
        Matcher list = Pattern.compile("(?m)^\\s*" + name + "\\s*=\\s*\\[(.*?)\\]", Pattern.DOTALL).matcher(hcl);
        assertThat(list.find()).as(name + " = [...] in " + ROLE).isTrue();
        return Pattern.compile("\"([^\"]+)\"").matcher(list.group(1)).results().map(m -> m.group(1)).toList();
    }
}
