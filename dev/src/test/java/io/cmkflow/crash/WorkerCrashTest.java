package io.cmkflow.crash;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkspaceWorkflow;
import io.temporal.client.WorkflowFailedException;
import io.cmkflow.testing.CmkStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The worker dies for real: it runs in a child JVM against the Temporal dev server and is SIGKILLed while a step's
 * activity has its ARM call in flight (held there by injected latency), or while an undo runs; a new worker JVM
 * takes the run over once Temporal times the dead attempt out ({@link CrashWorkers#ACTIVITY_TIMEOUT_CAP}). The ARM
 * simulator lives in the test JVM, so its journal spans both workers: each resource is created once, nothing is
 * orphaned, nothing is deleted in a managed group.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class WorkerCrashTest {
    private static final String GROUP = CrashChecks.GROUP;
    /** Long enough to kill the worker while the call is held; the held call then lands in ARM after the worker died. */
    private static final Duration HOLD = Duration.ofSeconds(3);

    private static final CrashWorkers workers = new CrashWorkers();
    @RegisterExtension
    static final CmkStack stack = workers.stack();

    @Test
    void killedDuringStep2KeyVaultCreateTheNewWorkerAdoptsTheVault() throws Exception {
        CmkRequest request = CrashChecks.request("s2", 2);
        CmkRunState state = killDuring(request, "Vaults_CreateOrUpdate", "CreateKeyVault");
        CrashChecks.assertSucceededCleanly(stack, request, state);
    }

    @Test
    void killedDuringStep4KeyAccessGrantTheRunFinishes() throws Exception {
        CmkRequest request = CrashChecks.request("s4", 4);
        CmkRunState state = killDuring(request, "Vaults_UpdateAccessPolicy", "GrantCosmosDbKeyAccess");
        CrashChecks.assertSucceededCleanly(stack, request, state);
    }

    @Test
    void killedDuringStep5WorkspaceCreateTheNewWorkerFollowsTheSameWorkspace() throws Exception {
        CmkRequest request = CrashChecks.request("s5", 5);
        CmkRunState state = killDuring(request, "Workspaces_CreateOrUpdate", "CreateWorkspace");
        CrashChecks.assertSucceededCleanly(stack, request, state);
    }

    @Test
    void killedDuringTheKeyVaultUndoCompensationFinishes() throws Exception {
        CmkRequest request = CrashChecks.request("undo", 7);
        // Step 5 is refused for good: the run parks, an operator aborts, compensation runs its undos.
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        start(request);
        String workflowId = CrashWorkers.workflowId(request);
        CmkWorkspaceWorkflow run = stack.client().newWorkflowStub(CmkWorkspaceWorkflow.class, workflowId);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> run.state().status() == CmkStatus.AwaitingOperator);
        stack.arm().latency().forOperation("Vaults_Delete", HOLD);
        run.abort("crash test: undo what was made");

        workers.awaitInFlight(workflowId, "Vaults_Delete", "DeleteKeyVault");
        replaceWorker();

        assertThatThrownBy(() -> stack.client().newUntypedWorkflowStub(workflowId).getResult(90, TimeUnit.SECONDS, CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class);
        CmkRunState state = run.state();
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
        ArmState azure = stack.arm().state();
        assertThat(azure.vault(request.subscriptionId(), GROUP, request.keyVault().name())).isEmpty();
        assertThat(azure.deletedVault(request.keyVault().name())).isPresent();
        assertThat(CrashChecks.successful(CrashChecks.journal(stack, "Vaults_Delete", request.keyVault().name())))
                .as("the vault deleted once (the retry finds it gone)").hasSize(1);
        assertThat(CrashChecks.successful(CrashChecks.journal(stack, "Vaults_CreateOrUpdate", request.keyVault().name()))).hasSize(1);
        assertThat(azure.workspaces()).noneMatch(w -> w.name().equals(request.workspace().name()));
        CrashChecks.assertNothingTouchedInManagedGroups(stack);
    }

    private static CmkRunState killDuring(CmkRequest request, String operation, String activityType) throws Exception {
        String workflowId = workers.startHeld(request, operation, activityType, HOLD);
        replaceWorker();
        return stack.client().newUntypedWorkflowStub(workflowId).getResult(90, TimeUnit.SECONDS, CmkRunState.class);
    }

    /** SIGKILL while the call is held, lets the held call land (as ARM would finish it), starts a new worker JVM. */
    private static void replaceWorker() {
        workers.worker().kill();
        stack.arm().latency().clear();
        workers.startWorker();
    }

    private static void start(CmkRequest request) {
        assertThat(stack.starter().start(new CmkWorkflowInput(request).withActivityTimeoutCap(CrashWorkers.ACTIVITY_TIMEOUT_CAP))
                .outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
    }

}
