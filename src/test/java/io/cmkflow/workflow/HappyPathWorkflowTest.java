package io.cmkflow.workflow;

import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.workflow.CmkRunState.Phase;
import io.cmkflow.workflow.CmkRunState.Result;
import io.cmkflow.workflow.CmkWorkflowStarter.Outcome;
import io.cmkflow.workflow.CmkWorkflowStarter.StartResult;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.common.SearchAttributes;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static io.cmkflow.workflow.CmkWorkflowFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.ArgumentMatchers.isNull;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

/** The run that succeeds: its steps, progress, status events and visibility; retries inside Temporal; the starter. */
class HappyPathWorkflowTest extends WorkflowTestRun {

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
                VAULT_ID + "#accessPolicy/" + AzureCloud.PUBLIC.cosmosDbApplicationId(), WORKSPACE_ID, STORAGE_ID, INSIGHTS_ID, LOGS_ID);
        assertThat(result.outcomes().managedGroup().resourceGroupName()).isEqualTo(MANAGED_GROUP);
        assertThat(result.compensation()).isEmpty();
        assertThat(result.lastError()).isNull();
        assertThat(Instant.parse(result.finishedAt())).isAfterOrEqualTo(Instant.parse(result.startedAt()));
        assertThat(queryState().status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(queryState().request()).isEqualTo(request(REQUEST_ID));

        InOrder order = inOrder(provisioning);
        order.verify(provisioning).registerResourceProviders(request(REQUEST_ID));
        order.verify(provisioning).createKeyVault(eq(request(REQUEST_ID)), ownedByThisRun());
        order.verify(provisioning).createKey(eq(request(REQUEST_ID)), eq(vault(VaultOutcome.Disposition.CREATED)), ownedByThisRun());
        order.verify(provisioning).grantCosmosDbKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
        order.verify(provisioning).createWorkspace(eq(request(REQUEST_ID)), eq(vault(VaultOutcome.Disposition.CREATED)), eq(key(true)), ownedByThisRun());
        order.verify(provisioning).verifyManagedResourceGroup(request(REQUEST_ID), workspace());
        // Step 4's read of who has access runs beside step 3: after the vault, before the grant.
        InOrder read = inOrder(provisioning);
        read.verify(provisioning).createKeyVault(eq(request(REQUEST_ID)), ownedByThisRun());
        read.verify(provisioning).readCosmosDbKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED));
        read.verify(provisioning).grantCosmosDbKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
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
                "register_resource_providers", "create_key_vault", "create_key", "grant_cosmos_db_key_access", "create_workspace",
                "verify_managed_resource_group");
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
        assertThat(currentDetails()).contains("**Status:** Succeeded", "| 5 | create workspace | DONE | CREATED | 1 | " + WORKSPACE_ID + " |");

        List<String> activitySummaries = client.fetchHistory(WORKFLOW_ID).getEvents().stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.hasUserMetadata())
                .map(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(e.getUserMetadata().getSummary(), String.class, String.class))
                .filter(s -> s.startsWith("Step"))
                .toList();
        // Step 4's read is scheduled together with step 3, which it runs beside.
        assertThat(activitySummaries).containsExactly("Step 1: register resource providers", "Step 2: create key vault kv-cmk",
                "Step 4: read Cosmos DB key access on kv-cmk before the grant", "Step 3: create key cmk-key in kv-cmk",
                "Step 4: grant Cosmos DB key access on kv-cmk", "Step 5: create workspace ws-Cmk",
                "Step 6: verify managed resource group of ws-Cmk");
        replay();
    }

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
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

    @Test
    void throttledStepIsRetriedAfterAzuresRetryAfter() throws Exception {
        List<Long> callTimes = new CopyOnWriteArrayList<>();
        Duration retryAfter = Duration.ofSeconds(90);
        onStep(CmkStep.CREATE_KEY_VAULT, doAnswer(invocation -> {
            callTimes.add(env.currentTimeMillis());
            throw ApplicationFailure.newBuilder().setType("THROTTLED").setMessage("429 TooManyRequests")
                    .setNextRetryDelay(retryAfter).build();
        }).doAnswer(invocation -> {
            callTimes.add(env.currentTimeMillis());
            return outcome(CmkStep.CREATE_KEY_VAULT);
        }));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(callTimes).hasSize(2);
        // The policy's own first backoff is 5 s; the 90 s gap is Azure's Retry-After.
        assertThat(callTimes.get(1) - callTimes.get(0)).isGreaterThanOrEqualTo(retryAfter.toMillis()).isLessThan(retryAfter.toMillis() + 5_000);
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
        onStep(CmkStep.CREATE_KEY, doAnswer(blockUntilReleased(CmkStep.CREATE_KEY)).doReturn(outcome(CmkStep.CREATE_KEY)));
        StartResult first = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        await().atMost(Duration.ofSeconds(10)).untilTrue(blockedStepEntered);

        StartResult redelivered = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        StartResult other = starter.start(new CmkWorkflowInput(request("req-0002")));

        assertThat(first.outcome()).isEqualTo(Outcome.STARTED);
        assertThat(redelivered).isEqualTo(new StartResult(Outcome.DUPLICATE, WORKFLOW_ID, first.runId(), REQUEST_ID));
        assertThat(other).isEqualTo(new StartResult(Outcome.TARGET_BUSY, WORKFLOW_ID, first.runId(), REQUEST_ID));

        releaseBlockedStep.countDown();
        stub().getResult(CmkRunState.class);
        verifyStep(CmkStep.REGISTER_RESOURCE_PROVIDERS, times(1));

        StartResult afterFinish = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        assertThat(afterFinish).isEqualTo(new StartResult(Outcome.DUPLICATE, WORKFLOW_ID, first.runId(), REQUEST_ID));
        StartResult nextRequest = starter.start(new CmkWorkflowInput(request("req-0002")));
        assertThat(nextRequest.outcome()).isEqualTo(Outcome.STARTED);
        assertThat(nextRequest.runId()).isNotEqualTo(first.runId());
        assertThat(client.newUntypedWorkflowStub(WORKFLOW_ID).getResult(CmkRunState.class).request().requestId()).isEqualTo("req-0002");
        verifyStep(CmkStep.REGISTER_RESOURCE_PROVIDERS, times(2));
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
        verifyStep(CmkStep.REGISTER_RESOURCE_PROVIDERS, times(2));
    }

    @Test
    void searchAttributeRegistrationToleratesExistingAttributes() {
        CmkSearchAttributes.register(env.getOperatorServiceStubs(), env.getNamespace());

        StartResult start = starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        assertThat(start.outcome()).isEqualTo(Outcome.STARTED);
        assertThat(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID)).isEqualTo(REQUEST_ID);
    }
}
