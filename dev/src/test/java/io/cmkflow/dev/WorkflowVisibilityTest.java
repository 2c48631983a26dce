package io.cmkflow.dev;

import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkStep;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.CmkWorkspaceWorkflow;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.sdk.v1.WorkflowMetadata;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributes;
import io.cmkflow.testing.CmkStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * What an operator sees of a run through the real client over gRPC (describe, the state query, the built-in metadata
 * query), at each status, with the local default's parts: the port-bound Temporal test server, the worker, the real
 * Azure activities against the ARM simulator. A step is held in place by latency on one ARM operation, a run is
 * parked by an injected non-retryable fault.
 */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class WorkflowVisibilityTest {

    private static final String SUBSCRIPTION = "00000000-0000-4000-8000-00000000a11c";
    private static final String GROUP = "rg-visibility";
    private static final Duration HOLD = Duration.ofMillis(1500);

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().intake(false).resourceGroup(SUBSCRIPTION, GROUP, "westeurope")
            .resetBeforeEach().build();

    @Test
    void aRunShowsItsCurrentStepWhileRunningAndItsOutcomeWhenSucceeded() {
        CmkRequest request = request("vis-ok", 3072);
        stack.arm().latency().forOperation("Keys_CreateIfNotExist", HOLD);
        start(request);

        awaitStatus(request, CmkStatus.Running, CmkStep.CREATE_KEY.stage());
        // Step 4's read runs beside the key step and ends within milliseconds; the held key step stays pending.
        await().atMost(HOLD).pollInterval(Duration.ofMillis(20)).until(() -> pendingActivities(request).stream()
                .noneMatch("ReadCosmosDbKeyAccess"::equals));
        WorkflowExecutionDescription running = stub(request).describe();
        assertIdentity(running.getTypedSearchAttributes(), request);
        assertThat(running.getRawDescription().getPendingActivitiesList()).extracting(a -> a.getActivityType().getName())
                .containsExactly("CreateKey");
        assertThat(currentDetails(request)).contains("**Status:** Running at step 3 (create key)", "| 3 | create key | RUNNING |",
                "| 2 | create key vault | DONE | CREATED |");
        assertThat(state(request).currentStep()).isEqualTo(CmkStep.CREATE_KEY);

        CmkRunState done = stub(request).getResult(CmkRunState.class);

        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        WorkflowExecutionDescription succeeded = stub(request).describe();
        assertThat(succeeded.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
        assertIdentity(succeeded.getTypedSearchAttributes(), request);
        assertThat(succeeded.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Succeeded");
        assertThat(succeeded.getTypedSearchAttributes().get(CmkSearchAttributes.STAGE)).isEqualTo(CmkSearchAttributes.STAGE_DONE);
        assertThat(succeeded.getStaticSummary()).isEqualTo("CMK workspace mlw-vis-ok in " + GROUP + " (" + SUBSCRIPTION
                + "), request req-vis-ok");
        assertThat(succeeded.getStaticDetails()).contains("| Request id | req-vis-ok |", "| Workspace | mlw-vis-ok |",
                "| Key vault | kv-vis-ok |", "| Key | cmk-vis-ok (3072 bits) |");
        assertThat(currentDetails(request)).contains("**Status:** Succeeded", "| 6 | verify managed resource group | DONE | VERIFIED |")
                .doesNotContain("Last error");
        assertThat(state(request).outcomes().workspace().workspaceId()).endsWith("/workspaces/mlw-vis-ok");
    }

    @Test
    void aParkedRunShowsAwaitingOperatorThenCompensatingThenCompensated() {
        CmkRequest request = request("vis-abort", 3072);
        parkAtWorkspace(request);

        // The awaiting_operator status event is published right after the status is set; once it is out, nothing runs.
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(stub(request).describe().getRawDescription()
                .getPendingActivitiesList()).as("a parked run has no pending activity: the status attribute is what finds it").isEmpty());
        WorkflowExecutionDescription parked = stub(request).describe();
        assertIdentity(parked.getTypedSearchAttributes(), request);
        assertThat(currentDetails(request)).contains("**Status:** AwaitingOperator at step 5 (create workspace)",
                "AuthorizationFailed", "**Waiting for an operator**", "`retry`", "`abort`");
        assertThat(state(request).lastError()).contains("step 5 (create workspace)", "AuthorizationFailed");

        stack.arm().latency().forOperation("Vaults_Delete", HOLD);
        stack.client().newWorkflowStub(CmkWorkspaceWorkflow.class, workflowId(request)).abort("no permission for workspaces");

        awaitStatus(request, CmkStatus.Compensating, CmkSearchAttributes.STAGE_COMPENSATION);
        // The vault's undo is held: the undos before it show as they finish, while the run is still Compensating.
        await().atMost(Duration.ofSeconds(30)).until(() -> currentDetails(request).contains("| deleteKey | DONE |"));
        assertThat(currentDetails(request)).contains("**Status:** Compensating", "**Compensation**", "| deleteWorkspace | DONE |")
                .doesNotContain("| deleteKeyVault |");
        assertThat(stub(request).describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Compensating");
        assertThatThrownBy(() -> stub(request).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        WorkflowExecutionDescription compensated = stub(request).describe();
        assertThat(compensated.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
        assertThat(compensated.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Compensated");
        assertThat(compensated.getTypedSearchAttributes().get(CmkSearchAttributes.STAGE)).isEqualTo(CmkSearchAttributes.STAGE_DONE);
        assertThat(currentDetails(request)).contains("**Status:** Compensated", "| deleteKeyVault | DONE |");
        assertThat(stack.arm().state().workspaces()).noneMatch(w -> w.name().equals("mlw-vis-abort"));
    }

    @Test
    void aCancelledRunShowsCancelled() {
        CmkRequest request = request("vis-cancel", 3072);
        parkAtWorkspace(request);

        stub(request).cancel();

        assertThatThrownBy(() -> stub(request).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        WorkflowExecutionDescription cancelled = stub(request).describe();
        assertThat(cancelled.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        assertIdentity(cancelled.getTypedSearchAttributes(), request);
        assertThat(cancelled.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Cancelled");
        assertThat(cancelled.getTypedSearchAttributes().get(CmkSearchAttributes.STAGE)).isEqualTo(CmkSearchAttributes.STAGE_DONE);
        assertThat(currentDetails(request)).contains("**Status:** Cancelled", "cancelled during step 5");
    }

    @Test
    void aRunWhoseRequestFailsTheRecheckShowsFailedAtValidate() {
        CmkRequest request = request("vis-weak", 2048);
        start(request);

        assertThatThrownBy(() -> stub(request).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        WorkflowExecutionDescription failed = stub(request).describe();
        assertThat(failed.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)).isEqualTo("Failed");
        assertThat(failed.getTypedSearchAttributes().get(CmkSearchAttributes.STAGE)).isEqualTo("validate");
        assertThat(failed.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID)).isEqualTo("req-vis-weak");
        assertThat(state(request).lastError()).startsWith("INVALID_REQUEST: key.size");
        assertThat(currentDetails(request)).contains("**Status:** Failed", "INVALID_REQUEST: key.size");
    }

    private void parkAtWorkspace(CmkRequest request) {
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        start(request);
        stack.awaitParked(workflowId(request), CmkStep.CREATE_WORKSPACE.stage());
    }

    private static void start(CmkRequest request) {
        assertThat(stack.starter().start(new CmkWorkflowInput(request)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
    }

    private static void awaitStatus(CmkRequest request, CmkStatus status, String stage) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
            SearchAttributes attributes = stub(request).describe().getTypedSearchAttributes();
            return status.name().equals(attributes.get(CmkSearchAttributes.STATUS))
                    && stage.equals(attributes.get(CmkSearchAttributes.STAGE));
        });
    }

    private static void assertIdentity(SearchAttributes attributes, CmkRequest request) {
        assertThat(Map.of(
                "request", attributes.get(CmkSearchAttributes.REQUEST_ID),
                "subscription", attributes.get(CmkSearchAttributes.SUBSCRIPTION_ID),
                "workspace", attributes.get(CmkSearchAttributes.WORKSPACE)))
                .isEqualTo(Map.of("request", request.requestId(), "subscription", SUBSCRIPTION, "workspace", request.workspace().name()));
    }

    private static String currentDetails(CmkRequest request) {
        return stub(request).query(WorkflowClient.QUERY_TYPE_WORKFLOW_METADATA, WorkflowMetadata.class).getCurrentDetails();
    }

    private static CmkRunState state(CmkRequest request) {
        return stub(request).query("state", CmkRunState.class);
    }

    private static WorkflowStub stub(CmkRequest request) {
        return stack.client().newUntypedWorkflowStub(workflowId(request));
    }

    private static String workflowId(CmkRequest request) {
        return WorkflowIds.forRequest(request);
    }

    private static CmkRequest request(String name, int keySize) {
        return new CmkRequest("req-" + name, SUBSCRIPTION, "72f988bf-86f1-41af-91ab-2d7cd011db47", CmkRequest.AZURE_CLOUD,
                GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, keySize, "RSA"),
                Map.of("purpose", "visibility"));
    }

    private static List<String> pendingActivities(CmkRequest request) {
        return stub(request).describe().getRawDescription().getPendingActivitiesList().stream()
                .map(a -> a.getActivityType().getName()).toList();
    }
}
