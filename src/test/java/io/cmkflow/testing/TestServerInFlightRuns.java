package io.cmkflow.testing;

import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.InFlightRuns;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;

import java.util.List;
import java.util.Locale;

/**
 * {@link InFlightRuns} on the Java test server, which has no visibility queries (production's {@code RunControl} asks
 * {@code ListWorkflowExecutions} for {@code CmkKeyVault}): the open runs it lists, each described for its
 * {@code CmkKeyVault}. Same answer, by the means that server has.
 */
public final class TestServerInFlightRuns implements InFlightRuns {

    private final WorkflowClient client;

    public TestServerInFlightRuns(WorkflowClient client) {
        this.client = client;
    }

    @Override
    public List<String> namingVault(String vaultId, String ownWorkflowId) {
        String vault = vaultId.toLowerCase(Locale.ROOT);
        return client.getWorkflowServiceStubs().blockingStub().listOpenWorkflowExecutions(
                        ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(client.getOptions().getNamespace())
                                .setMaximumPageSize(1000).build())
                .getExecutionsList().stream()
                .map(info -> info.getExecution().getWorkflowId())
                .filter(id -> !id.equals(ownWorkflowId))
                .filter(id -> vault.equals(client.newUntypedWorkflowStub(id).describe().getTypedSearchAttributes()
                        .get(CmkSearchAttributes.KEY_VAULT)))
                .toList();
    }
}
