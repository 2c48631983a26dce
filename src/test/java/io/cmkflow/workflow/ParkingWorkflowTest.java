package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.workflow.CmkRunState.Phase;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowUpdateException;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.time.Instant;

import static io.cmkflow.workflow.CmkWorkflowFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.times;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.verifyNoInteractions;

/** A step that fails for good parks the run: the operator's retry and abort updates and the park timeout. */
class ParkingWorkflowTest extends WorkflowTestRun {

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
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
                    assertThat(e.message()).isEqualTo("step " + step.label() + " failed and waits for an"
                            + " operator (update retry or abort; undone if unanswered within PT72H): NON_RETRYABLE:"
                            + " AuthorizationFailed on step " + step);
                });
        verifyNoInteractions(compensation);
        replay(step);
    }

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
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
        onStep(CmkStep.CREATE_KEY, doThrow(nonRetryable("Conflict")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID), null, Duration.ofHours(2)));

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        CmkRunState state = queryState();
        assertThat(Duration.between(Instant.parse(state.parkedAt()), Instant.parse(state.finishedAt())))
                .isGreaterThanOrEqualTo(Duration.ofHours(2)).isLessThan(Duration.ofHours(3));
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
    }

    @Test
    void retryAndAbortAreRejectedUnlessParked() throws Exception {
        onStep(CmkStep.CREATE_KEY, doAnswer(blockUntilReleased(CmkStep.CREATE_KEY)));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        await().atMost(Duration.ofSeconds(10)).untilTrue(blockedStepEntered);

        assertThatThrownBy(() -> typedStub().retry("too early")).isInstanceOf(WorkflowUpdateException.class)
                .rootCause().hasMessageContaining("retry: accepted only while the run is AwaitingOperator; it is Running at step 3 (create key)");
        assertThatThrownBy(() -> typedStub().abort("too early")).isInstanceOf(WorkflowUpdateException.class)
                .rootCause().hasMessageContaining("abort: accepted only while the run is AwaitingOperator");

        releaseBlockedStep.countDown();
        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        verifyStep(CmkStep.CREATE_KEY, times(1));
        verifyNoInteractions(compensation);
        replay();
    }

    @Test
    void exhaustedRetriesParkTheRun() throws Exception {
        onStep(CmkStep.CREATE_KEY_VAULT, doThrow(retryable()));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));

        env.sleep(Duration.ofHours(1));

        awaitStatus(CmkStatus.AwaitingOperator);
        verifyStep(CmkStep.CREATE_KEY_VAULT, times(CmkActivityOptions.STEP_MAXIMUM_ATTEMPTS));
        assertThat(queryState().lastError()).contains("RETRYABLE", "InternalServerError");
        typedStub().abort(null);
        awaitClosed();
        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        verifyUndoneInReverse(CmkStep.CREATE_KEY_VAULT);
        replay();
    }

    @Test
    void anOperatorRetryOfTheGrantReusesTheFirstRead() throws Exception {
        onStep(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, doThrow(nonRetryable("Forbidden")).doReturn(grant(false)));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        typedStub().retry("permission granted");

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        // A second read would see this run's own entry (written by the first attempt) as pre-existing.
        verify(provisioning, times(1)).readCosmosDbKeyAccess(any(), any());
        verify(provisioning, times(2)).grantCosmosDbKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
    }

    @Test
    void aReadBesideTheKeyStepThatFailsParksStep4_andRetryReadsAgainBeforeTheGrant() throws Exception {
        doThrow(nonRetryable("Forbidden")).doReturn(grant(false)).when(provisioning).readCosmosDbKeyAccess(any(), any());
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);
        assertThat(queryState().currentStep()).isEqualTo(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS);
        verify(provisioning, never()).grantCosmosDbKeyAccess(any(), any(), any());

        typedStub().retry("permission granted");

        assertThat(stub().getResult(CmkRunState.class).status()).isEqualTo(CmkStatus.Succeeded);
        verify(provisioning, times(2)).readCosmosDbKeyAccess(any(), any());
        verify(provisioning, times(1)).grantCosmosDbKeyAccess(request(REQUEST_ID), vault(VaultOutcome.Disposition.CREATED), grant(false));
    }
}
