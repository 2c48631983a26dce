package io.cmkflow.crash;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.local.arm.ArmState;
import io.cmkflow.local.arm.FaultRule;
import io.cmkflow.local.arm.JournalEntry;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkspaceWorkflow;
import io.temporal.client.WorkflowFailedException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The worker dies for real: it runs in a child JVM against the Temporal dev server and is SIGKILLed while a step's
 * activity has its ARM call in flight (held there by injected latency), or while an undo runs; a new worker JVM
 * takes the run over once Temporal times the dead attempt out ({@link CrashStack#ACTIVITY_TIMEOUT_CAP}). The ARM
 * simulator lives in the test JVM, so its journal spans both workers: each resource is created once, nothing is
 * orphaned, nothing is deleted in a managed group.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class WorkerCrashTest {
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String GROUP = "rg-crash";
    /** Long enough to kill the worker while the call is held; the held call then lands in ARM after the worker died. */
    private static final Duration HOLD = Duration.ofSeconds(3);

    private static CrashStack stack;
    private static ChildJvm worker;

    @BeforeAll
    static void startStack() {
        stack = CrashStack.start("worker-crash");
        worker = stack.startWorker();
    }

    @AfterAll
    static void stopStack() {
        try {
            if (worker != null) {
                worker.close();
            }
        } finally {
            if (stack != null) {
                stack.close();
            }
        }
    }

    @AfterEach
    void clearInjections() {
        stack.arm.faults().clear();
        stack.arm.latency().clear();
    }

    @Test
    void killedDuringStep2KeyVaultCreateTheNewWorkerAdoptsTheVault() throws Exception {
        CmkRequest request = request("s2", 2);
        CmkRunState state = killDuring(request, "Vaults_CreateOrUpdate", "EnsureKeyVault");
        assertSucceededCleanly(request, state);
    }

    @Test
    void killedDuringStep4KeyAccessGrantTheRunFinishes() throws Exception {
        CmkRequest request = request("s4", 4);
        CmkRunState state = killDuring(request, "Vaults_UpdateAccessPolicy", "GrantCosmosAccess");
        assertSucceededCleanly(request, state);
    }

    @Test
    void killedDuringStep5WorkspaceCreateTheNewWorkerFollowsTheSameWorkspace() throws Exception {
        CmkRequest request = request("s5", 5);
        CmkRunState state = killDuring(request, "Workspaces_CreateOrUpdate", "EnsureWorkspace");
        assertSucceededCleanly(request, state);
    }

    @Test
    void killedDuringTheKeyVaultUndoCompensationFinishes() throws Exception {
        CmkRequest request = request("undo", 7);
        // Step 5 is refused for good: the run parks, an operator aborts, compensation runs its undos.
        stack.arm.faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        start(request);
        String workflowId = CrashStack.workflowId(request);
        CmkWorkspaceWorkflow run = stack.client.newWorkflowStub(CmkWorkspaceWorkflow.class, workflowId);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                .until(() -> run.state().status() == CmkStatus.AwaitingOperator);
        stack.arm.latency().forOperation("Vaults_Delete", HOLD);
        run.abort("crash test: undo what was made");

        awaitInFlight(workflowId, "Vaults_Delete", "DeleteKeyVault");
        replaceWorker();

        assertThatThrownBy(() -> stack.client.newUntypedWorkflowStub(workflowId).getResult(90, TimeUnit.SECONDS, CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class);
        CmkRunState state = run.state();
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
        ArmState azure = stack.arm.state();
        assertThat(azure.vault(request.subscriptionId(), GROUP, request.keyVault().name())).isEmpty();
        assertThat(azure.deletedVault(request.keyVault().name())).isPresent();
        assertThat(successful(stack.journal("Vaults_Delete", request.keyVault().name())))
                .as("the vault deleted once (the retry finds it gone)").hasSize(1);
        assertThat(successful(stack.journal("Vaults_CreateOrUpdate", request.keyVault().name()))).hasSize(1);
        assertThat(azure.workspaces()).noneMatch(w -> w.name().equals(request.workspace().name()));
        assertNothingTouchedInManagedGroups();
    }

    private static CmkRunState killDuring(CmkRequest request, String operation, String activityType) throws Exception {
        stack.arm.latency().forOperation(operation, HOLD);
        start(request);
        String workflowId = CrashStack.workflowId(request);
        awaitInFlight(workflowId, operation, activityType);
        replaceWorker();
        return stack.client.newUntypedWorkflowStub(workflowId).getResult(90, TimeUnit.SECONDS, CmkRunState.class);
    }

    /** Waits until the run's pending activity is {@code activityType} and its {@code operation} call is held in ARM. */
    private static void awaitInFlight(String workflowId, String operation, String activityType) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() ->
                stack.arm.operationsInFlight().contains(operation)
                        && stack.pendingActivities(workflowId).stream().anyMatch(activityType::equalsIgnoreCase));
    }

    /** SIGKILL while the call is held, lets the held call land (as ARM would finish it), starts a new worker JVM. */
    private static void replaceWorker() {
        worker.kill();
        stack.arm.latency().clear();
        worker = stack.startWorker();
    }

    private static void start(CmkRequest request) {
        assertThat(stack.starter.start(new CmkWorkflowInput(request).withActivityTimeoutCap(CrashStack.ACTIVITY_TIMEOUT_CAP))
                .outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
    }

    private static void assertSucceededCleanly(CmkRequest request, CmkRunState state) {
        assertThat(state.status()).isEqualTo(CmkStatus.Succeeded);
        ArmState azure = stack.arm.state();
        String vault = request.keyVault().name();
        assertThat(azure.vaults()).filteredOn(v -> v.name().equals(vault)).as("one vault").hasSize(1);
        assertThat(successful(stack.journal("Vaults_CreateOrUpdate", vault))).as("the vault created once").hasSize(1);
        String vaultId = azure.vault(request.subscriptionId(), GROUP, vault).orElseThrow().id();
        assertThat(azure.key(vaultId, request.key().name())).hasValueSatisfying(key ->
                assertThat(key.versionCount()).as("no second key version").isEqualTo(1));
        assertThat(azure.workspaces()).filteredOn(w -> w.name().equals(request.workspace().name())).as("one workspace")
                .singleElement().satisfies(w -> assertThat(w.provisioningState()).isEqualTo("Succeeded"));
        assertThat(azure.softDeletedWorkspaces()).noneMatch(w -> w.name().equals(request.workspace().name()));
        List<ArmState.ResourceView> resources = azure.resourcesIn(request.subscriptionId(), GROUP);
        assertThat(resources.stream().map(r -> r.type().toLowerCase(Locale.ROOT)).toList())
                .as("nothing orphaned: one resource of each type in the group: " + resources).doesNotHaveDuplicates();
        assertNothingTouchedInManagedGroups();
    }

    private static void assertNothingTouchedInManagedGroups() {
        ArmState azure = stack.arm.state();
        assertThat(azure.refusedDeletes()).isEmpty();
        List<String> managed = azure.managedResourceGroups().stream().map(g -> g.name().toLowerCase(Locale.ROOT)).toList();
        assertThat(stack.arm.journal().entries()).filteredOn(e -> e.method().equals("DELETE"))
                .noneMatch(e -> managed.stream().anyMatch(g -> e.path().toLowerCase(Locale.ROOT).contains("/resourcegroups/" + g)));
    }

    private static List<JournalEntry> successful(List<JournalEntry> entries) {
        return entries.stream().filter(e -> e.status() >= 200 && e.status() < 300).toList();
    }

    private static CmkRequest request(String name, int n) {
        String subscription = String.format("00000000-0000-4000-8000-0000000c7a%02d", n);
        return new CmkRequest("req-crash-" + name, subscription, TENANT, CmkRequest.AZURE_CLOUD, GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-crash-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-crash-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"), Map.of());
    }
}
