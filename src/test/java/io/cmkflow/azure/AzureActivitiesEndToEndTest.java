package io.cmkflow.azure;

import io.cmkflow.testing.TestServerInFlightRuns;
import io.cmkflow.contract.AuthorizationScope;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.workflow.ProvisioningActivities;
import io.cmkflow.workflow.WorkflowIds;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.temporal.activity.ActivityOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import io.temporal.worker.Worker;
import io.temporal.workflow.Workflow;
import io.temporal.workflow.WorkflowInterface;
import io.temporal.workflow.WorkflowMethod;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static io.cmkflow.testing.TestRequests.GROUP;
import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * All six provisioning activities, then all four undo activities, run by a real Temporal worker against the
 * simulator: outcomes survive Temporal's serialization between activities, and compensation leaves only the
 * soft-deleted vault behind.
 */
class AzureActivitiesEndToEndTest {

    private static final String QUEUE = "azure-e2e";
    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();
    private static TestWorkflowEnvironment temporal;

    /** What the test workflow saw. */
    public record RunReport(VaultOutcome vault, KeyOutcome key, KeyAccessOutcome grant, WorkspaceOutcome workspace,
                            ManagedGroupOutcome managedGroup, List<UndoOutcome> undo) {
    }

    @WorkflowInterface
    public interface ProvisionThenCompensate {
        @WorkflowMethod
        RunReport run(CmkRequest request);
    }

    public static class ProvisionThenCompensateImpl implements ProvisionThenCompensate {
        private final ActivityOptions options = ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(30))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(2).build())
                .build();
        private final ProvisioningActivities provisioning = Workflow.newActivityStub(ProvisioningActivities.class, options);
        private final CompensationActivities compensation = Workflow.newActivityStub(CompensationActivities.class, options);

        @Override
        public RunReport run(CmkRequest request) {
            // As the real workflow does: its own run's ownership (the activities refuse any other run's).
            Ownership owner = new Ownership(request.requestId(), Workflow.getInfo().getWorkflowId(),
                    Workflow.getInfo().getRunId(), List.of(), List.of());
            provisioning.registerResourceProviders(request);
            VaultOutcome vault = provisioning.createKeyVault(request, owner);
            KeyOutcome key = provisioning.createKey(request, vault, owner);
            KeyAccessOutcome grant = provisioning.grantCosmosDbKeyAccess(request, vault, provisioning.readCosmosDbKeyAccess(request, vault));
            WorkspaceOutcome workspace = provisioning.createWorkspace(request, vault, key, owner);
            ManagedGroupOutcome group = provisioning.verifyManagedResourceGroup(request, workspace);
            List<UndoOutcome> undo = new ArrayList<>(compensation.deleteWorkspace(request, owner));
            undo.add(compensation.removeCosmosDbKeyAccess(request, grant));
            undo.add(compensation.deleteKey(request, owner));
            undo.add(compensation.deleteKeyVault(request, owner));
            return new RunReport(vault, key, grant, workspace, group, undo);
        }
    }

    @BeforeAll
    static void steps() {
        temporal = TestWorkflowEnvironment.newInstance();
        Worker worker = temporal.newWorker(QUEUE);
        worker.registerWorkflowImplementationTypes(ProvisionThenCompensateImpl.class);
        TestServerInFlightRuns inFlight = new TestServerInFlightRuns(temporal.getWorkflowClient());
        worker.registerActivitiesImplementations(new AzureProvisioningActivities(azure.clients(), CmkStack.FAST_POLLING,
                AuthorizationScope.everything(), inFlight), new AzureCompensationActivities(azure.clients(),
                CmkStack.FAST_POLLING, AuthorizationScope.everything(), inFlight));
        temporal.start();
    }

    @AfterAll
    static void stop() {
        temporal.close();
    }

    @Test
    void provisionsThroughTemporalThenCompensatesBackToTheStartingState() {
        var resourcesBefore = azure.arm().state().resourcesIn(SUBSCRIPTION, GROUP).size();
        var groupsBefore = azure.arm().state().resourceGroups().size();
        CmkRequest request = TestRequests.request("e2e");

        RunReport report = temporal.getWorkflowClient().newWorkflowStub(ProvisionThenCompensate.class,
                        WorkflowOptions.newBuilder().setTaskQueue(QUEUE).setWorkflowId(WorkflowIds.forRequest(request)).build())
                .run(request);

        assertThat(report.vault().disposition()).isEqualTo(VaultOutcome.Disposition.CREATED);
        assertThat(report.key().created()).isTrue();
        assertThat(report.grant().alreadyPresent()).isFalse();
        assertThat(report.workspace().provisioningState()).isEqualTo("Succeeded");
        assertThat(report.managedGroup().resourceGroupName()).isEqualTo(report.workspace().serviceProvisionedResourceGroup());
        assertThat(report.undo()).extracting(UndoOutcome::result).containsOnly(UndoOutcome.Result.DELETED).hasSize(7);
        assertThat(report.undo().get(6).recoverableUntil()).isNotBlank();
        assertThat(azure.arm().state().resourcesIn(SUBSCRIPTION, GROUP)).hasSize(resourcesBefore);
        assertThat(azure.arm().state().resourceGroups()).hasSize(groupsBefore);
        assertThat(azure.arm().state().deletedVault("kv-e2e")).isPresent();
        assertThat(azure.arm().state().refusedDeletes()).isEmpty();
    }
}
