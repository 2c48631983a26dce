package io.cmkflow.workflow;

import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState.Phase;
import io.cmkflow.workflow.CmkRunState.Result;
import io.cmkflow.workflow.CmkRunState.UndoResult;
import io.cmkflow.workflow.CmkWorkflowStarter.Outcome;
import io.cmkflow.workflow.CmkWorkflowStarter.StartResult;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;
import org.mockito.stubbing.Answer;
import org.mockito.stubbing.Stubber;
import org.mockito.verification.VerificationMode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.cmkflow.workflow.CmkWorkflowFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.withSettings;

/**
 * The workflow's logic against the Temporal test server (time skipping), with mocked activities: the real
 * client, worker, search attributes, updates, queries and cancellation; the Azure side is the activity mocks.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class CmkWorkspaceWorkflowTest {

    private static final String REQUEST_ID = "req-0001";
    private static final String WORKFLOW_ID = WorkflowIds.forTarget(SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE_NAME);
    private static final Ownership OWNER = new Ownership(REQUEST_ID, WORKFLOW_ID);

    private TestWorkflowEnvironment env;
    private WorkflowClient client;
    private CmkWorkflowStarter starter;
    private ProvisioningActivities provisioning;
    private CompensationActivities compensation;
    private RecordingStatusPublisher statusEvents;
    private final CountDownLatch releaseBlockedStep = new CountDownLatch(1);
    private final AtomicBoolean blockedStepEntered = new AtomicBoolean();
    private String testName;

    @BeforeEach
    void startTemporal(TestInfo info) {
        String method = info.getTestMethod().orElseThrow().getName();
        testName = info.getDisplayName().startsWith(method) ? method
                : method + "-" + info.getDisplayName().replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("^_|_$", "");
        env = TestWorkflowEnvironment.newInstance();
        CmkSearchAttributes.register(env.getOperatorServiceStubs(), env.getNamespace());
        provisioning = mock(ProvisioningActivities.class, withSettings().withoutAnnotations());
        compensation = mock(CompensationActivities.class, withSettings().withoutAnnotations());
        statusEvents = new RecordingStatusPublisher();
        for (CmkStep step : CmkStep.values()) {
            onStep(step, doReturn(outcome(step)));
        }
        doReturn(List.of(new UndoOutcome(WORKSPACE_ID, UndoOutcome.Result.DELETED, "purged", null)))
                .when(compensation).deleteWorkspace(any(), any());
        doReturn(new UndoOutcome(VAULT_ID, UndoOutcome.Result.DELETED, "access policy removed", null))
                .when(compensation).removeKeyAccess(any(), any(), any());
        doReturn(new UndoOutcome(KEY_ID, UndoOutcome.Result.DELETED, null, null)).when(compensation).deleteKey(any(), any());
        doReturn(new UndoOutcome(VAULT_ID, UndoOutcome.Result.DELETED, "soft-deleted", "2027-02-27T00:00:00Z"))
                .when(compensation).deleteKeyVault(any(), any());
        doReturn(grant(false)).when(provisioning).readKeyAccess(any(), any());
        CmkWorkflowWorker.register(env.getWorkerFactory(), provisioning, compensation, statusEvents);
        env.start();
        client = env.getWorkflowClient();
        starter = new CmkWorkflowStarter(client, CmkWorkflowWorker.TASK_QUEUE);
    }

    @AfterEach
    void stopTemporal() {
        releaseBlockedStep.countDown();
        env.close();
        assertThat(statusEvents.schemaViolations()).as("status events against status-event.schema.json").isEmpty();
    }

    @Test
    void happyPathRunsAllStepsAndShowsItsProgress() throws Exception {
        StartResult start = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        assertThat(start.outcome()).isEqualTo(Outcome.STARTED);
        assertThat(start.workflowId()).isEqualTo(WORKFLOW_ID).isEqualTo(WORKFLOW_ID.toLowerCase());

        CmkRunState result = stub().getResult(CmkRunState.class);

        assertThat(result.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(result.steps()).extracting(CmkRunState.StepState::phase).containsOnly(Phase.DONE);
        assertThat(result.steps()).extracting(CmkRunState.StepState::result)
                .containsExactly(Result.CREATED, Result.CREATED, Result.CREATED, Result.CREATED, Result.CREATED, Result.VERIFIED);
        assertThat(result.steps()).extracting(CmkRunState.StepState::attempts).containsOnly(1);
        assertThat(result.resourcesCreated()).containsExactly(VAULT_ID, KEY_ID,
                VAULT_ID + "#accessPolicy/" + AzureCloud.PUBLIC.cosmosDbApplicationId(), WORKSPACE_ID, STORAGE_ID, INSIGHTS_ID);
        assertThat(result.outcomes().managedGroup().resourceGroupName()).isEqualTo(MANAGED_GROUP);
        assertThat(result.compensation()).isEmpty();
        assertThat(result.lastError()).isNull();
        assertThat(Instant.parse(result.finishedAt())).isAfterOrEqualTo(Instant.parse(result.startedAt()));
        assertThat(queryState().status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(queryState().request()).isEqualTo(request(REQUEST_ID));

        InOrder order = inOrder(provisioning);
        order.verify(provisioning).registerProviders(request(REQUEST_ID));
        order.verify(provisioning).ensureKeyVault(request(REQUEST_ID), OWNER);
        order.verify(provisioning).ensureKey(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), OWNER);
        order.verify(provisioning).grantKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
        order.verify(provisioning).ensureWorkspace(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), key(true), OWNER);
        order.verify(provisioning).verifyManagedGroup(request(REQUEST_ID), workspace());
        // Step 4's read of who has access runs beside step 3: after the vault, before the grant.
        InOrder read = inOrder(provisioning);
        read.verify(provisioning).ensureKeyVault(request(REQUEST_ID), OWNER);
        read.verify(provisioning).readKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED));
        read.verify(provisioning).grantKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
        verifyNoInteractions(compensation);

        assertThat(statusEvents.types()).containsExactly(StatusEvent.Type.accepted,
                StatusEvent.Type.step_done, StatusEvent.Type.step_done, StatusEvent.Type.step_done,
                StatusEvent.Type.step_done, StatusEvent.Type.step_done, StatusEvent.Type.step_done,
                StatusEvent.Type.succeeded);
        assertThat(statusEvents.delivered).extracting(StatusEvent::eventId)
                .containsExactly(java.util.stream.IntStream.rangeClosed(1, 8).mapToObj(i -> start.runId() + ":" + i).toArray(String[]::new));
        assertThat(statusEvents.delivered).extracting(StatusEvent::requestId).containsOnly(REQUEST_ID);
        assertThat(statusEvents.delivered.get(7).resources()).containsEntry("workspaceId", WORKSPACE_ID)
                .containsEntry("keyVaultId", VAULT_ID).containsEntry("keyUrl", KEY_URL_VERSION)
                .containsEntry("managedResourceGroup", MANAGED_GROUP_ID);
        assertThat(statusEvents.delivered.subList(1, 7)).extracting(StatusEvent::step).containsExactly(
                "register_providers", "key_vault", "key", "cosmos_grant", "workspace", "managed_group");
        assertThat(statusEvents.delivered.subList(1, 7)).extracting(StatusEvent::message).containsExactly(
                "resource providers registered: Microsoft.Search (already registered: Microsoft.MachineLearningServices,"
                        + " Microsoft.Storage, Microsoft.KeyVault, Microsoft.DocumentDB)",
                "key vault kv-cmk created in rg-ML-Prod (soft delete, purge protection, access policies)",
                "key cmk-key created (version 0a1b2c3d…)",
                "Cosmos DB granted get/wrapKey/unwrapKey on kv-cmk (access policy)",
                "workspace ws-Cmk created, encrypted with key cmk-key; storage account stwscmk created;"
                        + " Application Insights ai-ws-cmk created",
                "managed group azureml-rg-ws-cmk_0d9c8b7a verified: Cosmos DB, Storage, Search");

        WorkflowExecutionDescription description = stub().describe();
        assertThat(description.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
        SearchAttributes attributes = description.getTypedSearchAttributes();
        assertThat(attributes.get(CmkSearchAttributes.REQUEST_ID)).isEqualTo(REQUEST_ID);
        assertThat(attributes.get(CmkSearchAttributes.SUBSCRIPTION_ID)).isEqualTo(SUBSCRIPTION);
        assertThat(attributes.get(CmkSearchAttributes.WORKSPACE)).isEqualTo(WORKSPACE_NAME);
        assertThat(attributes.get(CmkSearchAttributes.STATUS)).isEqualTo("Succeeded");
        assertThat(attributes.get(CmkSearchAttributes.STAGE)).isEqualTo("done");
        assertThat(description.getStaticSummary()).contains(WORKSPACE_NAME, REQUEST_ID);
        assertThat(description.getStaticSummary().getBytes(java.nio.charset.StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
        assertThat(description.getStaticDetails()).contains("| Workspace | " + WORKSPACE_NAME + " |", "| Key | cmk-key (3072 bits) |");
        assertThat(currentDetails()).contains("**Status:** Succeeded", "| 5 | workspace | DONE | CREATED | 1 | " + WORKSPACE_ID + " |");

        List<String> activitySummaries = client.fetchHistory(WORKFLOW_ID).getEvents().stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.hasUserMetadata())
                .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(e.getUserMetadata().getSummary(), String.class, String.class))
                .filter(s -> s.startsWith("Step"))
                .toList();
        // Step 4's read is scheduled together with step 3, which it runs beside.
        assertThat(activitySummaries).containsExactly("Step 1: register resource providers", "Step 2: key vault kv-cmk",
                "Step 4: who has key access to kv-cmk before the grant", "Step 3: key cmk-key in kv-cmk",
                "Step 4: Cosmos DB access to kv-cmk", "Step 5: workspace ws-Cmk",
                "Step 6: managed group of ws-Cmk");
        replay();
    }

    @ParameterizedTest
    @EnumSource(CmkStep.class)
    void retryableBurstIsRetriedByTemporalWithoutParking(CmkStep step) throws Exception {
        onStep(step, doThrow(retryable()).doThrow(retryable()).doThrow(retryable()).doReturn(outcome(step)));

        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        CmkRunState result = stub().getResult(CmkRunState.class);

        assertThat(result.status()).isEqualTo(CmkStatus.Succeeded);
        verifyStep(step, times(4));
        assertThat(statusEvents.types()).doesNotContain(StatusEvent.Type.awaiting_operator).endsWith(StatusEvent.Type.succeeded);
        verifyNoInteractions(compensation);
        replay(step);
    }

    @ParameterizedTest
    @EnumSource(CmkStep.class)
    void nonRetryableFailureParksAndRetryUpdateReRunsTheStep(CmkStep step) throws Exception {
        onStep(step, doThrow(nonRetryable("AuthorizationFailed on step " + step)).doReturn(outcome(step)));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        awaitStatus(CmkStatus.AwaitingOperator);
        assertThat(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STAGE)).isEqualTo(step.stage());
        CmkRunState parked = queryState();
        assertThat(parked.currentStep()).isEqualTo(step);
        assertThat(parked.lastError()).contains("NON_RETRYABLE", "AuthorizationFailed on step " + step);
        assertThat(parked.steps().get(step.ordinal()).phase()).isEqualTo(Phase.FAILED);
        assertThat(parked.parkedAt()).isNotNull();
        assertThat(currentDetails()).contains("**Status:** AwaitingOperator", "AuthorizationFailed on step " + step, "`retry`");
        verifyStep(step, times(1));

        String answer = typedStub().retry("role assignment fixed");
        assertThat(answer).contains("retrying step " + step.number());
        CmkRunState result = stub().getResult(CmkRunState.class);

        assertThat(result.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(result.steps().get(step.ordinal()).attempts()).isEqualTo(2);
        verifyStep(step, times(2));
        assertThat(statusEvents.types()).containsSubsequence(StatusEvent.Type.awaiting_operator, StatusEvent.Type.step_done,
                StatusEvent.Type.succeeded);
        assertThat(statusEvents.delivered).filteredOn(e -> e.type() == StatusEvent.Type.awaiting_operator)
                .singleElement().satisfies(e -> {
                    assertThat(e.step()).isEqualTo(step.stage());
                    assertThat(e.message()).isEqualTo("step " + step.number() + " (" + step.title() + ") failed and waits for an"
                            + " operator (update retry or abort; undone if unanswered within PT72H): NON_RETRYABLE:"
                            + " AuthorizationFailed on step " + step);
                });
        verifyNoInteractions(compensation);
        replay(step);
    }

    @ParameterizedTest
    @EnumSource(CmkStep.class)
    void abortWhileParkedUndoesWhatTheRunCreatedInReverseOrder(CmkStep step) throws Exception {
        onStep(step, doThrow(nonRetryable("RequestDisallowedByPolicy")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort("policy will not allow it");

        awaitClosed();

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> assertThat(((ApplicationFailure) f).getType()).isEqualTo("ABORTED"))
                .hasMessageContaining("policy will not allow it");
        verifyUndoneInReverse(step);
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(state.compensation()).hasSize(Math.min(step.number(), CmkStep.WORKSPACE.number()) - 1)
                .allMatch(undo -> undo.result() == UndoResult.DONE);
        assertThat(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Compensated");
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.awaiting_operator, StatusEvent.Type.compensated);
        replay(step);
    }

    @Test
    void aRequestNamingAnExistingVaultNeverDeletesAVaultEvenWhenTheVaultStepNeverReported() throws Exception {
        CmkRequest named = request(REQUEST_ID);
        CmkRequest existing = new CmkRequest(named.requestId(), named.subscriptionId(), named.tenantId(), named.cloud(),
                named.resourceGroup(), named.location(), named.workspace(),
                new CmkRequest.KeyVault(null, VAULT_ID, null, null, null), named.key(), named.tags());
        onStep(CmkStep.KEY_VAULT, doThrow(nonRetryable("ExistingVaultNotFound")));
        starter.start(new CmkWorkflowInput(existing));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort("wrong vault id");

        awaitClosed();

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verify(compensation, never()).deleteKeyVault(any(), any());
        assertThat(queryState().compensation()).singleElement()
                .satisfies(undo -> assertThat(undo.result()).isEqualTo(UndoResult.SKIPPED))
                .satisfies(undo -> assertThat(undo.detail()).contains("existing vault"));
    }

    @ParameterizedTest
    @EnumSource(CmkStep.class)
    void unansweredParkTimesOutIntoCompensation(CmkStep step) throws Exception {
        onStep(step, doThrow(nonRetryable("Conflict")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class)
                .cause().isInstanceOf(ApplicationFailure.class)
                .satisfies(f -> assertThat(((ApplicationFailure) f).getType()).isEqualTo("PARK_TIMEOUT"));
        verifyUndoneInReverse(step);
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(Duration.between(Instant.parse(state.parkedAt()), Instant.parse(state.finishedAt())))
                .isGreaterThanOrEqualTo(CmkWorkflowInput.DEFAULT_PARK_TIMEOUT)
                .isLessThan(CmkWorkflowInput.DEFAULT_PARK_TIMEOUT.plusHours(1));
        replay(step);
    }

    @Test
    void parkTimeoutComesFromTheInput() throws Exception {
        onStep(CmkStep.KEY, doThrow(nonRetryable("Conflict")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID), null, Duration.ofHours(2)));

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        CmkRunState state = queryState();
        assertThat(Duration.between(Instant.parse(state.parkedAt()), Instant.parse(state.finishedAt())))
                .isGreaterThanOrEqualTo(Duration.ofHours(2)).isLessThan(Duration.ofHours(3));
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
    }

    @ParameterizedTest
    @EnumSource(CmkStep.class)
    void cancelWhileAStepRunsCompensatesAndEndsCancelled(CmkStep step) throws Exception {
        onStep(step, doAnswer(blockUntilReleased(step)));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        await().atMost(Duration.ofSeconds(10)).untilTrue(blockedStepEntered);

        stub().cancel();
        // The run waits for the step's activity to end before it compensates. Released only once the cancel request
        // reached it: the test server refuses a cancel for an activity that completed meanwhile (real Temporal retries).
        await().atMost(Duration.ofSeconds(10)).until(() -> client.fetchHistory(WORKFLOW_ID).getEvents().stream()
                .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED));
        releaseBlockedStep.countDown();

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class).cause().isInstanceOf(CanceledFailure.class);
        assertThat(stub().describe().getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        verifyUndoneInReverse(step);
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Cancelled);
        assertThat(state.lastError()).contains("cancelled during step " + step.number());
        assertThat(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Cancelled");
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.cancelled).doesNotContain(StatusEvent.Type.succeeded);
        replay(step);
    }

    @Test
    void cancelWhileParkedCompensatesAndEndsCancelled() throws Exception {
        onStep(CmkStep.WORKSPACE, doThrow(nonRetryable("InvalidKeyVaultKey")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        stub().cancel();
        awaitClosed();

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).cause().isInstanceOf(CanceledFailure.class);
        verifyUndoneInReverse(CmkStep.WORKSPACE);
        assertThat(queryState().status()).isEqualTo(CmkStatus.Cancelled);
        assertThat(queryState().lastError()).contains("cancelled during step 5", "InvalidKeyVaultKey");
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.awaiting_operator, StatusEvent.Type.cancelled);
        assertThat(statusEvents.delivered.get(statusEvents.delivered.size() - 1).message()).isEqualTo(
                "cancelled during step 5 (workspace); undone: workspace, grant Cosmos DB, key, key vault;"
                        + " kv-cmk soft-deleted, recoverable until 2027-02-27T00:00:00Z");
        replay();
    }

    @Test
    void retryAndAbortAreRejectedUnlessParked() throws Exception {
        onStep(CmkStep.KEY, doAnswer(blockUntilReleased(CmkStep.KEY)));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        await().atMost(Duration.ofSeconds(10)).untilTrue(blockedStepEntered);

        assertThatThrownBy(() -> typedStub().retry("too early")).isInstanceOf(WorkflowUpdateException.class)
                .rootCause().hasMessageContaining("retry: accepted only while the run is AwaitingOperator; it is Running at step 3 (key)");
        assertThatThrownBy(() -> typedStub().abort("too early")).isInstanceOf(WorkflowUpdateException.class)
                .rootCause().hasMessageContaining("abort: accepted only while the run is AwaitingOperator");

        releaseBlockedStep.countDown();
        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        verifyStep(CmkStep.KEY, times(1));
        verifyNoInteractions(compensation);
        replay();
    }

    @Test
    void exhaustedRetriesParkTheRun() throws Exception {
        onStep(CmkStep.KEY_VAULT, doThrow(retryable()));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        env.sleep(Duration.ofHours(1));

        awaitStatus(CmkStatus.AwaitingOperator);
        verifyStep(CmkStep.KEY_VAULT, times(CmkActivityOptions.STEP_MAXIMUM_ATTEMPTS));
        assertThat(queryState().lastError()).contains("RETRYABLE", "InternalServerError");
        typedStub().abort(null);
        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verifyUndoneInReverse(CmkStep.KEY_VAULT);
        replay();
    }

    @Test
    void adoptedVaultAndPreExistingGrantAreNotCompensated() throws Exception {
        onStep(CmkStep.KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.ADOPTED)));
        onStep(CmkStep.KEY_ACCESS, doReturn(grant(true)));
        onStep(CmkStep.WORKSPACE, doThrow(nonRetryable("KeyVaultKeyNotFound")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort("give up");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        InOrder order = inOrder(compensation);
        order.verify(compensation).deleteWorkspace(request(REQUEST_ID), OWNER);
        order.verify(compensation).deleteKey(request(REQUEST_ID), OWNER);
        verifyNoMoreInteractions(compensation);
        CmkRunState state = queryState();
        assertThat(state.steps().get(CmkStep.KEY_VAULT.ordinal()).result()).isEqualTo(Result.ADOPTED);
        assertThat(state.steps().get(CmkStep.KEY_ACCESS.ordinal()).result()).isEqualTo(Result.SKIPPED);
        assertThat(state.resourcesCreated()).containsExactly(KEY_ID);
        assertThat(statusEvents.delivered).extracting(StatusEvent::message).contains(
                "existing key vault kv-cmk adopted in rg-ML-Prod (soft delete, purge protection, access policies)",
                "Cosmos DB already had get/wrapKey/unwrapKey on kv-cmk (access policy); nothing changed",
                "aborted by operator at step 5 (workspace): give up; undone: workspace, key; kept: grant Cosmos DB"
                        + " (access was present before this run), key vault (vault was ADOPTED, not created by this run)");
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("removeKeyAccess", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.SKIPPED));
        replay();
    }

    @Test
    void anIdentityGrantAddedByThisRunIsUndoneEvenWhenCosmosDbHadAccessBefore() throws Exception {
        String identity = "6f0e1d2c-3b4a-4596-8877-a1b2c3d4e5f6";
        KeyAccessOutcome grant = new KeyAccessOutcome(VAULT_ID, AzureCloud.PUBLIC.cosmosDbApplicationId(),
                KeyAccessOutcome.Mode.ACCESS_POLICY, true, null, identity, false, null);
        onStep(CmkStep.KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.ADOPTED)));
        onStep(CmkStep.KEY_ACCESS, doReturn(grant));
        onStep(CmkStep.WORKSPACE, doThrow(nonRetryable("KeyVaultAccessDenied")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort("give up");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verify(compensation).removeKeyAccess(request(REQUEST_ID), grant, vault(VaultOutcome.Disposition.ADOPTED));
        CmkRunState state = queryState();
        assertThat(state.steps().get(CmkStep.KEY_ACCESS.ordinal()).result()).isEqualTo(Result.CREATED);
        assertThat(state.resourcesCreated()).contains(VAULT_ID + "#accessPolicy/" + identity)
                .doesNotContain(VAULT_ID + "#accessPolicy/" + AzureCloud.PUBLIC.cosmosDbApplicationId());
        assertThat(statusEvents.delivered).extracting(StatusEvent::message).contains(
                "Cosmos DB already had get/wrapKey/unwrapKey on kv-cmk (access policy); user-assigned identity "
                        + identity + " granted the same");
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .contains(org.assertj.core.groups.Tuple.tuple("removeKeyAccess", UndoResult.DONE));
        replay();
    }

    @Test
    void aVaultThisRunRecoveredIsDeletedAgainLikeOneItCreated() throws Exception {
        onStep(CmkStep.KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.RECOVERED)));
        onStep(CmkStep.KEY, doReturn(key(false)));
        onStep(CmkStep.KEY_ACCESS, doReturn(grant(true)));
        onStep(CmkStep.WORKSPACE, doThrow(nonRetryable("Forbidden")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort(null);

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verify(compensation).deleteKeyVault(request(REQUEST_ID), OWNER);
        verify(compensation, never()).deleteKey(any(), any());
        assertThat(queryState().compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("removeKeyAccess", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.DONE));
        replay();
    }

    @Test
    void aGrantThatNeverReportedIsUndoneFromWhatItsReadFoundBefore_evenInAnAdoptedVault() throws Exception {
        onStep(CmkStep.KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.ADOPTED)));
        // The grant wrote, then failed for good before reporting: the read in the history says the entry was absent.
        onStep(CmkStep.KEY_ACCESS, doThrow(nonRetryable("worker lost")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort(null);

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verify(compensation).removeKeyAccess(request(REQUEST_ID), grant(false), vault(VaultOutcome.Disposition.ADOPTED));
        verify(compensation, never()).deleteKeyVault(any(), any());
        replay();
    }

    @Test
    void anOperatorRetryOfTheGrantReusesTheFirstRead() throws Exception {
        onStep(CmkStep.KEY_ACCESS, doThrow(nonRetryable("Forbidden")).doReturn(grant(false)));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().retry("permission granted");

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        // A second read would see this run's own entry (written by the first attempt) as pre-existing.
        verify(provisioning, times(1)).readKeyAccess(any(), any());
        verify(provisioning, times(2)).grantKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
    }

    @Test
    void aReadBesideTheKeyStepThatFailsParksStep4_andRetryReadsAgainBeforeTheGrant() throws Exception {
        doThrow(nonRetryable("Forbidden")).doReturn(grant(false)).when(provisioning).readKeyAccess(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);
        assertThat(queryState().currentStep()).isEqualTo(CmkStep.KEY_ACCESS);
        verify(provisioning, never()).grantKeyAccess(any(), any(), any());

        typedStub().retry("permission granted");

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        verify(provisioning, times(2)).readKeyAccess(any(), any());
        verify(provisioning, times(1)).grantKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
    }

    @Test
    void aFailedWorkspaceDeletionParksCompensation_andRetryCompletesIt() throws Exception {
        onStep(CmkStep.MANAGED_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
        doThrow(nonRetryable("ScopeLocked")).doReturn(List.of(new UndoOutcome(WORKSPACE_ID, UndoOutcome.Result.DELETED, "purged", null)))
                .when(compensation).deleteWorkspace(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);
        typedStub().abort("give up");

        awaitParkedInCompensation();
        assertThat(queryState().lastError()).contains("undo deleteWorkspace", "ScopeLocked");
        assertThat(statusEvents.delivered).filteredOn(e -> e.type() == StatusEvent.Type.awaiting_operator).last()
                .satisfies(e -> assertThat(e.message()).startsWith("undo deleteWorkspace of step 5 (workspace) failed;"
                        + " compensation stopped before removing grant Cosmos DB, key, key vault").contains("ScopeLocked"));
        verify(compensation, never()).removeKeyAccess(any(), any(), any());
        verify(compensation, never()).deleteKey(any(), any());
        verify(compensation, never()).deleteKeyVault(any(), any());

        assertThat(typedStub().retry("lock removed")).isEqualTo("retrying undo deleteWorkspace of step 5 (workspace)");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verify(compensation, times(2)).deleteWorkspace(any(), any());
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("removeKeyAccess", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.DONE));
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.awaiting_operator, StatusEvent.Type.compensated);
        replay();
    }

    @Test
    void abortOfAParkedCompensationLeavesWhatTheWorkspaceUsesInPlace() throws Exception {
        onStep(CmkStep.MANAGED_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
        doThrow(nonRetryable("ScopeLocked")).when(compensation).deleteWorkspace(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);
        typedStub().abort("give up");
        awaitParkedInCompensation();

        assertThat(typedStub().abort("lock stays")).startsWith("aborting compensation");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verify(compensation, times(1)).deleteWorkspace(any(), any());
        verify(compensation, never()).removeKeyAccess(any(), any(), any());
        verify(compensation, never()).deleteKey(any(), any());
        verify(compensation, never()).deleteKeyVault(any(), any());
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Failed);
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.FAILED),
                        org.assertj.core.groups.Tuple.tuple("removeKeyAccess", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.SKIPPED));
        assertThat(state.compensation().subList(1, 4)).extracting(CmkRunState.UndoRecord::detail).containsOnly(
                "left in place: undo deleteWorkspace failed and the operator aborted compensation (lock stays)");
        assertThat(statusEvents.delivered).last().satisfies(e -> {
            assertThat(e.type()).isEqualTo(StatusEvent.Type.failed);
            assertThat(e.message()).contains("NOT undone: workspace", "kept: grant Cosmos DB (left in place");
        });
        replay();
    }

    @Test
    void anUnansweredParkedCompensationTimesOutLeavingTheRestInPlace() throws Exception {
        onStep(CmkStep.MANAGED_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
        doThrow(nonRetryable("ScopeLocked")).when(compensation).deleteWorkspace(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID), null, Duration.ofHours(2)));

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verify(compensation, never()).deleteKey(any(), any());
        verify(compensation, never()).deleteKeyVault(any(), any());
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Failed);
        assertThat(state.compensation()).last().satisfies(u -> assertThat(u.detail())
                .isEqualTo("left in place: undo deleteWorkspace failed and no operator answered within PT2H"));
    }

    @Test
    void throttledStepIsRetriedAfterAzuresRetryAfter() throws Exception {
        List<Long> callTimes = new CopyOnWriteArrayList<>();
        Duration retryAfter = Duration.ofSeconds(90);
        onStep(CmkStep.KEY_VAULT, doAnswer(invocation -> {
            callTimes.add(env.currentTimeMillis());
            throw ApplicationFailure.newBuilder().setType("THROTTLED").setMessage("429 TooManyRequests")
                    .setNextRetryDelay(retryAfter).build();
        }).doAnswer(invocation -> {
            callTimes.add(env.currentTimeMillis());
            return outcome(CmkStep.KEY_VAULT);
        }));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(callTimes).hasSize(2);
        // The policy's own first backoff is 5 s; the 90 s gap is Azure's Retry-After.
        assertThat(callTimes.get(1) - callTimes.get(0)).isGreaterThanOrEqualTo(retryAfter.toMillis()).isLessThan(retryAfter.toMillis() + 5_000);
        replay();
    }

    @Test
    void failedUndoIsRecordedOtherUndosStillRunAndTheRunEndsFailed() throws Exception {
        onStep(CmkStep.MANAGED_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
        doThrow(nonRetryable("ScopeLocked")).when(compensation).deleteKey(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort(null);

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verifyUndoneInReverse(CmkStep.MANAGED_GROUP);
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Failed);
        assertThat(state.compensation()).filteredOn(u -> u.result() == UndoResult.FAILED).singleElement()
                .satisfies(u -> assertThat(u.detail()).contains("ScopeLocked"));
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.failed);
        replay();
    }

    @Test
    void retriedStatusPublishKeepsItsEventId() throws Exception {
        statusEvents.refuseFirst(StatusEvent.Type.accepted, 2);
        StartResult start = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(statusEvents.attemptedIds.subList(0, 3)).containsOnly(start.runId() + ":1");
        assertThat(statusEvents.delivered.get(0).type()).isEqualTo(StatusEvent.Type.accepted);
        assertThat(statusEvents.delivered).extracting(StatusEvent::eventId).doesNotHaveDuplicates();
    }

    @Test
    void requestThatFailsTheRecheckEndsFailedWithoutAzureCalls() throws Exception {
        StartResult start = starter.start(new CmkWorkflowInput(request(REQUEST_ID, 2048)));
        assertThat(start.outcome()).isEqualTo(Outcome.STARTED);

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class))
                .cause().isInstanceOf(ApplicationFailure.class)
                .hasMessageContaining("key.size: must be at least 3072 bits, was 2048")
                .satisfies(f -> assertThat(((ApplicationFailure) f).getType()).isEqualTo("INVALID_REQUEST"));
        verifyNoInteractions(provisioning, compensation);
        assertThat(queryState().status()).isEqualTo(CmkStatus.Failed);
        assertThat(statusEvents.types()).containsExactly(StatusEvent.Type.failed);
        assertThat(statusEvents.delivered.get(0).step()).isEqualTo("validate");
        replay();
    }

    @Test
    void starterReportsDuplicateAndTargetBusy() throws Exception {
        onStep(CmkStep.KEY, doAnswer(blockUntilReleased(CmkStep.KEY)).doReturn(outcome(CmkStep.KEY)));
        StartResult first = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        await().atMost(Duration.ofSeconds(10)).untilTrue(blockedStepEntered);

        StartResult redelivered = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        StartResult other = starter.start(new CmkWorkflowInput(request("req-0002")));

        assertThat(first.outcome()).isEqualTo(Outcome.STARTED);
        assertThat(redelivered).isEqualTo(new StartResult(Outcome.DUPLICATE, WORKFLOW_ID, first.runId(), REQUEST_ID));
        assertThat(other).isEqualTo(new StartResult(Outcome.TARGET_BUSY, WORKFLOW_ID, first.runId(), REQUEST_ID));

        releaseBlockedStep.countDown();
        stub().getResult(CmkRunState.class);
        verifyStep(CmkStep.REGISTER_PROVIDERS, times(1));

        StartResult afterFinish = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        assertThat(afterFinish).isEqualTo(new StartResult(Outcome.DUPLICATE, WORKFLOW_ID, first.runId(), REQUEST_ID));
        StartResult nextRequest = starter.start(new CmkWorkflowInput(request("req-0002")));
        assertThat(nextRequest.outcome()).isEqualTo(Outcome.STARTED);
        assertThat(nextRequest.runId()).isNotEqualTo(first.runId());
        assertThat(client.newUntypedWorkflowStub(WORKFLOW_ID).getResult(CmkRunState.class).request().requestId()).isEqualTo("req-0002");
        verifyStep(CmkStep.REGISTER_PROVIDERS, times(2));
    }

    @Test
    void aRequestIdResentAfterAnotherRequestRanOnTheTargetIsADuplicate() throws Exception {
        StartResult first = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        stub().getResult(CmkRunState.class);
        StartResult second = starter.start(new CmkWorkflowInput(request("req-0002")));
        assertThat(second.outcome()).isEqualTo(Outcome.STARTED);
        stub().getResult(CmkRunState.class);

        StartResult resent = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        assertThat(resent).isEqualTo(new StartResult(Outcome.DUPLICATE, WORKFLOW_ID, second.runId(), "req-0002"));
        assertThat(first.runId()).isNotEqualTo(second.runId());
        verifyStep(CmkStep.REGISTER_PROVIDERS, times(2));
    }

    @Test
    void aCancelRacingTheSucceededEventStillDeliversItAndUndoesNothing() throws Exception {
        CountDownLatch succeededPublishing = new CountDownLatch(1);
        statusEvents.holdFirst(StatusEvent.Type.succeeded, succeededPublishing, releaseBlockedStep);
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        assertThat(succeededPublishing.await(30, TimeUnit.SECONDS)).isTrue();

        stub().cancel();
        // The cancel request is in the history before the held publish completes.
        await().atMost(Duration.ofSeconds(10)).until(() -> client.fetchHistory(WORKFLOW_ID).getEvents().stream()
                .anyMatch(e -> e.getEventType() == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED));
        releaseBlockedStep.countDown();

        awaitClosed();
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.succeeded);
        verifyNoInteractions(compensation);
        assertThat(queryState().status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Succeeded");
        // The Java SDK closes any run that has a cancel request as Canceled, even one that returned normally.
        assertThat(stub().describe().getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        replay();
    }

    @Test
    void searchAttributeRegistrationToleratesExistingAttributes() {
        CmkSearchAttributes.register(env.getOperatorServiceStubs(), env.getNamespace());

        StartResult start = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        assertThat(start.outcome()).isEqualTo(Outcome.STARTED);
        assertThat(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID)).isEqualTo(REQUEST_ID);
    }

    private Answer<Object> blockUntilReleased(CmkStep step) {
        return invocation -> {
            blockedStepEntered.set(true);
            releaseBlockedStep.await(30, TimeUnit.SECONDS);
            return outcome(step);
        };
    }

    /** Exactly the undos of the steps up to the failed one (its undo was registered before its create), newest first. */
    private void verifyUndoneInReverse(CmkStep failedAt) {
        CmkRequest request = request(REQUEST_ID);
        InOrder order = inOrder(compensation);
        if (failedAt.number() >= CmkStep.WORKSPACE.number()) {
            order.verify(compensation).deleteWorkspace(request, OWNER);
        }
        if (failedAt.number() > CmkStep.KEY_ACCESS.number()) {
            order.verify(compensation).removeKeyAccess(request, grant(false), vault(VaultOutcome.Disposition.CREATED));
        } else if (failedAt == CmkStep.KEY_ACCESS) {
            // Failed at step 4 the grant never reported; cancelled during it, the step may still have reported.
            order.verify(compensation).removeKeyAccess(eq(request), any(), argThat(v -> v.vaultId().equals(VAULT_ID)));
        }
        if (failedAt.number() >= CmkStep.KEY.number()) {
            order.verify(compensation).deleteKey(request, OWNER);
        }
        if (failedAt.number() >= CmkStep.KEY_VAULT.number()) {
            order.verify(compensation).deleteKeyVault(request, OWNER);
        }
        verifyNoMoreInteractions(compensation);
    }

    private void onStep(CmkStep step, Stubber stubber) {
        switch (step) {
            case REGISTER_PROVIDERS -> stubber.when(provisioning).registerProviders(any());
            case KEY_VAULT -> stubber.when(provisioning).ensureKeyVault(any(), any());
            case KEY -> stubber.when(provisioning).ensureKey(any(), any(), any());
            case KEY_ACCESS -> stubber.when(provisioning).grantKeyAccess(any(), any(), any());
            case WORKSPACE -> stubber.when(provisioning).ensureWorkspace(any(), any(), any(), any());
            case MANAGED_GROUP -> stubber.when(provisioning).verifyManagedGroup(any(), any());
        }
    }

    private void verifyStep(CmkStep step, VerificationMode mode) {
        switch (step) {
            case REGISTER_PROVIDERS -> verify(provisioning, mode).registerProviders(any());
            case KEY_VAULT -> verify(provisioning, mode).ensureKeyVault(any(), any());
            case KEY -> verify(provisioning, mode).ensureKey(any(), any(), any());
            case KEY_ACCESS -> verify(provisioning, mode).grantKeyAccess(any(), any(), any());
            case WORKSPACE -> verify(provisioning, mode).ensureWorkspace(any(), any(), any(), any());
            case MANAGED_GROUP -> verify(provisioning, mode).verifyManagedGroup(any(), any());
        }
    }

    private static ApplicationFailure retryable() {
        return ApplicationFailure.newFailure("InternalServerError from ARM", "RETRYABLE");
    }

    private static ApplicationFailure nonRetryable(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, "NON_RETRYABLE");
    }

    /** Parked by compensation (CmkStage compensation) and answerable. */
    private void awaitParkedInCompensation() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            SearchAttributes attributes = stub().describe().getTypedSearchAttributes();
            return "AwaitingOperator".equals(attributes.get(CmkSearchAttributes.STATUS))
                    && CmkSearchAttributes.STAGE_COMPENSATION.equals(attributes.get(CmkSearchAttributes.STAGE));
        });
    }

    private void awaitStatus(CmkStatus status) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(
                () -> status.name().equals(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)));
    }

    /**
     * Waits, with the test server's clock held, until the run has closed. A blocking {@code getResult} lets the clock
     * skip ahead whenever the server is idle; while a slow worker is still handling the cancel of a parked run, that
     * skips past the workflow task timeout and towards the park timer, and on a busy machine the run can spin there
     * until the test's timeout. Waiting here, real time passes instead; {@code getResult} then returns at once.
     */
    private void awaitClosed() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(
                () -> stub().describe().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    private WorkflowStub stub() {
        return client.newUntypedWorkflowStub(WORKFLOW_ID);
    }

    private CmkWorkspaceWorkflow typedStub() {
        return client.newWorkflowStub(CmkWorkspaceWorkflow.class, WORKFLOW_ID);
    }

    private CmkRunState queryState() {
        return stub().query("state", CmkRunState.class);
    }

    private String currentDetails() {
        return stub().query(WorkflowClient.QUERY_TYPE_WORKFLOW_METADATA, WorkflowMetadata.class).getCurrentDetails();
    }

    private void replay() throws Exception {
        WorkflowHistories.replayAndKeep(testName, client.fetchHistory(WORKFLOW_ID), true);
    }

    /** Of the per-step variants, those at the grant step (inferred undo) and the last step (every undo) are kept in the sources. */
    private void replay(CmkStep step) throws Exception {
        WorkflowHistories.replayAndKeep(testName, client.fetchHistory(WORKFLOW_ID),
                step == CmkStep.KEY_ACCESS || step == CmkStep.MANAGED_GROUP);
    }
}
