package io.cmkflow.deploy;

import io.cmkflow.contract.CmkRequest;
import io.temporal.client.WorkflowFailedException;
import java.util.stream.Stream;
import io.cmkflow.operator.RunControl;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * infra/role.tf has no action to spare: for each of its actions, the role without it makes a run (or its compensation)
 * fail where that action is needed, with ARM's refusal naming it. Each run works in a subscription of its own, so its
 * providers start unregistered and step 1 registers them; it parks at its last step (a fault), is aborted, and its
 * compensation undoes everything: every action of the role is on that path. Each action is taken away for two runs, an
 * access-policy vault and an RBAC vault with a user-assigned identity (on an RBAC vault, the Key Vault Crypto Officer
 * role cmkflow gives itself reads keys too), and a posture check of a workspace a create made (access-policy vault)
 * before any action was taken away; at least one of them must be refused it.
 */
class LeastPrivilegeMutationTest {
    private static final String IDENTITY = "/subscriptions/" + TestRequests.SUBSCRIPTION + "/resourceGroups/"
            + TestRequests.GROUP + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-mutation";
    private static final String IDENTITY_CLIENT = "c11e0000-0000-4000-8000-00000000c12e";
    private static final AtomicInteger RUNS = new AtomicInteger();

    @RegisterExtension
    static CmkStack stack = CmkStack.builder().resourceGroup(TestRequests.SUBSCRIPTION, TestRequests.GROUP, TestRequests.LOCATION).build();

    /** The workspace every action's posture check reads, created with the whole role. */
    private static CmkRequest checked;
    private static String checkedRunId;

    @BeforeAll
    static void seed() {
        stack.arm().state().userAssignedIdentity(TestRequests.SUBSCRIPTION, TestRequests.GROUP, "uai-mutation",
                "6f1c2d3e-0000-4000-8000-00000000a12c", IDENTITY_CLIENT);
        // An access-policy vault: on an RBAC vault cmkflow made, its Key Vault Crypto Officer role reads key versions too.
        checked = accessPolicyVault();
        checkedRunId = stack.starter().start(new CmkWorkflowInput(checked)).runId();
        await().atMost(Duration.ofSeconds(90)).until(() -> closed(WorkflowIds.forRequest(checked)));
        // The managed-group check is the last step: parked there, everything before it ran, and abort undoes all of it.
        stack.arm().faults().inject(FaultRule.forOperation("Resources_ListByResourceGroup").status(409)
                .code("Conflict").message("parks the run after its last step").always());
    }

    static List<String> actions() {
        return CmkStack.LEAST_PRIVILEGE.actions();
    }

    @ParameterizedTest
    @MethodSource("actions")
    void withoutThisActionARunFailsWhereItIsNeeded(String action) {
        List<CmkRequest> runs = List.of(accessPolicyVault(), rbacVaultWithIdentity());
        stack.arm().state().roleDefinition(CmkStack.LEAST_PRIVILEGE.without(action));
        try {
            for (CmkRequest request : runs) {
                driveToItsEnd(request, action);
            }
            try {
                stack.checkPosture(checked, checkedRunId);
            } catch (WorkflowFailedException refused) {
                // Refused or not, what ARM answered is in the journal.
            }
            assertThat(Stream.concat(runs.stream(), Stream.of(checked)).flatMap(request -> refusals(request, action).stream()))
                    .as(() -> "ARM refused " + action + " to a run that lacked it; their failed calls: " + Stream.concat(runs.stream(), Stream.of(checked))
                            .map(request -> stack.arm().journal().where(call -> call.status() >= 400
                                    && request.subscriptionId().equals(call.subscription())).stream()
                                    .map(call -> call.operation() + " " + call.status() + " " + call.errorCode()).toList())
                            .toList()).isNotEmpty();
        } finally {
            stack.arm().state().roleDefinition(CmkStack.LEAST_PRIVILEGE);
        }
    }

    /** Runs {@code request} until ARM refuses it {@code action}, or it parks (then it is aborted) and ends. */
    private static void driveToItsEnd(CmkRequest request, String action) {
        String workflowId = WorkflowIds.forRequest(request);
        stack.starter().start(new CmkWorkflowInput(request));
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(100)).until(() -> {
            if (!refusals(request, action).isEmpty()) {
                return true;
            }
            if (parkedOutsideCompensation(workflowId)) {
                new RunControl(stack.client()).abort(workflowId, "undo it: the compensation's actions are checked too");
            }
            return closed(workflowId);
        });
    }

    /** A new request in a subscription of its own (its providers unregistered) for an access-policy vault. */
    private static CmkRequest accessPolicyVault() {
        int n = RUNS.incrementAndGet();
        return TestRequests.copy(TestRequests.request("mut" + n))
                .subscriptionId(String.format("0a1b2c3d-0000-4000-8000-%012d", 900000 + n)).build();
    }

    /** As {@link #accessPolicyVault()}, for an RBAC vault and a user-assigned identity. */
    private static CmkRequest rbacVaultWithIdentity() {
        CmkRequest base = accessPolicyVault();
        CmkRequest.KeyVault vault = base.keyVault();
        CmkRequest.Workspace ws = base.workspace();
        return TestRequests.copy(base)
                .vault(new CmkRequest.KeyVault(vault.name(), null, vault.sku(), vault.softDeleteRetentionDays(), true))
                .workspace(new CmkRequest.Workspace(ws.name(), ws.friendlyName(), ws.hbiWorkspace(), IDENTITY,
                        IDENTITY_CLIENT, null, null)).build();
    }

    /** ARM's refusals of {@code action} to this request's calls (its subscription's, or its identity's linked check). */
    private static List<JournalEntry> refusals(CmkRequest request, String action) {
        return stack.arm().journal().where(call -> call.status() == 403
                && (request.subscriptionId().equals(call.subscription()) || call.path().equalsIgnoreCase(IDENTITY))
                && !call.actions().isEmpty() && call.actions().get(call.actions().size() - 1).equals(action));
    }

    private static boolean parkedOutsideCompensation(String workflowId) {
        return stack.run(workflowId).map(run -> CmkStatus.AwaitingOperator.name().equals(
                        run.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS))
                && !CmkSearchAttributes.STAGE_COMPENSATION.equals(run.getTypedSearchAttributes().get(CmkSearchAttributes.STAGE))
                && run.getRawDescription().getPendingActivitiesCount() == 0).orElse(false);
    }

    private static boolean closed(String workflowId) {
        return stack.run(workflowId).map(run -> run.getWorkflowExecutionInfo().getStatus()
                != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING).orElse(false);
    }
}
