package io.cmkflow.workflow;

import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkRunState.Result;
import io.cmkflow.workflow.CmkRunState.UndoResult;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.mockito.InOrder;

import java.time.Duration;
import java.util.List;

import static io.cmkflow.workflow.CmkWorkflowFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoMoreInteractions;

/** Compensation: which undos run and in what order, what is left alone, and a failed undo (parked or recorded). */
class CompensationWorkflowTest extends WorkflowTestRun {

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
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
        assertThat(state.compensation()).hasSize(Math.min(step.number(), CmkStep.CREATE_WORKSPACE.number()) - 1)
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
        onStep(CmkStep.CREATE_KEY_VAULT, doThrow(nonRetryable("ExistingVaultNotFound")));
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

    @Test
    void adoptedVaultAndPreExistingGrantAreNotCompensated() throws Exception {
        onStep(CmkStep.CREATE_KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.ADOPTED)));
        onStep(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, doReturn(grant(true)));
        onStep(CmkStep.CREATE_WORKSPACE, doThrow(nonRetryable("KeyVaultKeyNotFound")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort("give up");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        InOrder order = inOrder(compensation);
        order.verify(compensation).deleteWorkspace(eq(request(REQUEST_ID)), ownedByThisRun());
        order.verify(compensation).deleteKey(eq(request(REQUEST_ID)), ownedByThisRun());
        verifyNoMoreInteractions(compensation);
        CmkRunState state = queryState();
        assertThat(state.steps().get(CmkStep.CREATE_KEY_VAULT.ordinal()).result()).isEqualTo(Result.ADOPTED);
        assertThat(state.steps().get(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS.ordinal()).result()).isEqualTo(Result.SKIPPED);
        assertThat(state.resourcesCreated()).containsExactly(KEY_ID);
        assertThat(statusEvents.delivered).extracting(StatusEvent::message).contains(
                "existing key vault kv-cmk adopted in rg-ML-Prod (soft delete, purge protection, access policies)",
                "Cosmos DB already had get/wrapKey/unwrapKey on kv-cmk (access policy); nothing changed",
                "aborted by operator at step 5 (create workspace): give up; undone: create workspace, create key; kept:"
                        + " grant Cosmos DB key access (access was present before this run), create key vault (vault was ADOPTED, not created by this run)");
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("removeCosmosDbKeyAccess", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.SKIPPED));
        replay();
    }

    @Test
    void anIdentityGrantAddedByThisRunIsUndoneEvenWhenCosmosDbHadAccessBefore() throws Exception {
        String identity = "6f0e1d2c-3b4a-4596-8877-a1b2c3d4e5f6";
        KeyAccessOutcome grant = new KeyAccessOutcome(VAULT_ID, AzureCloud.PUBLIC.cosmosDbApplicationId(),
                KeyAccessOutcome.Mode.ACCESS_POLICY, true, null, identity, false, null);
        onStep(CmkStep.CREATE_KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.ADOPTED)));
        onStep(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, doReturn(grant));
        onStep(CmkStep.CREATE_WORKSPACE, doThrow(nonRetryable("KeyVaultAccessDenied")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort("give up");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verify(compensation).removeCosmosDbKeyAccess(request(REQUEST_ID), grant);
        CmkRunState state = queryState();
        assertThat(state.steps().get(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS.ordinal()).result()).isEqualTo(Result.CREATED);
        assertThat(state.resourcesCreated()).contains(VAULT_ID + "#accessPolicy/" + identity)
                .doesNotContain(VAULT_ID + "#accessPolicy/" + AzureCloud.PUBLIC.cosmosDbApplicationId());
        assertThat(statusEvents.delivered).extracting(StatusEvent::message).contains(
                "Cosmos DB already had get/wrapKey/unwrapKey on kv-cmk (access policy); user-assigned identity "
                        + identity + " granted the same");
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .contains(org.assertj.core.groups.Tuple.tuple("removeCosmosDbKeyAccess", UndoResult.DONE));
        replay();
    }

    @Test
    void aVaultThisRunRecoveredIsDeletedAgainLikeOneItCreated() throws Exception {
        onStep(CmkStep.CREATE_KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.RECOVERED)));
        onStep(CmkStep.CREATE_KEY, doReturn(key(false)));
        onStep(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, doReturn(grant(true)));
        onStep(CmkStep.CREATE_WORKSPACE, doThrow(nonRetryable("Forbidden")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort(null);

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verify(compensation).deleteKeyVault(eq(request(REQUEST_ID)), ownedByThisRun());
        verify(compensation, never()).deleteKey(any(), any());
        assertThat(queryState().compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("removeCosmosDbKeyAccess", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.DONE));
        replay();
    }

    @Test
    void aGrantThatNeverReportedIsUndoneFromWhatItsReadFoundBefore_evenInAnAdoptedVault() throws Exception {
        onStep(CmkStep.CREATE_KEY_VAULT, doReturn(vault(VaultOutcome.Disposition.ADOPTED)));
        // The grant wrote, then failed for good before reporting: the read in the history says the entry was absent.
        onStep(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, doThrow(nonRetryable("worker lost")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort(null);

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verify(compensation).removeCosmosDbKeyAccess(request(REQUEST_ID), grant(false));
        verify(compensation, never()).deleteKeyVault(any(), any());
        replay();
    }

    @Test
    void aKeyAccessRepairWhoseGrantNeverReportedRemovesOnlyWhatItsReadDidNotFind() throws Exception {
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        CmkRequest repair = TestRequests.copy(request("req-repair")).operation(Operation.REPAIR_KEY_ACCESS).build();
        doReturn(vault(VaultOutcome.Disposition.ADOPTED)).when(provisioning).readWorkspaceVault(any(), any());
        // The grant wrote, then failed for good before reporting: the read in the history says the entry was absent.
        doThrow(nonRetryable("worker lost")).when(provisioning).restoreKeyAccess(any(), any(), any());
        assertThat(starter.start(new CmkWorkflowInput(repair)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        awaitStatus(CmkStatus.AwaitingOperator);
        assertThat(queryState().currentStep()).isEqualTo(CmkStep.RESTORE_KEY_ACCESS);

        typedStub().abort(null);

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verify(compensation).removeCosmosDbKeyAccess(repair, grant(false));
        assertThat(queryState().compensation()).singleElement().satisfies(undo -> assertThat(undo.step()).isEqualTo(CmkStep.RESTORE_KEY_ACCESS));
    }

    @Test
    void aFailedWorkspaceDeletionParksCompensation_andRetryCompletesIt() throws Exception {
        onStep(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
        doThrow(nonRetryable("ScopeLocked")).doReturn(List.of(new UndoOutcome(WORKSPACE_ID, UndoOutcome.Result.DELETED, "purged", null)))
                .when(compensation).deleteWorkspace(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);
        typedStub().abort("give up");

        awaitParkedInCompensation();
        assertThat(queryState().lastError()).contains("undo deleteWorkspace", "ScopeLocked");
        assertThat(statusEvents.delivered).filteredOn(e -> e.type() == StatusEvent.Type.awaiting_operator).last()
                .satisfies(e -> assertThat(e.message()).startsWith("undo deleteWorkspace of step 5 (create workspace) failed;"
                        + " compensation stopped before removing grant Cosmos DB key access, create key, create key vault").contains("ScopeLocked"));
        verify(compensation, never()).removeCosmosDbKeyAccess(any(), any());
        verify(compensation, never()).deleteKey(any(), any());
        verify(compensation, never()).deleteKeyVault(any(), any());

        assertThat(typedStub().retry("lock removed")).isEqualTo("retrying undo deleteWorkspace of step 5 (create workspace)");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verify(compensation, times(2)).deleteWorkspace(any(), any());
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("removeCosmosDbKeyAccess", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.DONE),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.DONE));
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.awaiting_operator, StatusEvent.Type.compensated);
        replay();
    }

    @Test
    void abortOfAParkedCompensationLeavesWhatTheWorkspaceUsesInPlace() throws Exception {
        onStep(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
        doThrow(nonRetryable("ScopeLocked")).when(compensation).deleteWorkspace(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);
        typedStub().abort("give up");
        awaitParkedInCompensation();

        assertThat(typedStub().abort("lock stays")).startsWith("aborting compensation");

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verify(compensation, times(1)).deleteWorkspace(any(), any());
        verify(compensation, never()).removeCosmosDbKeyAccess(any(), any());
        verify(compensation, never()).deleteKey(any(), any());
        verify(compensation, never()).deleteKeyVault(any(), any());
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Failed);
        assertThat(state.compensation()).extracting(CmkRunState.UndoRecord::action, CmkRunState.UndoRecord::result)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("deleteWorkspace", UndoResult.FAILED),
                        org.assertj.core.groups.Tuple.tuple("removeCosmosDbKeyAccess", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKey", UndoResult.SKIPPED),
                        org.assertj.core.groups.Tuple.tuple("deleteKeyVault", UndoResult.SKIPPED));
        assertThat(state.compensation().subList(1, 4)).extracting(CmkRunState.UndoRecord::detail).containsOnly(
                "left in place: undo deleteWorkspace failed and the operator aborted compensation (lock stays)");
        assertThat(statusEvents.delivered).last().satisfies(e -> {
            assertThat(e.type()).isEqualTo(StatusEvent.Type.failed);
            assertThat(e.message()).contains("NOT undone: create workspace", "kept: grant Cosmos DB key access (left in place");
        });
        replay();
    }

    @Test
    void anUnansweredParkedCompensationTimesOutLeavingTheRestInPlace() throws Exception {
        onStep(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
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
    void failedUndoIsRecordedOtherUndosStillRunAndTheRunEndsFailed() throws Exception {
        onStep(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, doThrow(nonRetryable("ManagedGroupMissing")));
        doThrow(nonRetryable("ScopeLocked")).when(compensation).deleteKey(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().abort(null);

        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        verifyUndoneInReverse(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP);
        CmkRunState state = queryState();
        assertThat(state.status()).isEqualTo(CmkStatus.Failed);
        assertThat(state.compensation()).filteredOn(u -> u.result() == UndoResult.FAILED).singleElement()
                .satisfies(u -> assertThat(u.detail()).contains("ScopeLocked"));
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.failed);
        replay();
    }
}
