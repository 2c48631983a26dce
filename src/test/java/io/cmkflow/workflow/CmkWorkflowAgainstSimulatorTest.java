package io.cmkflow.workflow;

import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.TestPostureScheduling;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.contract.Ownership;
import com.azure.resourcemanager.keyvault.models.VaultPatchParameters;
import io.cmkflow.azure.AzureClients;
import io.cmkflow.azure.WorkspaceStep;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.arm.VaultSeed;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState.Phase;
import io.cmkflow.workflow.CmkRunState.Result;
import io.cmkflow.workflow.CmkRunState.UndoResult;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowNotFoundException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;


import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The workflow through the real Azure activities against the ARM simulator, on the Temporal test server (time
 * skipping): faults are injected per step as ARM answers, and every scenario is judged by what the simulator saw
 * (its journal) and what it holds afterwards. One simulator, one set of SDK clients and one Temporal test server
 * serve the whole class; every test works on resources (and a workflow id) named after its own run number, and the
 * journal, faults and latency are reset per test.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CmkWorkflowAgainstSimulatorTest {

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String COSMOS_DB = SimulatedDirectory.cosmosDbObjectId(TENANT);
    private static final String SUBSCRIPTION = "0a1b2c3d-0000-4000-8000-000000000042";
    private static final String GROUP = "rg-cmk-sim";
    private static final String LOCATION = "westeurope";
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static SimulatedAzureWorker azure;
    private static ArmSimulator sim;
    private static AzureClients clients;
    private static WorkflowClient client;
    private static CmkWorkflowStarter starter;
    private static RecordingStatusPublisher statusSink;
    private String name;
    private CmkRequest request;
    private String workflowId;

    @BeforeAll
    static void startSimulatorAndTemporal() {
        azure = SimulatedAzureWorker.start(SUBSCRIPTION, GROUP, LOCATION, TestPostureScheduling.OFF);
        sim = azure.sim();
        clients = azure.clients();
        client = azure.client();
        starter = azure.starter();
        statusSink = azure.statusSink();
    }

    @AfterAll
    static void stopSimulatorAndTemporal() {
        azure.close();
    }

    @BeforeEach
    void nameThisRun() {
        name = "r" + RUNS.incrementAndGet();
        request = request(name, null);
        workflowId = WorkflowIds.forTarget(SUBSCRIPTION, GROUP, request.workspace().name());
        sim.journal().clear();
    }

    @AfterEach
    void managedGroupsStayUntouched() {
        try {
            assertThat(sim.state().refusedDeletes()).isEmpty();
            List<String> managedGroups = sim.state().managedResourceGroups().stream()
                    .map(g -> g.id().toLowerCase()).toList();
            assertThat(sim.journal().where(e -> "DELETE".equals(e.method())))
                    .noneMatch(e -> e.path().toLowerCase().contains("/resourcegroups/azureml-rg-")
                            || managedGroups.stream().anyMatch(g -> e.path().toLowerCase().startsWith(g)));
            assertThat(sim.journal().unhandled()).isEmpty();
        } finally {
            sim.faults().clear();
            sim.latency().clear();
        }
    }

    @Test
    void happyPathProvisionsAnEncryptedWorkspaceAndDeletesNothing() {
        starter.start(new CmkWorkflowInput(request));
        CmkRunState result = stub().getResult(CmkRunState.class);

        assertThat(result.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(result.steps()).extracting(CmkRunState.StepState::phase).containsOnly(Phase.DONE);
        assertThat(result.steps()).extracting(CmkRunState.StepState::attempts).containsOnly(1);
        assertThat(result.steps().subList(1, 6)).extracting(CmkRunState.StepState::result)
                .containsExactly(Result.CREATED, Result.CREATED, Result.CREATED, Result.CREATED, Result.VERIFIED);
        assertThat(result.resourcesCreated()).containsExactly(vaultId(), vaultId() + "/keys/" + keyName(),
                vaultId() + "#accessPolicy/" + COSMOS_DB, workspaceId(),
                storageId(), insightsId(), logsId());

        ArmState azure = sim.state();
        ArmState.VaultView vault = azure.vault(SUBSCRIPTION, GROUP, vaultName()).orElseThrow();
        assertThat(vault.purgeProtectionEnabled()).isTrue();
        assertThat(vault.tags()).containsEntry("cmkflow-request-id", request.requestId())
                .containsEntry("cmkflow-workflow-id", workflowId);
        assertThat(vault.accessPolicies()).anySatisfy(p -> {
            assertThat(p.objectId()).isEqualTo(COSMOS_DB);
            assertThat(p.keys()).contains("get", "wrapKey", "unwrapKey");
        });
        ArmState.KeyView key = azure.key(vault.id(), keyName()).orElseThrow();
        assertThat(key.keySize()).isEqualTo(3072);
        assertThat(key.deleted()).isFalse();
        ArmState.WorkspaceView workspace = azure.workspace(SUBSCRIPTION, GROUP, workspaceName()).orElseThrow();
        assertThat(workspace.provisioningState()).isEqualTo("Succeeded");
        assertThat(workspace.keyVaultArmId()).isEqualToIgnoringCase(vault.id());
        assertThat(result.outcomes().key().keyUrlWithVersion()).startsWith(workspace.keyIdentifier());
        assertThat(azure.resourceGroup(SUBSCRIPTION, workspace.managedResourceGroup())).isPresent();
        assertThat(result.outcomes().managedGroup().resourceGroupName()).isEqualTo(workspace.managedResourceGroup());
        assertThat(azure.resource(storageId())).isPresent();
        assertThat(azure.resource(insightsId())).isPresent();
        assertThat(azure.resource(insightsId()).orElseThrow().document().path("properties").path("WorkspaceResourceId").asText())
                .as("workspace-based: its data goes to the run's own Log Analytics workspace").isEqualToIgnoringCase(logsId());
        assertThat(azure.resourceGroups()).as("no resource group Azure would make for a classic component")
                .noneMatch(group -> group.name().startsWith("DefaultResourceGroup-"));

        assertThat(undoCalls()).isEmpty();
        assertThat(sim.journal().where(e -> e.status() >= 400 && !isLookupMiss(e) && !isKeyVaultChallenge(e))).isEmpty();
        assertEnd(CmkStatus.Succeeded, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
        assertThat(statusTypes()).endsWith(StatusEvent.Type.succeeded).doesNotContain(StatusEvent.Type.awaiting_operator);
        assertThat(statusEvents().get(statusEvents().size() - 1).resources())
                .containsEntry("workspaceId", workspaceId())
                .containsEntry("keyUrl", result.outcomes().key().keyUrlWithVersion())
                .containsEntry("keyVaultId", vault.id());
    }

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
    void retryableBurstIsRetriedByTemporalUntilTheStepSucceeds(CmkStep step) {
        String operation = faultedOperation(step);
        // 429 is left to Temporal (next attempt after Retry-After); three 503s outlast the SDK's two quick retries.
        sim.faults().inject(FaultRule.forOperation(operation).status(429).code("TooManyRequests")
                .message("slow down").retryAfterSeconds(30).times(1));
        sim.faults().inject(FaultRule.forOperation(operation).status(503).code("ServiceUnavailable")
                .message("try again").times(3));

        starter.start(new CmkWorkflowInput(request));
        CmkRunState result = stub().getResult(CmkRunState.class);

        assertThat(result.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(sim.faults().pending()).isZero();
        List<JournalEntry> calls = sim.journal().byOperation(operation);
        assertThat(calls).extracting(JournalEntry::status).startsWith(429, 503, 503, 503);
        assertThat(calls.get(4).status()).isLessThan(300);
        assertThat(result.steps().get(step.ordinal()).attempts()).as("no operator round").isEqualTo(1);
        ActivityRun run = lastActivityRun(step);
        assertThat(run.attempt()).as("Temporal attempts of step %s", step).isEqualTo(3);
        assertThat(run.scheduledToStart()).as("the 429's Retry-After paced Temporal's retry (skipped time)")
                .isGreaterThanOrEqualTo(Duration.ofSeconds(30)).isLessThan(Duration.ofMinutes(5));
        assertThat(statusTypes()).doesNotContain(StatusEvent.Type.awaiting_operator).endsWith(StatusEvent.Type.succeeded);
        assertThat(undoCalls()).isEmpty();
        assertThat(sim.state().workspace(SUBSCRIPTION, GROUP, workspaceName())).isPresent();
    }

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
    void nonRetryableErrorParksAndRetryUpdateFinishesTheRun(CmkStep step) {
        String operation = faultedOperation(step);
        sim.faults().inject(FaultRule.forOperation(operation).status(403).code("AuthorizationFailed")
                .message("The client does not have authorization to perform " + operation).times(1));
        starter.start(new CmkWorkflowInput(request));

        CmkRunState parked = awaitParked(step);
        assertThat(parked.lastError()).contains("NON_RETRYABLE", "AuthorizationFailed");
        assertThat(parked.steps().get(step.ordinal()).phase()).isEqualTo(Phase.FAILED);
        assertThat(lastActivityRun(step).attempt()).as("a non-retryable error is not retried by Temporal").isEqualTo(1);
        assertThat(sim.journal().byOperation(operation)).extracting(JournalEntry::status).containsExactly(403);

        assertThat(typedStub().retry("role assignment granted")).contains("retrying step " + step.number());
        CmkRunState result = stub().getResult(CmkRunState.class);

        assertThat(result.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(result.steps().get(step.ordinal()).attempts()).isEqualTo(2);
        assertThat(sim.journal().byOperation(operation)).extracting(JournalEntry::status).first().isEqualTo(403);
        assertThat(sim.journal().byOperation(operation)).extracting(JournalEntry::status).last()
                .matches(s -> s < 300, "a success");
        assertThat(undoCalls()).isEmpty();
        assertThat(sim.state().workspace(SUBSCRIPTION, GROUP, workspaceName())).isPresent();
        assertThat(statusTypes()).containsSubsequence(StatusEvent.Type.awaiting_operator, StatusEvent.Type.succeeded);
        assertEnd(CmkStatus.Succeeded, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
    }

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
    void abortWhileParkedUndoesExactlyWhatEarlierStepsCreatedInReverseOrder(CmkStep step) {
        String operation = faultedOperation(step);
        sim.faults().inject(FaultRule.forOperation(operation).status(409).code("QuotaExceeded")
                .message("Quota exceeded for " + operation).always());
        starter.start(new CmkWorkflowInput(request));
        awaitParked(step);

        typedStub().abort("quota will not be raised");

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class).cause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> assertThat(((ApplicationFailure) f).getType()).isEqualTo("ABORTED"));
        assertCompensated(step, false);
        assertEnd(CmkStatus.Compensated, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
        assertThat(statusTypes()).endsWith(StatusEvent.Type.awaiting_operator, StatusEvent.Type.compensated);
    }

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
    void unansweredParkTimesOutIntoCompensation(CmkStep step) {
        String operation = faultedOperation(step);
        sim.faults().inject(FaultRule.forOperation(operation).status(403).code("RequestDisallowedByPolicy")
                .message("Resource was disallowed by policy.").always());
        starter.start(new CmkWorkflowInput(request, null, Duration.ofHours(6)));

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class).cause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> assertThat(((ApplicationFailure) f).getType()).isEqualTo("PARK_TIMEOUT"));
        CmkRunState state = queryState();
        assertThat(Duration.between(Instant.parse(state.parkedAt()), Instant.parse(state.finishedAt())))
                .isGreaterThanOrEqualTo(Duration.ofHours(6)).isLessThan(Duration.ofHours(7));
        assertCompensated(step, false);
        assertEnd(CmkStatus.Compensated, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    }

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
    void cancelWhileAStepsCallIsInFlightUndoesWhatThatCallCreated(CmkStep step) {
        String operation = faultedOperation(step);
        sim.latency().forOperation(operation, Duration.ofSeconds(1));
        starter.start(new CmkWorkflowInput(request));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> sim.operationsInFlight().contains(operation));

        stub().cancel();
        // Only the call already on its way is slow; what the step does after it is not.
        sim.latency().clear();

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class).cause().isInstanceOf(CanceledFailure.class);
        assertThat(sim.operationsInFlight()).as("nothing of the run still on its way to Azure").isEmpty();
        assertThat(sim.journal().byOperation(operation)).extracting(JournalEntry::status)
                .first().matches(s -> s < 300, "the in-flight call succeeded");
        CmkRunState state = queryState();
        assertThat(state.lastError()).contains("cancelled during step " + step.number());
        assertCompensated(step, true);
        assertEnd(CmkStatus.Cancelled, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        assertThat(statusTypes()).endsWith(StatusEvent.Type.cancelled).doesNotContain(StatusEvent.Type.succeeded);
    }

    @Test
    void cancelWhileParkedUndoesEverythingTheRunCreated() {
        sim.faults().inject(FaultRule.forOperation(faultedOperation(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP)).status(403)
                .code("AuthorizationFailed").message("no read on the managed group").always());
        starter.start(new CmkWorkflowInput(request));
        awaitParked(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP);

        stub().cancel();

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class).cause().isInstanceOf(CanceledFailure.class);
        assertCompensated(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, false);
        assertEnd(CmkStatus.Cancelled, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        assertThat(statusTypes()).endsWith(StatusEvent.Type.awaiting_operator, StatusEvent.Type.cancelled);
    }

    @Test
    void aResendAfterTemporalLostTheTargetsHistoryDeletesNothingTheEarlierRunMade() {
        starter.start(new CmkWorkflowInput(request));
        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        ArmState.VaultView vault = sim.state().vault(SUBSCRIPTION, GROUP, vaultName()).orElseThrow();
        // Temporal lost the target's history (retention, a new namespace): a resend of the same request, with another
        // key, starts as if no run had been there. Same request id, so the same tags on the earlier run's resources;
        // no earlier run ids, since Temporal has no record of them. (Started directly: with the history, the starter
        // would call it a duplicate.)
        CmkRequest resent = TestRequests.copy(request).key(new CmkRequest.Key("cmk-other-" + name, 3072, "RSA")).build();
        sim.journal().clear();
        WorkflowClient.start(client.newWorkflowStub(CmkWorkspaceWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId).setTaskQueue(CmkWorkflowWorker.TASK_QUEUE).build())::provision,
                new CmkWorkflowInput(resent));

        CmkRunState parked = awaitParked(CmkStep.CREATE_KEY_VAULT);
        assertThat(parked.lastError()).contains("KeyVaultNameTaken", "keyVault.existingId");
        typedStub().abort("the resend was a mistake");
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        assertThat(sim.journal().where(e -> "DELETE".equals(e.method()))).isEmpty();
        assertThat(sim.journal().writes()).isEmpty();
        assertThat(sim.state().vault(SUBSCRIPTION, GROUP, vaultName())).hasValueSatisfying(v -> assertThat(v.id()).isEqualTo(vault.id()));
        assertThat(sim.state().key(vault.id(), keyName()).orElseThrow().deleted()).isFalse();
        assertThat(sim.state().workspace(SUBSCRIPTION, GROUP, workspaceName())).isPresent();
        assertThat(sim.state().resource(storageId())).isPresent();
        assertThat(sim.state().resource(insightsId())).isPresent();
    }

    @Test
    void anAbortedRunLeavesTheVaultKeyAccessAnotherRunsSucceededWorkspaceUsesInPlace() {
        // Run A creates the vault and parks at its workspace; run B, for another workspace, is given A's vault by
        // keyVault.existingId and succeeds with its own key in it; then A is aborted.
        sim.faults().inject(FaultRule.forOperation(faultedOperation(CmkStep.CREATE_WORKSPACE)).resourceName(workspaceName())
                .status(409).code("QuotaExceeded").message("no quota for A").always());
        starter.start(new CmkWorkflowInput(request));
        awaitParked(CmkStep.CREATE_WORKSPACE);
        String sharedVault = vaultId();
        CmkRequest runB = request("b" + name, sharedVault);
        String workflowB = WorkflowIds.forRequest(runB);
        starter.start(new CmkWorkflowInput(runB));
        assertThat(client.newUntypedWorkflowStub(workflowB).getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        sim.journal().clear();

        typedStub().abort("A is not wanted any more");
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        // A's own key (no workspace uses it) is deleted; the vault and Cosmos DB's access, which B's workspace needs, stay.
        ArmState.VaultView vault = sim.state().vault(SUBSCRIPTION, GROUP, vaultName()).orElseThrow();
        assertThat(vault.accessPolicies()).anySatisfy(p -> assertThat(p.objectId()).isEqualTo(COSMOS_DB));
        assertThat(sim.state().key(vault.id(), keyName()).orElseThrow().deleted()).isTrue();
        assertThat(sim.state().key(vault.id(), runB.key().name()).orElseThrow().deleted()).isFalse();
        assertThat(sim.journal().where(e -> "DELETE".equals(e.method()) && e.path().equalsIgnoreCase(sharedVault))).isEmpty();
        assertThat(sim.journal().byOperation("Vaults_UpdateAccessPolicy")).isEmpty();
        CmkRunState compensated = queryState();
        assertThat(compensated.compensation()).anySatisfy(undo -> assertThat(undo.toString()).contains("IN_USE", runB.workspace().name()));
        assertThat(sim.state().workspace(SUBSCRIPTION, GROUP, runB.workspace().name())).isPresent();
    }

    @Test
    void aTagWrittenWhileTheRunIsParkedDoesNotMakeTheVaultItFoundExistingItsOwn() {
        ArmState.VaultView theirs = sim.state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, vaultName()).location(LOCATION)
                .tenantId(TENANT).purgeProtection(true).tags(Map.of("owner", "platform-team")));
        starter.start(new CmkWorkflowInput(request));
        assertThat(awaitParked(CmkStep.CREATE_KEY_VAULT).lastError()).contains("KeyVaultNameTaken");
        // Anyone with Tag Contributor can read the run id (status events, the Temporal UI) and write it on the vault.
        String runId = stub().describe().getExecution().getRunId();
        clients.forRequest(request).vaults().manager().serviceClient().getVaults().update(GROUP, vaultName(),
                new VaultPatchParameters().withTags(Map.of("owner", "platform-team", Ownership.TAG_RUN_ID, runId)));

        typedStub().retry("the other team renamed their vault");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() ->
                queryState().steps().get(CmkStep.CREATE_KEY_VAULT.ordinal()).attempts() == 2
                        && queryState().status() == CmkStatus.AwaitingOperator);
        assertThat(queryState().lastError()).as("the run's record says the vault was there first").contains("KeyVaultNameTaken");
        typedStub().abort("not ours to use");
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        assertThat(sim.state().vault(SUBSCRIPTION, GROUP, vaultName())).hasValueSatisfying(v -> assertThat(v.id()).isEqualTo(theirs.id()));
        assertThat(sim.journal().where(e -> "DELETE".equals(e.method()))).isEmpty();
        assertThat(sim.journal().where(e -> "PUT".equals(e.method()) && e.path().toLowerCase().contains(vaultName().toLowerCase())))
                .as("the retry did not re-put their vault").isEmpty();
        assertThat(queryState().compensation()).anySatisfy(undo -> assertThat(undo.toString())
                .contains("deleteKeyVault", "NOT_OURS", "existed before this run first looked"));
    }

    @Test
    void anAbortedRunLeavesWhatARunStillInFlightOnItsVaultDependsOnInPlace() {
        // Run A creates the vault and parks at its workspace; run B is given A's vault by keyVault.existingId and parks
        // at its own workspace: B has no workspace yet, but its key sits in A's vault and relies on Cosmos DB's access.
        sim.faults().inject(FaultRule.forOperation(faultedOperation(CmkStep.CREATE_WORKSPACE)).resourceName(workspaceName())
                .status(409).code("QuotaExceeded").message("no quota for A").always());
        starter.start(new CmkWorkflowInput(request));
        awaitParked(CmkStep.CREATE_WORKSPACE);
        CmkRequest runB = request("b" + name, vaultId());
        String workflowB = WorkflowIds.forRequest(runB);
        sim.faults().inject(FaultRule.forOperation(faultedOperation(CmkStep.CREATE_WORKSPACE)).resourceName(runB.workspace().name())
                .status(409).code("QuotaExceeded").message("no quota for B").always());
        starter.start(new CmkWorkflowInput(runB));
        awaitOtherRunParked(workflowB);
        sim.journal().clear();

        typedStub().abort("A is not wanted any more");
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        ArmState.VaultView vault = sim.state().vault(SUBSCRIPTION, GROUP, vaultName()).orElseThrow();
        assertThat(vault.accessPolicies()).anySatisfy(p -> assertThat(p.objectId()).isEqualTo(COSMOS_DB));
        assertThat(sim.state().key(vault.id(), keyName()).orElseThrow().deleted()).isFalse();
        assertThat(sim.state().key(vault.id(), runB.key().name()).orElseThrow().deleted()).isFalse();
        assertThat(sim.journal().where(e -> "DELETE".equals(e.method()) && e.path().toLowerCase().contains("/vaults/"))).isEmpty();
        assertThat(sim.journal().byOperation("Vaults_UpdateAccessPolicy")).isEmpty();
        assertThat(queryState().compensation()).filteredOn(undo -> !undo.action().equals("deleteWorkspace"))
                .hasSize(3).allSatisfy(undo -> assertThat(undo.toString()).contains("IN_USE", workflowB));

        // B, aborted in turn with A closed, undoes its own key and leaves the vault it was given.
        client.newWorkflowStub(CmkWorkspaceWorkflow.class, workflowB).abort("B is not wanted either");
        assertThatThrownBy(() -> client.newUntypedWorkflowStub(workflowB).getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class);
        assertThat(sim.state().key(vault.id(), runB.key().name()).orElseThrow().deleted()).isTrue();
        assertThat(sim.state().vault(SUBSCRIPTION, GROUP, vaultName())).isPresent();
    }

    @Test
    void aRunNamingAnotherRunsNewVaultByNameIsRefusedAndItsAbortTouchesNothingOfThatRun() {
        // Run A creates the vault and parks at its workspace; run B, for another workspace, asks for a new vault of
        // the same name: it is refused at step 2 (no silent adoption) and its abort writes nothing; A then finishes.
        sim.faults().inject(FaultRule.forOperation(faultedOperation(CmkStep.CREATE_WORKSPACE)).resourceName(workspaceName())
                .status(409).code("QuotaExceeded").message("no quota for A yet").times(1));
        starter.start(new CmkWorkflowInput(request));
        awaitParked(CmkStep.CREATE_WORKSPACE);
        CmkRequest runB = TestRequests.copy(request("b" + name, null))
                .vault(new CmkRequest.KeyVault(vaultName(), null, "premium", 30, null)).build();
        String workflowB = WorkflowIds.forRequest(runB);
        starter.start(new CmkWorkflowInput(runB));
        assertThat(awaitOtherRunParked(workflowB).lastError()).contains("KeyVaultNameTaken", "keyVault.name");
        sim.journal().clear();

        client.newWorkflowStub(CmkWorkspaceWorkflow.class, workflowB).abort("B named the wrong vault");
        assertThatThrownBy(() -> client.newUntypedWorkflowStub(workflowB).getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class);
        assertThat(sim.journal().writes()).isEmpty();

        typedStub().retry("quota raised");
        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        ArmState.VaultView vault = sim.state().vault(SUBSCRIPTION, GROUP, vaultName()).orElseThrow();
        assertThat(vault.tags()).containsEntry(Ownership.TAG_REQUEST_ID, request.requestId());
        assertThat(sim.state().key(vault.id(), keyName()).orElseThrow().deleted()).isFalse();
        assertThat(sim.state().workspace(SUBSCRIPTION, GROUP, workspaceName())).isPresent();
    }

    @Test
    void preExistingVaultKeyAndAccessPolicyAreUntouchedByCompensation() {
        ArmState.VaultView seeded = sim.state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-shared-" + name)
                .location(LOCATION).tenantId(TENANT).purgeProtection(true)
                .tags(Map.of("owner", "platform-team"))
                .accessPolicy(COSMOS_DB, List.of("get", "wrapKey", "unwrapKey")));
        ArmState.KeyView seededKey = sim.state().key(seeded.id(), keyName(), 3072, Map.of("owner", "platform-team"));
        request = request(name, seeded.id());
        sim.faults().inject(FaultRule.forOperation(faultedOperation(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP)).status(403)
                .code("AuthorizationFailed").message("no read on the managed group").always());
        starter.start(new CmkWorkflowInput(request));
        awaitParked(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP);

        typedStub().abort("give up");
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        CmkRunState state = queryState();
        assertThat(state.steps().get(CmkStep.CREATE_KEY_VAULT.ordinal()).result()).isEqualTo(Result.ADOPTED);
        assertThat(state.steps().get(CmkStep.CREATE_KEY.ordinal()).result()).isEqualTo(Result.ADOPTED);
        assertThat(state.steps().get(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS.ordinal()).result()).isEqualTo(Result.SKIPPED);
        assertThat(state.resourcesCreated()).containsExactly(workspaceId(), storageId(), insightsId(), logsId());
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("removeCosmosDbKeyAccess", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.SKIPPED));
        assertThat(undoCalls()).containsExactly("Workspaces_Delete", "StorageAccounts_Delete", "Components_Delete",
                "LogAnalyticsWorkspaces_Delete");
        assertThat(sim.state().vault(SUBSCRIPTION, GROUP, seeded.name())).hasValue(seeded);
        assertThat(sim.state().key(seeded.id(), keyName())).hasValue(seededKey);
        assertThat(sim.journal().writes()).noneMatch(e -> e.path().toLowerCase().contains(seeded.name().toLowerCase()));
        assertThat(sim.state().workspace(SUBSCRIPTION, GROUP, workspaceName())).isEmpty();
        assertEnd(CmkStatus.Compensated, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
    }

    @Test
    void retryAndAbortAreRejectedWhileTheRunIsNotParked() {
        sim.latency().forOperation(faultedOperation(CmkStep.CREATE_WORKSPACE), Duration.ofSeconds(1));
        starter.start(new CmkWorkflowInput(request));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(10))
                .until(() -> sim.operationsInFlight().contains(faultedOperation(CmkStep.CREATE_WORKSPACE)));

        assertThatThrownBy(() -> typedStub().retry("too early")).isInstanceOf(WorkflowUpdateException.class)
                .rootCause().hasMessageContaining("retry: accepted only while the run is AwaitingOperator; it is Running");
        assertThatThrownBy(() -> typedStub().abort("too early")).isInstanceOf(WorkflowUpdateException.class)
                .rootCause().hasMessageContaining("abort: accepted only while the run is AwaitingOperator");

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(undoCalls()).isEmpty();
        // A closed run takes no updates at all.
        assertThatThrownBy(() -> typedStub().retry("after the end")).isInstanceOf(WorkflowNotFoundException.class);
        assertThat(sim.state().workspace(SUBSCRIPTION, GROUP, workspaceName())).isPresent();
    }

    // --- expectations -------------------------------------------------------------------------------------------

    /** The ARM operation a fault or delay for a step is put on: one the step calls before any later step could. */
    private static String faultedOperation(CmkStep step) {
        return switch (step) {
            case REGISTER_RESOURCE_PROVIDERS -> "Providers_List";
            case CREATE_KEY_VAULT -> "Vaults_CreateOrUpdate";
            case CREATE_KEY -> "Keys_CreateIfNotExist";
            case GRANT_COSMOS_DB_KEY_ACCESS -> "Vaults_UpdateAccessPolicy";
            case CREATE_WORKSPACE -> "Workspaces_CreateOrUpdate";
            case VERIFY_MANAGED_RESOURCE_GROUP -> "Resources_ListByResourceGroup";
            case READ_WORKSPACE_KEY, CHECK_KEY_ACCESS, CREATE_KEY_VERSION, CHANGE_WORKSPACE_KEY, READ_WORKSPACE_VAULT,
                 RESTORE_KEY_ACCESS, CHECK_WORKSPACE, DECOMMISSION_WORKSPACE, AWAIT_MANAGED_GROUP_REMOVAL,
                 DELETE_CREATED_RESOURCES -> throw new IllegalArgumentException("the steps after creation are AfterCreationAgainstSimulatorTest's");
        };
    }

    /**
     * After a run that stopped at {@code step} compensated: exactly the undo calls for what was created, newest first,
     * and the simulator's state to match. {@code stepCreated} tells whether the stopped step's own create reached
     * Azure (a cancel during the call) or not (a fault answered instead).
     */
    private void assertCompensated(CmkStep step, boolean stepCreated) {
        int createdThrough = stepCreated ? step.number() : step.number() - 1;
        List<String> expected = new ArrayList<>();
        if (createdThrough >= CmkStep.CREATE_WORKSPACE.number()) {
            expected.add("Workspaces_Delete");
        }
        if (step.number() >= CmkStep.CREATE_WORKSPACE.number()) {
            // Storage and Application Insights are made inside step 5, before the workspace PUT.
            expected.addAll(List.of("StorageAccounts_Delete", "Components_Delete", "LogAnalyticsWorkspaces_Delete"));
        }
        if (createdThrough >= CmkStep.GRANT_COSMOS_DB_KEY_ACCESS.number()) {
            expected.add("Vaults_UpdateAccessPolicy/remove");
        }
        if (createdThrough >= CmkStep.CREATE_KEY.number()) {
            expected.add("DeleteKey");
        }
        if (createdThrough >= CmkStep.CREATE_KEY_VAULT.number()) {
            expected.add("Vaults_Delete");
        }
        assertThat(undoCalls()).as("undo calls after stopping at %s", step).containsExactlyElementsOf(expected);
        assertThat(sim.journal().writes()).as("writes refused other than the injected faults")
                .allMatch(e -> e.status() < 300 || isExpectedFault(e, step) || isKeyVaultChallenge(e)
                        || stepCreated && isDeleteDuringTheCreate(e));

        ArmState azure = sim.state();
        assertThat(azure.vault(SUBSCRIPTION, GROUP, vaultName())).isEmpty();
        if (createdThrough >= CmkStep.CREATE_KEY_VAULT.number()) {
            ArmState.DeletedVaultView deleted = azure.deletedVault(vaultName()).orElseThrow();
            assertThat(deleted.scheduledPurgeDate()).isAfter(deleted.deletionDate());
            assertThat(deleted.tags()).containsEntry("cmkflow-workflow-id", workflowId);
        } else {
            assertThat(azure.deletedVault(vaultName())).isEmpty();
        }
        if (createdThrough >= CmkStep.GRANT_COSMOS_DB_KEY_ACCESS.number()) {
            JournalEntry removal = sim.journal().where(e -> e.path().endsWith("/accessPolicies/remove")).get(0);
            assertThat(removal.requestBody()).contains(COSMOS_DB);
        }
        if (createdThrough >= CmkStep.CREATE_KEY.number()) {
            assertThat(azure.keys(vaultId())).filteredOn(k -> k.name().equals(keyName()))
                    .singleElement().satisfies(k -> assertThat(k.deleted()).isTrue());
        }
        assertThat(azure.workspace(SUBSCRIPTION, GROUP, workspaceName())).isEmpty();
        assertThat(azure.softDeletedWorkspaces()).noneMatch(w -> w.name().equals(workspaceName()));
        assertThat(azure.resource(storageId())).isEmpty();
        assertThat(azure.resource(insightsId())).isEmpty();
        assertThat(azure.resource(logsId())).isEmpty();

        CmkRunState state = queryState();
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::result).doesNotContain(UndoResult.FAILED);
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::step)
                .containsExactlyElementsOf(reverseUndoSteps(step));
    }

    private static List<CmkStep> reverseUndoSteps(CmkStep failedAt) {
        List<CmkStep> steps = new ArrayList<>();
        for (CmkStep s : List.of(CmkStep.CREATE_WORKSPACE, CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, CmkStep.CREATE_KEY, CmkStep.CREATE_KEY_VAULT)) {
            if (s.number() <= failedAt.number()) {
                steps.add(s);
            }
        }
        return steps;
    }

    private static boolean isExpectedFault(JournalEntry e, CmkStep step) {
        return e.operation().equalsIgnoreCase(faultedOperation(step));
    }

    /**
     * A cancel that lands while the workspace's create is still running reaches the undo before the create ends:
     * Azure refuses the delete (409 AnotherOperationInProgress) until it has, and the undo retries it.
     */
    private static boolean isDeleteDuringTheCreate(JournalEntry e) {
        return "Workspaces_Delete".equals(e.operation()) && e.status() == 409 && "AnotherOperationInProgress".equals(e.errorCode());
    }

    /** Key Vault's data plane answers a first call without a token 401 with its challenge; the client then retries. */
    private static boolean isKeyVaultChallenge(JournalEntry e) {
        return e.status() == 401 && e.path().startsWith("/kv/");
    }

    /** Lookups that find nothing (404) are how the steps learn a resource is still to be made. */
    private static boolean isLookupMiss(JournalEntry e) {
        return !e.isWrite() && e.status() == 404;
    }

    /** The state-undoing calls the simulator answered successfully, in order. */
    private static List<String> undoCalls() {
        return sim.journal().where(e -> e.status() < 300 && ("DELETE".equals(e.method())
                        || e.path().endsWith("/accessPolicies/remove")))
                .stream().map(e -> e.path().endsWith("/accessPolicies/remove") ? e.operation() + "/remove" : e.operation())
                .toList();
    }

    /** The status events of this test's run (the sink serves the whole class). */
    private List<StatusEvent> statusEvents() {
        return statusSink.delivered.stream().filter(e -> workflowId.equals(e.workflowId())).toList();
    }

    private List<StatusEvent.Type> statusTypes() {
        return statusEvents().stream().map(StatusEvent::type).toList();
    }

    private void assertEnd(CmkStatus status, WorkflowExecutionStatus execution) {
        assertThat(queryState().status()).isEqualTo(status);
        var description = stub().describe();
        assertThat(description.getStatus()).isEqualTo(execution);
        assertThat(description.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo(status.name());
        assertThat(description.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID)).isEqualTo(request.requestId());
    }

    private CmkRunState awaitParked(CmkStep step) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> CmkStatus.AwaitingOperator.name()
                .equals(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)));
        assertThat(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STAGE)).isEqualTo(step.stage());
        CmkRunState parked = queryState();
        assertThat(parked.status()).isEqualTo(CmkStatus.AwaitingOperator);
        assertThat(parked.currentStep()).isEqualTo(step);
        return parked;
    }

    /** Another run of this test (not {@link #workflowId}), once it is parked: its state. */
    private CmkRunState awaitOtherRunParked(String otherWorkflowId) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(() -> client.newUntypedWorkflowStub(otherWorkflowId)
                .query("state", CmkRunState.class).status() == CmkStatus.AwaitingOperator);
        return client.newUntypedWorkflowStub(otherWorkflowId).query("state", CmkRunState.class);
    }

    /** The last scheduling of the step's activity and its start: Temporal's attempt number and (test server) times. */
    private record ActivityRun(HistoryEvent scheduled, HistoryEvent started) {
        int attempt() {
            return started.getActivityTaskStartedEventAttributes().getAttempt();
        }

        Duration scheduledToStart() {
            return Duration.ofSeconds(started.getEventTime().getSeconds() - scheduled.getEventTime().getSeconds());
        }
    }

    private ActivityRun lastActivityRun(CmkStep step) {
        List<HistoryEvent> events = client.fetchHistory(workflowId).getEvents();
        List<HistoryEvent> scheduled = events.stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.hasUserMetadata())
                .filter(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(e.getUserMetadata().getSummary(),
                        String.class, String.class).startsWith("Step " + step.number() + ":"))
                .toList();
        HistoryEvent last = scheduled.get(scheduled.size() - 1);
        HistoryEvent started = events.stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
                        && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == last.getEventId())
                .findFirst().orElseThrow();
        return new ActivityRun(last, started);
    }

    // --- names --------------------------------------------------------------------------------------------------

    private static CmkRequest request(String name, String existingVaultId) {
        return new CmkRequest("req-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("ws-" + name, "CMK workspace " + name, true, null, null, null, null),
                existingVaultId == null ? new CmkRequest.KeyVault("kv-" + name, null, "premium", 30, null)
                        : new CmkRequest.KeyVault(null, existingVaultId, null, null, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"),
                Map.of("cost-center", "ml"));
    }

    private String vaultName() {
        return request.keyVault().name() != null ? request.keyVault().name()
                : request.keyVault().existingId().substring(request.keyVault().existingId().lastIndexOf('/') + 1);
    }

    private String vaultId() {
        return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP + "/providers/Microsoft.KeyVault/vaults/"
                + vaultName();
    }

    private String keyName() {
        return "cmk-" + name;
    }

    private String workspaceName() {
        return request.workspace().name();
    }

    private String workspaceId() {
        return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.MachineLearningServices/workspaces/" + workspaceName();
    }

    private String storageId() {
        return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP + "/providers/Microsoft.Storage/storageAccounts/"
                + WorkspaceStep.storageAccountName(request);
    }

    private String insightsId() {
        return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP + "/providers/microsoft.insights/components/"
                + workspaceName() + "-insights";
    }

    private String logsId() {
        return "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP + "/providers/Microsoft.OperationalInsights/workspaces/"
                + workspaceName() + "-logs";
    }

    private WorkflowStub stub() {
        return client.newUntypedWorkflowStub(workflowId);
    }

    private CmkWorkspaceWorkflow typedStub() {
        return client.newWorkflowStub(CmkWorkspaceWorkflow.class, workflowId);
    }

    private CmkRunState queryState() {
        return stub().query("state", CmkRunState.class);
    }
}
