package io.cmkflow.workflow;

import io.cmkflow.contract.Operation;
import io.cmkflow.testing.TestPostureScheduling;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.testing.TestWorkflowExtension;
import io.temporal.worker.Worker;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.mockito.InOrder;
import org.mockito.stubbing.Answer;
import org.mockito.stubbing.Stubber;
import org.mockito.verification.VerificationMode;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static io.cmkflow.workflow.CmkWorkflowFixtures.*;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.argThat;
import static org.mockito.ArgumentMatchers.eq;
import static org.mockito.Mockito.doReturn;
import static org.mockito.Mockito.inOrder;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.verifyNoMoreInteractions;
import static org.mockito.Mockito.withSettings;

/**
 * The workflow's logic against the Temporal test server (time skipping, {@link TestWorkflowExtension}), with mocked
 * activities: the real client, worker, search attributes, updates, queries and cancellation; the Azure side is the
 * activity mocks, which answer as in a fully successful run until a test says otherwise. The scenarios are split by
 * concern into the subclasses; their names are those of the histories they record ({@link WorkflowHistories}).
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class WorkflowTestRun {

    static final String REQUEST_ID = "req-0001";
    static final String WORKFLOW_ID = WorkflowIds.forTarget(SUBSCRIPTION, RESOURCE_GROUP, WORKSPACE_NAME);
    /** The ownership the run hands its create and undo activities: its request, its target and its own run id. */
    static Ownership ownedByThisRun() {
        return argThat(owner -> owner != null && REQUEST_ID.equals(owner.requestId()) && WORKFLOW_ID.equals(owner.workflowId())
                && owner.runId() != null && !owner.runId().isBlank());
    }

    final ProvisioningActivities provisioning = mock(ProvisioningActivities.class, withSettings().withoutAnnotations());
    final CompensationActivities compensation = mock(CompensationActivities.class, withSettings().withoutAnnotations());
    final RecordingStatusPublisher statusEvents = new RecordingStatusPublisher();
    final TestPostureScheduling postureScheduling = new TestPostureScheduling();
    final PostureActivities posture = mock(PostureActivities.class, withSettings().withoutAnnotations());

    @RegisterExtension
    final TestWorkflowExtension temporal = TestWorkflowExtension.newBuilder()
            .registerWorkflowImplementationTypes(CmkWorkspaceWorkflowImpl.class)
            .setActivityImplementations(provisioning, compensation, statusEvents, postureScheduling, posture)
            .build();

    TestWorkflowEnvironment env;
    WorkflowClient client;
    CmkWorkflowStarter starter;
    final CountDownLatch releaseBlockedStep = new CountDownLatch(1);
    final AtomicBoolean blockedStepEntered = new AtomicBoolean();
    private String testName;

    @BeforeEach
    void startTemporal(TestWorkflowEnvironment env, WorkflowClient client, Worker worker, TestInfo info) {
        String method = info.getTestMethod().orElseThrow().getName();
        testName = info.getDisplayName().startsWith(method) ? method
                : method + "-" + info.getDisplayName().replaceAll("[^A-Za-z0-9_]+", "_").replaceAll("^_|_$", "");
        this.env = env;
        this.client = client;
        CmkSearchAttributes.register(env.getOperatorServiceStubs(), env.getNamespace());
        for (CmkStep step : CmkStep.of(Operation.CREATE)) {
            onStep(step, doReturn(outcome(step)));
        }
        doReturn(List.of(new UndoOutcome(WORKSPACE_ID, UndoOutcome.Result.DELETED, "purged", null)))
                .when(compensation).deleteWorkspace(any(), any());
        doReturn(new UndoOutcome(VAULT_ID, UndoOutcome.Result.DELETED, "access policy removed", null))
                .when(compensation).removeCosmosDbKeyAccess(any(), any());
        doReturn(new UndoOutcome(KEY_ID, UndoOutcome.Result.DELETED, null, null)).when(compensation).deleteKey(any(), any());
        doReturn(new UndoOutcome(VAULT_ID, UndoOutcome.Result.DELETED, "soft-deleted", "2027-02-27T00:00:00Z"))
                .when(compensation).deleteKeyVault(any(), any());
        doReturn(grant(false)).when(provisioning).readCosmosDbKeyAccess(any(), any());
        starter = new CmkWorkflowStarter(client, worker.getTaskQueue());
    }

    /** Runs before the extension closes the test server: a step still blocked would hold its worker. */
    @AfterEach
    void releaseAndCheckEvents() {
        releaseBlockedStep.countDown();
        assertThat(statusEvents.schemaViolations()).as("status events against status-event.schema.json").isEmpty();
    }

    Answer<Object> blockUntilReleased(CmkStep step) {
        return invocation -> {
            blockedStepEntered.set(true);
            releaseBlockedStep.await(30, TimeUnit.SECONDS);
            return outcome(step);
        };
    }

    /** Exactly the undos of the steps up to the failed one (its undo was registered before its create), newest first. */
    void verifyUndoneInReverse(CmkStep failedAt) {
        CmkRequest request = request(REQUEST_ID);
        InOrder order = inOrder(compensation);
        if (failedAt.number() >= CmkStep.CREATE_WORKSPACE.number()) {
            order.verify(compensation).deleteWorkspace(eq(request), ownedByThisRun());
        }
        if (failedAt.number() > CmkStep.GRANT_COSMOS_DB_KEY_ACCESS.number()) {
            order.verify(compensation).removeCosmosDbKeyAccess(request, grant(false));
        } else if (failedAt == CmkStep.GRANT_COSMOS_DB_KEY_ACCESS) {
            // Failed at step 4 the grant never reported; cancelled during it, the step may still have reported.
            order.verify(compensation).removeCosmosDbKeyAccess(eq(request), argThat(g -> g.vaultId().equals(VAULT_ID)));
        }
        if (failedAt.number() >= CmkStep.CREATE_KEY.number()) {
            order.verify(compensation).deleteKey(eq(request), ownedByThisRun());
        }
        if (failedAt.number() >= CmkStep.CREATE_KEY_VAULT.number()) {
            order.verify(compensation).deleteKeyVault(eq(request), ownedByThisRun());
        }
        verifyNoMoreInteractions(compensation);
    }

    void onStep(CmkStep step, Stubber stubber) {
        CmkWorkflowFixtures.onStep(provisioning, step, stubber);
    }

    void verifyStep(CmkStep step, VerificationMode mode) {
        CmkWorkflowFixtures.verifyStep(provisioning, step, mode);
    }

    static ApplicationFailure retryable() {
        return ApplicationFailure.newFailure("InternalServerError from ARM", "RETRYABLE");
    }

    static ApplicationFailure nonRetryable(String message) {
        return ApplicationFailure.newNonRetryableFailure(message, "NON_RETRYABLE");
    }

    /** Parked by compensation (CmkStage compensation) and answerable. */
    void awaitParkedInCompensation() {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(() -> {
            SearchAttributes attributes = stub().describe().getTypedSearchAttributes();
            return "AwaitingOperator".equals(attributes.get(CmkSearchAttributes.STATUS))
                    && CmkSearchAttributes.STAGE_COMPENSATION.equals(attributes.get(CmkSearchAttributes.STAGE));
        });
    }

    void awaitStatus(CmkStatus status) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(50)).until(
                () -> status.name().equals(stub().describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)));
    }

    /**
     * Waits, with the test server's clock held, until the run has closed. A blocking {@code getResult} lets the clock
     * skip ahead whenever the server is idle; while a slow worker is still handling the cancel of a parked run, that
     * skips past the workflow task timeout and towards the park timer, and on a busy machine the run can spin there
     * until the test's timeout. Waiting here, real time passes instead; {@code getResult} then returns at once.
     */
    void awaitClosed() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(
                () -> stub().describe().getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
    }

    WorkflowStub stub() {
        return client.newUntypedWorkflowStub(WORKFLOW_ID);
    }

    CmkWorkspaceWorkflow typedStub() {
        return client.newWorkflowStub(CmkWorkspaceWorkflow.class, WORKFLOW_ID);
    }

    CmkRunState queryState() {
        return stub().query("state", CmkRunState.class);
    }

    String currentDetails() {
        return stub().query(WorkflowClient.QUERY_TYPE_WORKFLOW_METADATA, WorkflowMetadata.class).getCurrentDetails();
    }

    void replay() throws Exception {
        WorkflowHistories.replayAndKeep(testName, client.fetchHistory(WORKFLOW_ID), true);
    }

    /** Of the per-step variants, those at the grant step (inferred undo) and the last step (every undo) are kept in the sources. */
    void replay(CmkStep step) throws Exception {
        WorkflowHistories.replayAndKeep(testName, client.fetchHistory(WORKFLOW_ID),
                step == CmkStep.GRANT_COSMOS_DB_KEY_ACCESS || step == CmkStep.VERIFY_MANAGED_RESOURCE_GROUP);
    }
}
