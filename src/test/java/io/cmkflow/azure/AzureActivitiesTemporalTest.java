package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.ProvisioningActivities;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The activities inside a real Temporal worker: failure types reach the workflow and Retry-After paces the retry. */
class AzureActivitiesTemporalTest {

    private static final String QUEUE = "azure-activities-test";
    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();
    private TestWorkflowEnvironment temporal;

    @WorkflowInterface
    public interface RegisterProvidersWorkflow {
        @WorkflowMethod
        String run(CmkRequest request);
    }

    public static class RegisterProvidersWorkflowImpl implements RegisterProvidersWorkflow {
        private final ProvisioningActivities activities = Workflow.newActivityStub(ProvisioningActivities.class,
                ActivityOptions.newBuilder()
                        .setStartToCloseTimeout(Duration.ofSeconds(30))
                        .setRetryOptions(RetryOptions.newBuilder().setInitialInterval(Duration.ofMillis(50))
                                .setBackoffCoefficient(1.0).setMaximumAttempts(3).build())
                        .build());

        @Override
        public String run(CmkRequest request) {
            try {
                return "registered:" + activities.registerResourceProviders(request).namespaces().size();
            } catch (ActivityFailure failure) {
                ApplicationFailure cause = (ApplicationFailure) failure.getCause();
                return "failed:" + cause.getType() + ":nonRetryable=" + cause.isNonRetryable();
            }
        }
    }

    @BeforeEach
    void startTemporal() {
        temporal = TestWorkflowEnvironment.newInstance(TestEnvironmentOptions.newBuilder().setUseTimeskipping(false).build());
        Worker worker = temporal.newWorker(QUEUE);
        worker.registerWorkflowImplementationTypes(RegisterProvidersWorkflowImpl.class);
        worker.registerActivitiesImplementations(new AzureProvisioningActivities(azure.clients(), CmkStack.FAST_POLLING, AuthorizationScope.everything(),
                (vaultId, own) -> { throw new AssertionError("no decommission here"); }));
        temporal.start();
        azure.arm().journal().clear();
    }

    @AfterEach
    void stopTemporal() {
        temporal.close();
        azure.arm().faults().clear();
    }

    @Test
    void aThrottledAttemptIsRetriedNoSoonerThanAzuresRetryAfter() {
        azure.arm().faults().inject(FaultRule.forOperation("Providers_List").status(429).code("TooManyRequests")
                .message("slow down").retryAfterSeconds(1).times(1));

        String result = run(TestRequests.request("throttle"));

        assertThat(result).isEqualTo("registered:" + ProviderRegistrationStep.NAMESPACES.size());
        List<JournalEntry> gets = azure.arm().journal().byOperation("Providers_List");
        assertThat(gets.get(0).status()).isEqualTo(429);
        assertThat(Duration.between(gets.get(0).receivedAt(), gets.get(1).receivedAt()))
                .as("the retry waits for Retry-After (1 s), not the 50 ms activity backoff")
                .isGreaterThanOrEqualTo(Duration.ofMillis(950));
    }

    @Test
    void aNonRetryableAzureErrorReachesTheWorkflowTypedAndIsNotRetried() {
        azure.arm().faults().inject(FaultRule.forOperation("Providers_List").status(403).code("AuthorizationFailed")
                .message("no access").times(3));

        String result = run(TestRequests.request("denied"));

        assertThat(result).isEqualTo("failed:NON_RETRYABLE:nonRetryable=true");
        assertThat(azure.arm().journal().byOperation("Providers_List")).hasSize(1);
    }

    @Test
    void badInputReachesTheWorkflowAsInvalidRequestWithoutAnyAzureCall() {
        CmkRequest bad = TestRequests.copy(TestRequests.request("invalid")).subscriptionId("not-a-guid").build();

        String result = run(bad);

        assertThat(result).isEqualTo("failed:INVALID_REQUEST:nonRetryable=true");
        assertThat(azure.arm().journal().entries()).isEmpty();
    }

    private String run(CmkRequest request) {
        WorkflowClient client = temporal.getWorkflowClient();
        RegisterProvidersWorkflow workflow = client.newWorkflowStub(RegisterProvidersWorkflow.class,
                WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId("test-" + request.requestId()).build());
        return workflow.run(request);
    }
}
