package io.cmkflow.operator;

import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.cmkflow.testing.CmkStack;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** On-call actions through cmkflow's own run control, against the Java test server and real activities (listing needs visibility: see OperatorOnDevServerTest). */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RunControlTest {
    private static final String SUBSCRIPTION = "00000000-0000-4000-8000-0000000c0de0";
    private static final String GROUP = "rg-oncall";

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().intake(false).resourceGroup(SUBSCRIPTION, GROUP, "westeurope")
            .resetBeforeEach().build();

    private RunControl control;

    @BeforeEach
    void control() {
        control = new RunControl(stack.client());
    }

    @Test
    void aParkedRunIsListedAndRetryFinishesIt() {
        CmkRequest request = parkAtWorkspace("retry");
        stack.arm().faults().clear();

        String answer = control.retry(WorkflowIds.forRequest(request), "permission granted");

        assertThat(answer).contains("retrying step 5");
        CmkRunState done = result(request);
        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(stack.arm().state().workspace(SUBSCRIPTION, GROUP, request.workspace().name())).isPresent();
    }

    @Test
    void abortUndoesWhatTheParkedRunCreated() {
        CmkRequest request = parkAtWorkspace("abort");

        control.abort(WorkflowIds.forRequest(request), "wrong subscription");

        assertThatThrownBy(() -> stub(request).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        assertThat(control.state(WorkflowIds.forRequest(request)).status()).isEqualTo(CmkStatus.Compensated);
        assertThat(stack.arm().state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isEmpty();
        assertThat(stack.arm().state().deletedVault(request.keyVault().name())).isPresent();
    }

    @Test
    void retryOfARunningRunIsRefusedWithTheWorkflowsReason() {
        CmkRequest request = request("running");
        stack.arm().latency().forOperation("Keys_CreateIfNotExist", Duration.ofSeconds(2));
        start(request);
        await().atMost(Duration.ofSeconds(30)).until(() -> control.state(WorkflowIds.forRequest(request)).currentStep() != null
                && control.state(WorkflowIds.forRequest(request)).status() == CmkStatus.Running);

        assertThatThrownBy(() -> control.retry(WorkflowIds.forRequest(request), "impatient"))
                .isInstanceOf(RunControlException.class)
                .hasMessageContaining("accepted only while the run is AwaitingOperator");
        assertThat(result(request).status()).isEqualTo(CmkStatus.Succeeded);
    }

    @Test
    void cancelCompensatesAndAnEndedRunRefusesUpdates() {
        CmkRequest request = parkAtWorkspace("cancel");

        control.cancel(WorkflowIds.forRequest(request));

        // The query shows Cancelled as soon as compensation starts; the run has ended only once getResult returns.
        assertThatThrownBy(() -> stub(request).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        assertThat(control.state(WorkflowIds.forRequest(request)).status()).isEqualTo(CmkStatus.Cancelled);
        assertThat(stack.arm().state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isEmpty();
        assertThatThrownBy(() -> control.abort(WorkflowIds.forRequest(request), "too late"))
                .isInstanceOf(RunControlException.class)
                .hasMessageContaining("has ended (CANCELED)");
    }

    private static CmkRequest request(String name) {
        return new CmkRequest("req-" + name, SUBSCRIPTION, "72f988bf-86f1-41af-91ab-2d7cd011db47",
                CmkRequest.AZURE_CLOUD, GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"), Map.of());
    }

    private static void start(CmkRequest request) {
        assertThat(stack.starter().start(new CmkWorkflowInput(request)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
    }

    private CmkRequest parkAtWorkspace(String name) {
        CmkRequest request = request(name);
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        start(request);
        stack.awaitParked(WorkflowIds.forRequest(request), "create_workspace");
        return request;
    }

    private static CmkRunState result(CmkRequest request) {
        return stub(request).getResult(CmkRunState.class);
    }

    private static WorkflowStub stub(CmkRequest request) {
        return stack.client().newUntypedWorkflowStub(WorkflowIds.forRequest(request));
    }
}
