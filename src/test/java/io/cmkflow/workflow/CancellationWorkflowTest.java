package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.api.enums.v1.EventType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.failure.CanceledFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static io.cmkflow.workflow.CmkWorkflowFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.doAnswer;
import static org.mockito.Mockito.doThrow;
import static org.mockito.Mockito.verifyNoInteractions;

/** Cancellation: during a step, while parked, and racing the run's last event. */
class CancellationWorkflowTest extends WorkflowTestRun {

    @ParameterizedTest
    @EnumSource(value = CmkStep.class, to = "VERIFY_MANAGED_RESOURCE_GROUP")
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
        onStep(CmkStep.CREATE_WORKSPACE, doThrow(nonRetryable("InvalidKeyVaultKey")));
        starter.start(new CmkWorkflowInput(request(REQUEST_ID)));
        awaitStatus(CmkStatus.AwaitingOperator);

        stub().cancel();
        awaitClosed();

        assertThatThrownBy(() -> stub().getResult(CmkRunState.class)).cause().isInstanceOf(CanceledFailure.class);
        verifyUndoneInReverse(CmkStep.CREATE_WORKSPACE);
        assertThat(queryState().status()).isEqualTo(CmkStatus.Cancelled);
        assertThat(queryState().lastError()).contains("cancelled during step 5", "InvalidKeyVaultKey");
        assertThat(statusEvents.types()).endsWith(StatusEvent.Type.awaiting_operator, StatusEvent.Type.cancelled);
        assertThat(statusEvents.delivered.get(statusEvents.delivered.size() - 1).message()).isEqualTo(
                "cancelled during step 5 (create workspace); undone: create workspace, grant Cosmos DB key access, create key, create key vault;"
                        + " kv-cmk soft-deleted, recoverable until 2027-02-27T00:00:00Z");
        replay();
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
}
