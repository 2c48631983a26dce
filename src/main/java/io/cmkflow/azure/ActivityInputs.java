package io.cmkflow.azure;

import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.activity.Activity;
import io.temporal.activity.ActivityInfo;

import java.util.Locale;

/**
 * What an activity is handed besides its request is trusted no more than a message: anyone who can put tasks on the
 * task queue can hand it anything. Each id must be the one the request names or derives (the vault step 2 derives
 * from {@code keyVault}, the key in it, the workspace), so it is inside the scope the request was checked against;
 * the ownership must be the activity's own run's. A mismatch is a non-retryable failure that touches nothing.
 */
final class ActivityInputs {

    private ActivityInputs() {
    }

    /** The run this activity belongs to, for the request's own target. */
    static void requireOwnRun(CmkRequest request, Ownership owner) {
        ActivityInfo info = Activity.getExecutionContext().getInfo();
        boolean own = owner != null && WorkflowIds.forRequest(request).equals(owner.workflowId())
                && owner.workflowId().equals(info.getWorkflowId()) && owner.runId().equals(info.getRunId());
        require(own, "ownership names " + (owner == null ? "no run" : "run " + owner.runId() + " of " + owner.workflowId())
                + ", not this activity's run " + info.getRunId() + " of " + info.getWorkflowId() + " for the request's target");
    }

    static void requireVault(CmkRequest request, VaultOutcome vault) {
        ArmResourceId expected = request.keyVaultId();
        require(vault != null && same(vault.vaultId(), expected.id()) && same(vault.name(), expected.name())
                        && same(vault.resourceGroup(), expected.resourceGroup()),
                "vault " + (vault == null ? null : vault.vaultId()) + " is not the request's " + expected.id());
    }

    static void requireKey(CmkRequest request, VaultOutcome vault, KeyOutcome key) {
        requireVault(request, vault);
        String expected = vault.vaultId() + "/keys/" + request.key().name();
        require(key != null && same(key.keyId(), expected) && same(key.name(), request.key().name())
                        && KeyUrls.within(key.keyUrl(), vault.vaultUri()) && KeyUrls.within(key.keyUrlWithVersion(), key.keyUrl()),
                "key " + (key == null ? null : key.keyId() + " (" + key.keyUrlWithVersion() + ")") + " is not the request's "
                        + expected + " in " + vault.vaultUri());
    }

    static void requireKeyAccess(CmkRequest request, KeyAccessOutcome access) {
        String expected = request.keyVaultId().id();
        require(access != null && same(access.vaultId(), expected),
                "key access on " + (access == null ? null : access.vaultId()) + " is not on the request's vault " + expected);
    }

    static void requireWorkspace(CmkRequest request, WorkspaceOutcome workspace) {
        String expected = ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), "Microsoft.MachineLearningServices",
                "workspaces", request.workspace().name());
        require(workspace != null && same(workspace.workspaceId(), expected),
                "workspace " + (workspace == null ? null : workspace.workspaceId()) + " is not the request's " + expected);
    }

    /** A workspace key read for the request's own workspace, in the request's vault. */
    static void requireWorkspaceKey(CmkRequest request, WorkspaceKeyOutcome workspaceKey) {
        String expected = WorkspaceStep.workspaceId(request);
        require(workspaceKey != null && same(workspaceKey.workspaceId(), expected)
                        && same(workspaceKey.keyVaultId(), request.keyVaultId().id()),
                "workspace key of " + (workspaceKey == null ? null : workspaceKey.workspaceId() + " in " + workspaceKey.keyVaultId())
                        + " is not the request's " + expected + " in " + request.keyVaultId().id());
    }

    /** The request's key in the request's vault, a version of it. */
    static void requireKeyOfVault(CmkRequest request, KeyOutcome key) {
        String expected = request.keyVaultId().id() + "/keys/" + request.key().name();
        require(key != null && same(key.keyId(), expected) && same(key.name(), request.key().name())
                        && KeyUrls.within(key.keyUrlWithVersion(), key.keyUrl()),
                "key " + (key == null ? null : key.keyId() + " (" + key.keyUrlWithVersion() + ")") + " is not the request's " + expected);
    }

    private static boolean same(String a, String b) {
        return a != null && b != null && a.toLowerCase(Locale.ROOT).equals(b.toLowerCase(Locale.ROOT));
    }

    private static void require(boolean condition, String mismatch) {
        if (!condition) {
            throw new AzureStepException(AzureFailure.nonRetryable("ActivityInputMismatch", mismatch));
        }
    }
}
