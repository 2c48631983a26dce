package io.cmkflow.deploy;

import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.authorization.models.PrincipalType;
import com.azure.resourcemanager.authorization.models.RoleAssignmentCreateParameters;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyVaultRoles;
import io.cmkflow.standins.arm.RoleDefinition;
import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.WorkflowIds;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * infra/role.tf's assignments as Terraform makes them when the deployment lists resource groups: the subscription role
 * at the subscription, the resource-groups role at the request's group only, with the assignment's ABAC condition.
 * Whole runs and their compensation pass under them; a request in another group is refused by ARM; and the condition
 * lets cmkflow's identity assign the two Key Vault roles it grants, to service principals, and nothing else.
 */
class ScopedRolesTest {
    private static final String ROLE_FILE = "infra/role.tf";
    private static final String GROUP_SCOPE = "/subscriptions/" + TestRequests.SUBSCRIPTION + "/resourceGroups/" + TestRequests.GROUP;
    private static final String OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635";

    @RegisterExtension
    static CmkStack stack = CmkStack.builder()
            .callerRole(RoleDefinition.custom(UUID.randomUUID().toString(), "nothing at the root", List.of(), List.of()))
            .resourceGroup(TestRequests.SUBSCRIPTION, TestRequests.GROUP, TestRequests.LOCATION).build();

    @BeforeAll
    static void assignAsTerraformDoes() throws IOException {
        String terraform = Files.readString(Path.of(ROLE_FILE));
        RoleDefinition subscription = RoleDefinition.fromTerraform("cmkflow subscription", terraform, "cmkflow_subscription");
        RoleDefinition groups = RoleDefinition.fromTerraform("cmkflow groups", terraform, "cmkflow_groups");
        stack.arm().state().roleDefinition(subscription).roleDefinition(groups)
                .roleAssignment("/subscriptions/" + TestRequests.SUBSCRIPTION, subscription.id(), SimulatedDirectory.CALLER_OBJECT_ID)
                .roleAssignment(GROUP_SCOPE, groups.id(), SimulatedDirectory.CALLER_OBJECT_ID, condition(terraform));
        RoleRuns.prepare(stack);
    }

    @Test
    void wholeRunsAndTheirCompensationPassWithTheGroupsRoleAtTheRequestsGroup() {
        stack.arm().journal().clear();
        RoleRuns.runBoth(stack, "scoped");

        assertThat(RoleRuns.refusals(stack)).isEmpty();
        assertThat(stack.arm().journal().where(call -> call.operation().equals("RoleAssignments_Create")))
                .as("the condition let the Key Vault grants through").isNotEmpty();
    }

    @Test
    void aRequestInAnotherGroupIsRefusedByArm() {
        stack.arm().journal().clear();
        CmkRequest elsewhere = TestRequests.copy(TestRequests.request("scoped-elsewhere")).resourceGroup("rg-not-listed").build();
        stack.starter().start(new CmkWorkflowInput(elsewhere));

        stack.awaitParked(WorkflowIds.forRequest(elsewhere), "create_key_vault");
        assertThat(RoleRuns.refusals(stack)).anySatisfy(refusal -> assertThat(refusal)
                .contains("AuthorizationFailed", "/resourceGroups/rg-not-listed/", "Microsoft.KeyVault/vaults/read"));
    }

    @Test
    void theConditionLetsOnlyTheKeyVaultRolesBeAssignedToServicePrincipals() {
        var assignments = stack.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleAssignments().manager()
                .roleServiceClient().getRoleAssignments();
        String principal = UUID.randomUUID().toString();

        var allowed = assignments.create(GROUP_SCOPE, UUID.randomUUID().toString(), new RoleAssignmentCreateParameters()
                .withRoleDefinitionId("/providers/Microsoft.Authorization/roleDefinitions/" + KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER)
                .withPrincipalId(principal).withPrincipalType(PrincipalType.SERVICE_PRINCIPAL));
        assertThatThrownBy(() -> assignments.create(GROUP_SCOPE, UUID.randomUUID().toString(), new RoleAssignmentCreateParameters()
                .withRoleDefinitionId("/providers/Microsoft.Authorization/roleDefinitions/" + OWNER)
                .withPrincipalId(SimulatedDirectory.CALLER_OBJECT_ID).withPrincipalType(PrincipalType.SERVICE_PRINCIPAL)))
                .isInstanceOfSatisfying(ManagementException.class, refused -> {
                    assertThat(refused.getValue().getCode()).isEqualTo("AuthorizationFailed");
                    assertThat(refused.getValue().getMessage()).contains("has an authorization with ABAC condition that is"
                            + " not fulfilled to perform action 'Microsoft.Authorization/roleAssignments/write'");
                });
        assertThatThrownBy(() -> assignments.create(GROUP_SCOPE, UUID.randomUUID().toString(), new RoleAssignmentCreateParameters()
                .withRoleDefinitionId("/providers/Microsoft.Authorization/roleDefinitions/" + KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER)
                .withPrincipalId(principal).withPrincipalType(PrincipalType.USER)))
                .as("a user, not a service principal").isInstanceOf(ManagementException.class);

        assertThat(allowed.principalId()).isEqualTo(principal);
        assignments.deleteById(allowed.id());
    }

    /** The ABAC condition on the resource-groups role's assignment (its heredoc). */
    private static String condition(String terraform) {
        Matcher heredoc = Pattern.compile("condition\\s*=\\s*<<-EOT\\n(.*?)\\n\\s*EOT", Pattern.DOTALL).matcher(terraform);
        assertThat(heredoc.find()).as("the condition in " + ROLE_FILE).isTrue();
        return heredoc.group(1).trim();
    }
}
