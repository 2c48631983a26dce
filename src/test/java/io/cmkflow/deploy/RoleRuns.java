package io.cmkflow.deploy;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Operation;
import io.cmkflow.operator.RunControl;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.contract.PostureReport;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;

import java.time.Duration;
import java.util.List;

import static org.awaitility.Awaitility.await;

/**
 * The whole runs the role tests authorize: an access-policy vault, and an RBAC vault with a user-assigned identity,
 * each parked at its last step (a fault on the managed-group check) and then aborted, so every step and every undo
 * reaches ARM; then, for the RBAC vault with the identity, a create to its end, a key rotation of its workspace and a
 * posture check of it (as its schedule would start it).
 */
final class RoleRuns {
    static final String IDENTITY_NAME = "uai-role";
    static final String IDENTITY_CLIENT = "c11e0000-0000-4000-8000-00000000c11e";

    private RoleRuns() {
    }

    /** The identity the RBAC run names, and the fault that parks runs after their last step. */
    static void prepare(CmkStack stack) {
        stack.arm().state().userAssignedIdentity(TestRequests.SUBSCRIPTION, TestRequests.GROUP, IDENTITY_NAME,
                "6f1c2d3e-0000-4000-8000-00000000a11c", IDENTITY_CLIENT);
        stack.arm().faults().inject(FaultRule.forOperation("Resources_ListByResourceGroup").status(409)
                .code("Conflict").message("parks the run after its last step").always());
    }

    /** Both runs, named after {@code prefix}, to the end of their compensation. */
    static List<CmkRequest> runBoth(CmkStack stack, String prefix) {
        List<CmkRequest> requests = List.of(TestRequests.request(prefix + "-ap"),
                withIdentity(rbacVault(TestRequests.request(prefix + "-rbac"))));
        for (CmkRequest request : requests) {
            String workflowId = WorkflowIds.forRequest(request);
            stack.starter().start(new CmkWorkflowInput(request));
            stack.awaitParked(workflowId, "verify_managed_resource_group");
            new RunControl(stack.client()).abort(workflowId, "undo everything");
            awaitEnd(stack, workflowId);
        }
        // The managed-group fault parks creates only: cleared, a create ends and its workspace's key can be rotated.
        stack.arm().faults().clear();
        CmkRequest create = withIdentity(rbacVault(TestRequests.request(prefix + "-rot")));
        String workflowId = WorkflowIds.forRequest(create);
        String createRunId = null;
        for (CmkRequest run : List.of(create, TestRequests.copy(create).requestId(create.requestId() + "-rotate")
                .operation(Operation.ROTATE_KEY).build())) {
            CmkWorkflowStarter.StartResult start = stack.starter().start(new CmkWorkflowInput(run));
            if (start.outcome() != CmkWorkflowStarter.Outcome.STARTED
                    || awaitEnd(stack, workflowId) != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
                throw new IllegalStateException(run.requestId() + " did not run to success: " + refusals(stack));
            }
            createRunId = createRunId == null ? start.runId() : createRunId;
        }
        PostureReport posture = stack.checkPosture(create, createRunId);
        if (posture.posture() != PostureReport.Posture.Healthy) {
            throw new IllegalStateException("the posture of " + create.workspace().name() + " is not Healthy: " + posture);
        }
        return requests;
    }

    private static WorkflowExecutionStatus awaitEnd(CmkStack stack, String workflowId) {
        return await().atMost(Duration.ofSeconds(60)).until(() -> stack.run(workflowId).map(run -> run.getWorkflowExecutionInfo()
                .getStatus()).orElse(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING),
                status -> status != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    /** What ARM refused (a vault's 401 is Key Vault's challenge for a token, not a refusal). */
    static List<String> refusals(CmkStack stack) {
        return stack.arm().journal().where(call -> call.status() == 403 || call.status() == 401 && !call.path().startsWith("/kv/"))
                .stream().map(RoleRuns::describe).toList();
    }

    static String describe(JournalEntry call) {
        return call.operation() + " " + call.status() + " " + call.errorCode() + " " + call.path() + " " + call.actions();
    }

    private static CmkRequest rbacVault(CmkRequest request) {
        CmkRequest.KeyVault vault = request.keyVault();
        return TestRequests.copy(request).vault(new CmkRequest.KeyVault(vault.name(), null, vault.sku(),
                vault.softDeleteRetentionDays(), true)).build();
    }

    private static CmkRequest withIdentity(CmkRequest request) {
        CmkRequest.Workspace ws = request.workspace();
        String id = "/subscriptions/" + TestRequests.SUBSCRIPTION + "/resourceGroups/" + TestRequests.GROUP
                + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + IDENTITY_NAME;
        return TestRequests.copy(request).workspace(new CmkRequest.Workspace(ws.name(), ws.friendlyName(), ws.hbiWorkspace(),
                id, IDENTITY_CLIENT, ws.storageAccountId(), ws.applicationInsightsId())).build();
    }
}
