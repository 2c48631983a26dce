package io.cmkflow.operator;

import io.cmkflow.dev.DevTemporal;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.dev.TemporalCliRunner.CliResult;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import io.temporal.failure.CanceledFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * On-call actions against the real Temporal server (the CLI's dev server) with the application's worker and the ARM
 * simulator in-process: a run parks on a non-retryable ARM fault at step 5, is found by its status through
 * RunControl (what `cmkflow runs` uses) and `temporal workflow list`, described with `temporal workflow describe`, and retried, aborted or
 * cancelled with the Temporal CLI. Each test checks the run's end state and what reached ARM.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class OperatorOnDevServerTest {
    private static final String SUBSCRIPTION = "00000000-0000-4000-8000-0000000de0a1";
    private static final String GROUP = "rg-oncall-dev";

    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().temporalServer(DevTemporal::start).intake(false).resetBeforeEach().build();

    @Test
    void runControlListsParkedRunsByStatusPageByPage() {
        CmkRequest first = parkAtWorkspace("list-a");
        CmkRequest second = parkAtWorkspace("list-b");

        RunQuery mine = RunQuery.parked().withSubscriptionId(SUBSCRIPTION);
        RunControl.Page page1 = control().page(mine, 1, null);
        assertThat(page1.runs()).hasSize(1);
        assertThat(page1.nextPageToken()).isNotNull();
        List<String> paged = new ArrayList<>(page1.runs().stream().map(RunControl.RunSummary::workflowId).toList());
        String token = page1.nextPageToken();
        while (token != null) {
            RunControl.Page next = control().page(mine, 1, token);
            next.runs().forEach(run -> paged.add(run.workflowId()));
            token = next.nextPageToken();
        }
        assertThat(paged).contains(WorkflowIds.forRequest(first), WorkflowIds.forRequest(second)).doesNotHaveDuplicates();

        assertThat(control().list(RunQuery.all().withRequestId(first.requestId()), 10))
                .singleElement().satisfies(run -> {
                    assertThat(run.workflowId()).isEqualTo(WorkflowIds.forRequest(first));
                    assertThat(run.workspace()).isEqualTo(first.workspace().name());
                    assertThat(run.subscriptionId()).isEqualTo(SUBSCRIPTION);
                    assertThat(run.stage()).isEqualTo("create_workspace");
                    assertThat(run.executionStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
                });
        // A quote in a value stays inside its literal: the server accepts the query and nothing matches it.
        assertThat(control().list(RunQuery.all().withRequestId(first.requestId() + "' OR CmkStatus = 'AwaitingOperator"), 10)).isEmpty();
        assertThat(control().list(RunQuery.all().withWorkspace("back\\slash'"), 10)).isEmpty();

    }

    @Test
    void theTemporalCliListsAParkedRunByStatusAndDescribesItsSummaryAndDetails() {
        CmkRequest request = parkAtWorkspace("describe");
        String workflowId = WorkflowIds.forRequest(request);

        await().atMost(Duration.ofSeconds(20)).until(() -> workflowIds(DevTemporal.temporalCli(stack).run("workflow", "list",
                "--query", "CmkStatus='AwaitingOperator'", "-o", "json").json()).contains(workflowId));

        JsonNode describe = DevTemporal.temporalCli(stack).run("workflow", "describe", "--workflow-id", workflowId, "-o", "json").json();
        JsonNode info = describe.path("workflowExecutionInfo");
        assertThat(info.path("type").path("name").asText()).isEqualTo("CmkWorkspace");
        assertThat(info.path("status").asText()).isEqualTo("WORKFLOW_EXECUTION_STATUS_RUNNING");
        assertThat(keyword(info, "CmkStatus")).isEqualTo("AwaitingOperator");
        assertThat(keyword(info, "CmkStage")).isEqualTo("create_workspace");
        assertThat(keyword(info, "CmkRequestId")).isEqualTo(request.requestId());
        JsonNode userMetadata = describe.path("executionConfig").path("userMetadata");
        assertThat(userMetadata.path("summary").asText())
                .isEqualTo("CMK workspace mlw-dev-describe in " + GROUP + " (" + SUBSCRIPTION + "), request req-dev-describe");
        assertThat(userMetadata.path("details").asText())
                .startsWith("### CMK workspace request").contains("| Key vault | kv-dev-describe |", "| Key | cmk-describe (3072 bits) |");

        // The current details come from the built-in __temporal_workflow_metadata query, not from describe.
        JsonNode metadata = DevTemporal.temporalCli(stack).run("workflow", "metadata", "--workflow-id", workflowId, "-o", "json").json()
                .path("queryResult").path(0);
        assertThat(metadata.path("currentDetails").asText()).contains("**Status:** AwaitingOperator at step 5 (create workspace)",
                "| 5 | create workspace | FAILED |", "| 2 | create key vault | DONE | CREATED |", "AuthorizationFailed (HTTP 403)",
                "**Waiting for an operator**");
        assertThat(metadata.path("definition").path("updateDefinitions").findValuesAsText("name")).contains("retry", "abort");
    }

    /** A Keyword search attribute's value from describe's JSON: a base64 JSON payload under indexedFields. */
    private static String keyword(JsonNode info, String name) {
        String data = info.path("searchAttributes").path("indexedFields").path(name).path("data").asText();
        try {
            return JSON.readTree(Base64.getDecoder().decode(data)).asText();
        } catch (IOException e) {
            throw new AssertionError(name + ": " + data, e);
        }
    }

    @Test
    void retryThroughTheTemporalCliRerunsTheStepAndTheRunSucceeds() {
        CmkRequest request = parkAtWorkspace("retry");
        String workflowId = WorkflowIds.forRequest(request);
        stack.arm().faults().clear();

        CliResult update = DevTemporal.temporalCli(stack).run("workflow", "update", "execute", "--workflow-id", workflowId,
                "--name", "retry", "--input", "\"permission granted\"");

        assertThat(update.stdout()).contains("retrying step 5");
        CmkRunState done = stub(request).getResult(CmkRunState.class);
        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(done.steps()).allSatisfy(step -> assertThat(step.phase()).isEqualTo(CmkRunState.Phase.DONE));
        assertThat(stack.arm().state().workspace(SUBSCRIPTION, GROUP, request.workspace().name())).isPresent();
        assertThat(workspaceCreates(request)).extracting(JournalEntry::status).first().isEqualTo(403);
        assertThat(workspaceCreates(request)).extracting(JournalEntry::status).last().matches(s -> s / 100 == 2, "2xx");
        await().atMost(Duration.ofSeconds(10)).until(() -> statusEventTypes(request.requestId()).contains("succeeded"));
        assertThat(statusEventTypes(request.requestId())).containsSubsequence("awaiting_operator", "succeeded");
        await().atMost(Duration.ofSeconds(10)).until(() -> control().parked().stream().noneMatch(run -> run.workflowId().equals(workflowId)));
    }

    @Test
    void abortThroughTheTemporalCliUndoesWhatTheRunCreated() {
        CmkRequest request = parkAtWorkspace("abort");
        String workflowId = WorkflowIds.forRequest(request);
        assertThat(stack.arm().state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isPresent();

        CliResult update = DevTemporal.temporalCli(stack).run("workflow", "update", "execute", "--workflow-id", workflowId,
                "--name", "abort", "--input", "\"wrong subscription\"");

        assertThat(update.stdout()).contains("aborting");
        assertThatThrownBy(() -> stub(request).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        CmkRunState state = control().state(workflowId);
        assertThat(state.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(stack.arm().state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isEmpty();
        assertThat(stack.arm().state().deletedVault(request.keyVault().name())).isPresent();
        assertThat(stack.arm().state().workspace(SUBSCRIPTION, GROUP, request.workspace().name())).isEmpty();
        assertThat(journal("Vaults_Delete", request.keyVault().name())).extracting(JournalEntry::status).containsOnly(200);
        assertThat(statusEventTypes(request.requestId())).containsSubsequence("awaiting_operator", "compensated");
    }

    @Test
    void anAbortLeavesTheVaultAnotherRunInFlightNamesAsFoundByTheServersVisibility() {
        CmkRequest first = parkAtWorkspace("holder");
        String vault = first.keyVaultId().id();
        CmkRequest given = TestRequests.copy(request("given"))
                .vault(new CmkRequest.KeyVault(null, vault, null, null, null)).build();
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(given.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        stack.starter().start(new CmkWorkflowInput(given));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> control().parked().stream()
                .anyMatch(run -> run.workflowId().equals(WorkflowIds.forRequest(given))));
        // The visibility query RunControl sends for an undo: any case of the id, the asking run left out, quotes inert.
        assertThat(control().namingVault(vault.toUpperCase(), WorkflowIds.forRequest(first))).containsExactly(WorkflowIds.forRequest(given));
        assertThat(control().namingVault(vault + "' OR CmkStatus = 'AwaitingOperator", "none")).isEmpty();

        control().abort(WorkflowIds.forRequest(first), "not wanted");
        assertThatThrownBy(() -> stub(first).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);

        CmkRunState state = control().state(WorkflowIds.forRequest(first));
        assertThat(state.compensation()).filteredOn(undo -> !undo.action().equals("deleteWorkspace")).isNotEmpty()
                .allSatisfy(undo -> assertThat(undo.toString()).contains("IN_USE", WorkflowIds.forRequest(given)));
        assertThat(stack.arm().state().vault(SUBSCRIPTION, GROUP, first.keyVault().name())).isPresent();
        assertThat(journal("Vaults_Delete", first.keyVault().name())).isEmpty();
        control().abort(WorkflowIds.forRequest(given), "clean up");
    }

    @Test
    void cancelThroughTheTemporalCliCompensatesAndTheRunEndsCancelled() {
        CmkRequest request = parkAtWorkspace("cancel");
        String workflowId = WorkflowIds.forRequest(request);

        CliResult cancel = DevTemporal.temporalCli(stack).run("workflow", "cancel", "--workflow-id", workflowId);

        assertThat(cancel.exitCode()).as(cancel.stderr()).isZero();
        assertThatThrownBy(() -> stub(request).getResult(CmkRunState.class))
                .isInstanceOf(WorkflowFailedException.class).hasCauseInstanceOf(CanceledFailure.class);
        assertThat(stub(request).describe().getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        assertThat(control().state(workflowId).status()).isEqualTo(CmkStatus.Cancelled);
        assertThat(stack.arm().state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isEmpty();
        assertThat(stack.arm().state().deletedVault(request.keyVault().name())).isPresent();
        assertThat(journal("Vaults_Delete", request.keyVault().name())).extracting(JournalEntry::status).containsOnly(200);
        assertThat(statusEventTypes(request.requestId())).containsSubsequence("awaiting_operator", "cancelled");
    }

    private static CmkRequest request(String name) {
        return new CmkRequest("req-dev-" + name, SUBSCRIPTION, "72f988bf-86f1-41af-91ab-2d7cd011db47",
                CmkRequest.AZURE_CLOUD, GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-dev-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-dev-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"), Map.of());
    }

    /** Starts a run whose workspace create is refused (403, non-retryable) and waits until `cmkflow runs` shows it parked. */
    private static CmkRequest parkAtWorkspace(String name) {
        CmkRequest request = request(name);
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        assertThat(stack.starter().start(new CmkWorkflowInput(request)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> control().parked().stream()
                .anyMatch(run -> run.workflowId().equals(WorkflowIds.forRequest(request))
                        && "create_workspace".equals(run.stage()) && request.requestId().equals(run.requestId())));
        return request;
    }

    private static RunControl control() {
        return new RunControl(stack.client());
    }

    /** The status events the worker published to the status queue for {@code requestId}, by {@code type}, in order. */
    private static List<String> statusEventTypes(String requestId) {
        List<String> types = new ArrayList<>();
        for (QueuedMessage message : stack.serviceBus().queue(CmkStack.STATUS).activeMessages()) {
            try {
                JsonNode event = JSON.readTree(message.bodyAsString());
                if (requestId.equals(event.path("requestId").asText())) {
                    types.add(event.path("type").asText());
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
        return types;
    }

    private static List<JournalEntry> workspaceCreates(CmkRequest request) {
        return journal("Workspaces_CreateOrUpdate", request.workspace().name());
    }

    private static List<JournalEntry> journal(String operation, String resourceName) {
        return stack.arm().journal().byOperation(operation).stream()
                .filter(entry -> entry.path().toLowerCase().contains("/" + resourceName.toLowerCase())).toList();
    }

    private static List<String> workflowIds(JsonNode list) {
        return StreamSupport.stream(list.spliterator(), false).map(run -> run.path("execution").path("workflowId").asText()).toList();
    }

    private static WorkflowStub stub(CmkRequest request) {
        return stack.client().newUntypedWorkflowStub(WorkflowIds.forRequest(request));
    }
}
