package io.cmkflow.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.operator.RunControl;
import io.cmkflow.operator.RunQuery;
import io.cmkflow.operator.api.ConfiguredTokens;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.TestSecrets;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import io.micronaut.runtime.server.EmbeddedServer;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The picocli command line run in-process against a running app (the CLI's dev server with the worker, the ARM
 * simulator, the intake and the operator API): exit codes, tables, JSON, one-line errors, Temporal direct and through the API.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CliOnDevServerTest {
    private static final String SUBSCRIPTION = "00000000-0000-4000-8000-0000000c1100";
    private static final String GROUP = "rg-cli";
    private static final String OPERATOR_TOKEN = TestSecrets.CLI_OPERATOR_API_TOKEN;
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().temporalServer(DevTemporal::start).requestTarget()
            .property("micronaut.server.port", FreePorts.next())
            .property("endpoints.all.port", FreePorts.next())
            .property("cmkflow.api.tokens", List.of("olga:operator:" + ConfiguredTokens.sha256Hex(OPERATOR_TOKEN)))
            .build();

    private static String api;

    @BeforeAll
    static void serveTheApi() {
        EmbeddedServer server = stack.app().getBean(EmbeddedServer.class);
        server.start();
        api = server.getURI().toString();
    }

    /** What one `cmkflow ...` printed and answered. */
    record Run(int exitCode, String out, String err) {
        JsonNode json() {
            try {
                return JSON.readTree(out);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + out, e);
            }
        }
    }

    private static Run cmkflow(String... args) {
        return cmkflow(System.getenv(), args);
    }

    private static Run cmkflow(Map<String, String> environment, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = DevApplication.commandLine(environment).setOut(new PrintWriter(out, true)).setErr(new PrintWriter(err, true)).execute(args);
        return new Run(exitCode, out.toString(), err.toString());
    }

    /** A run command against the stack's dev server, Temporal direct. */
    private static Run direct(String... args) {
        List<String> all = new ArrayList<>(Arrays.asList(args));
        all.addAll(List.of("--temporal", DevTemporal.devServer(stack).target()));
        return cmkflow(all.toArray(String[]::new));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "submit", "runs", "runs list", "show", "retry", "abort", "cancel", "dev", "serve", "demo", "arm-simulator"})
    void helpOfEachCommandPrintsItsUsageAndExitsZero(String command) {
        List<String> args = new ArrayList<>(command.isEmpty() ? List.of() : Arrays.asList(command.split(" ")));
        args.add("--help");

        Run help = cmkflow(args.toArray(String[]::new));

        assertThat(help.exitCode()).isZero();
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).startsWith("Usage: cmkflow" + (command.isEmpty() ? "" : " " + command)).contains("--help")
                .doesNotContain("Exception");
        if (command.isEmpty()) {
            assertThat(help.out()).contains("submit", "runs", "retry", "Exit codes:", "2  usage", "3  unreachable", "4  unauthorized");
        }
    }

    @Test
    void usageErrorsExitTwoWithTheReasonAndNoStackTrace() {
        Run missing = cmkflow("show");
        assertThat(missing.exitCode()).isEqualTo(2);
        assertThat(missing.err()).contains("Missing required parameter: 'WORKFLOW_ID'", "Usage: cmkflow show").doesNotContain("Exception");

        Run badStatus = cmkflow("runs", "--status", "Parked");
        assertThat(badStatus.exitCode()).isEqualTo(2);
        assertThat(badStatus.err()).contains("Parked", "AwaitingOperator");

        assertThat(cmkflow("frobnicate").exitCode()).isEqualTo(2);
        assertThat(cmkflow().exitCode()).isEqualTo(2);
        assertThat(cmkflow("runs", "--all", "--open").err()).contains("--all lists every run");
    }

    @Test
    void runsListPrintsATableAndJsonOfTheParkedRun() {
        CmkRequest request = parkAtWorkspace("list");
        String workflowId = WorkflowIds.forRequest(request);

        Run table = direct("runs", "list", "--status", "AwaitingOperator");
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out().lines().findFirst().orElseThrow()).matches("WORKFLOW ID +REQUEST +STATUS +STAGE +STARTED");
        assertThat(table.out().lines().filter(line -> line.startsWith(workflowId + " ")))
                .singleElement().asString().contains(request.requestId(), "AwaitingOperator", "create_workspace");

        Run json = direct("runs", "--request-id", request.requestId(), "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.json()).singleElement().satisfies(run -> {
            assertThat(run.path("workflowId").asText()).isEqualTo(workflowId);
            assertThat(run.path("status").asText()).isEqualTo("AwaitingOperator");
            assertThat(run.path("stage").asText()).isEqualTo("create_workspace");
        });
    }

    @Test
    void showPrintsAParkedRunsStepsAsATableAndAsJson() {
        CmkRequest request = parkAtWorkspace("show");
        String workflowId = WorkflowIds.forRequest(request);

        Run table = direct("show", workflowId);
        assertThat(table.exitCode()).as(table.err()).isZero();
        assertThat(table.out()).contains(workflowId, "status AwaitingOperator", "step 5 (create workspace)", "AuthorizationFailed");
        assertThat(table.out().lines()).anyMatch(line -> line.matches("STEP +TITLE +PHASE +RESULT +ATTEMPTS +RESOURCE"));

        Run json = direct("show", workflowId, "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.json().path("status").asText()).isEqualTo("AwaitingOperator");
        assertThat(json.json().path("request").path("requestId").asText()).isEqualTo(request.requestId());
    }

    @Test
    void retryOfAParkedRunExitsZeroAndOfTheEndedRunExitsOne() {
        CmkRequest request = parkAtWorkspace("retry");
        String workflowId = WorkflowIds.forRequest(request);
        stack.arm().faults().clear();

        Run retry = direct("retry", workflowId, "permission", "granted");
        assertThat(retry.exitCode()).as(retry.err()).isZero();
        assertThat(retry.out()).contains("retrying step 5");
        awaitEnded(workflowId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
        assertThat(control().state(workflowId).status()).isEqualTo(CmkStatus.Succeeded);

        Run again = direct("retry", workflowId);
        assertThat(again.exitCode()).isEqualTo(1);
        assertThat(again.err().lines()).singleElement().asString().contains("refused", "has ended (COMPLETED)");
    }

    @Test
    void abortOfAParkedRunAnswersJsonAndTheRunCompensates() {
        CmkRequest request = parkAtWorkspace("abort");
        String workflowId = WorkflowIds.forRequest(request);

        Run abort = direct("abort", workflowId, "wrong", "subscription", "--json");

        assertThat(abort.exitCode()).as(abort.err()).isZero();
        assertThat(abort.json().path("workflowId").asText()).isEqualTo(workflowId);
        assertThat(abort.json().path("action").asText()).isEqualTo("abort");
        assertThat(abort.json().path("result").asText()).contains("aborting");
        awaitEnded(workflowId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_FAILED);
        assertThat(control().state(workflowId).status()).isEqualTo(CmkStatus.Compensated);
        assertThat(direct("abort", workflowId).exitCode()).isEqualTo(1);
    }

    @Test
    void anUnknownRunExitsOneWithOneLine() {
        Run show = direct("show", "cmk-workspace/none/none/none");

        assertThat(show.exitCode()).isEqualTo(1);
        assertThat(show.err().lines()).singleElement().asString()
                .isEqualTo("cmkflow show: refused: no run cmk-workspace/none/none/none (Temporal knows no workflow with this id)");
    }

    @Test
    void anUnreachableTemporalExitsThreeWithOneLineAndVerboseAddsTheStackTrace() {
        String nobody = "127.0.0.1:" + FreePorts.next();

        Run runs = cmkflow("runs", "--temporal", nobody);
        assertThat(runs.exitCode()).isEqualTo(3);
        assertThat(runs.err().lines()).singleElement().asString().startsWith("cmkflow runs: unreachable: Temporal answered UNAVAILABLE");

        Run verbose = cmkflow("runs", "--temporal", nobody, "--verbose");
        assertThat(verbose.exitCode()).isEqualTo(3);
        assertThat(verbose.err()).contains("StatusRuntimeException");
    }

    @Test
    void throughTheOperatorApiAGoodTokenActsAndABadOneExitsFour() {
        CmkRequest request = parkAtWorkspace("api");
        String workflowId = WorkflowIds.forRequest(request);

        Run unauthorized = cmkflow("runs", "--api", api, "--token", "not-a-token");
        assertThat(unauthorized.exitCode()).isEqualTo(4);
        assertThat(unauthorized.err().lines()).singleElement().asString().contains("unauthorized", "HTTP 401");

        Run list = cmkflow("runs", "--request-id", request.requestId(), "--api", api, "--token", OPERATOR_TOKEN, "--json");
        assertThat(list.exitCode()).as(list.err()).isZero();
        assertThat(list.json()).singleElement().satisfies(run -> assertThat(run.path("workflowId").asText()).isEqualTo(workflowId));

        Run show = cmkflow("show", workflowId, "--api", api, "--token", OPERATOR_TOKEN);
        assertThat(show.exitCode()).as(show.err()).isZero();
        assertThat(show.out()).contains("status AwaitingOperator", "step 5 (create workspace)");

        Run cancel = cmkflow("cancel", workflowId, "--api", api, "--token", OPERATOR_TOKEN);
        assertThat(cancel.exitCode()).as(cancel.err()).isZero();
        awaitEnded(workflowId, WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_CANCELED);
        assertThat(control().state(workflowId).status()).isEqualTo(CmkStatus.Cancelled);

        Run ended = cmkflow("cancel", workflowId, "--api", api, "--token", OPERATOR_TOKEN);
        assertThat(ended.exitCode()).isEqualTo(1);
        assertThat(ended.err().lines()).singleElement().asString().contains("has ended");

        Run unknown = cmkflow("show", "cmk-workspace/none/none/none", "--api", api, "--token", OPERATOR_TOKEN);
        assertThat(unknown.exitCode()).isEqualTo(1);
        assertThat(unknown.err()).contains("no run cmk-workspace/none/none/none");
    }

    @Test
    void submitWaitPrintsEachRequestsProgressAndExitsZeroWhenAllSucceeded(@TempDir Path folder) throws IOException {
        ObjectNode first = TestRequests.json("req-cli-submit-1", "ws-cli-submit-1");
        ObjectNode second = TestRequests.json("req-cli-submit-2", "ws-cli-submit-2");
        Path firstFile = Files.write(folder.resolve("first.json"), TestRequests.bytes(first));
        Path secondFile = Files.write(folder.resolve("second.json"), TestRequests.bytes(second));

        Run submit = cmkflow(Map.of("CMKFLOW_SERVICEBUS_CONNECTION_STRING", stack.serviceBus().connectionString(),
                        "CMKFLOW_REQUEST_QUEUE", CmkStack.REQUESTS, "CMKFLOW_STATUS_QUEUE", CmkStack.STATUS),
                "submit", "--wait", "--timeout", "PT2M", firstFile.toString(), secondFile.toString());

        assertThat(submit.exitCode()).as(submit.out() + submit.err()).isZero();
        assertThat(submit.out()).startsWith("submitted req-cli-submit-1, req-cli-submit-2");
        for (String requestId : List.of("req-cli-submit-1", "req-cli-submit-2")) {
            assertThat(submit.out().lines().filter(line -> line.startsWith(requestId + " ")).map(line -> line.split(" ")[1]).toList())
                    .containsSubsequence("accepted", "succeeded");
        }
    }

    @Test
    void workspacesListsTheWatchedWorkspacesDirectAndThroughTheApi() {
        CmkRequest request = new CmkRequest("req-cli-watched", SUBSCRIPTION, "72f988bf-86f1-41af-91ab-2d7cd011db47",
                CmkRequest.AZURE_CLOUD, GROUP, "westeurope", new CmkRequest.Workspace("mlw-cli-watched", null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-cli-watched", null, "standard", 7, null), new CmkRequest.Key("cmk-watched", 3072, "RSA"), Map.of());
        assertThat(stack.starter().start(new CmkWorkflowInput(request)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        awaitEnded(WorkflowIds.forRequest(request), WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
        String workspaceId = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.MachineLearningServices/workspaces/mlw-cli-watched";

        // The schedule list is eventually consistent (Temporal's visibility store).
        Run table = await().atMost(Duration.ofSeconds(30)).until(() -> direct("workspaces"), run -> run.out().contains(workspaceId));
        assertThat(table.exitCode()).isZero();
        assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("WORKSPACE").contains("POSTURE", "NEXT CHECK");
        assertThat(table.out().lines().filter(line -> line.contains(workspaceId))).singleElement().asString()
                .contains("not checked yet");

        Run json = cmkflow("workspaces", "--api", api, "--token", OPERATOR_TOKEN, "--json");
        assertThat(json.exitCode()).as(json.err()).isZero();
        assertThat(json.json().findValuesAsText("schedule")).contains(WorkflowIds.forPosture(request));
        assertThat(json.json().findValuesAsText("workspaceId")).contains(workspaceId);
    }

    @Test
    void submitToAnUnreachableServiceBusExitsThreeWithOneLine(@TempDir Path folder) throws IOException {
        Path file = Files.write(folder.resolve("request.json"), TestRequests.bytes(TestRequests.json("req-cli-nobody", "ws-cli-nobody")));
        String nobody = "Endpoint=sb://localhost:" + FreePorts.next() + ";SharedAccessKeyName=RootManageSharedAccessKey;"
                + "SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

        Run submit = cmkflow(Map.of("CMKFLOW_SERVICEBUS_CONNECTION_STRING", nobody), "submit", file.toString());

        assertThat(submit.exitCode()).isEqualTo(3);
        assertThat(submit.err().lines()).singleElement().asString().startsWith("cmkflow submit: unreachable: Service Bus did not take the requests");
    }

    /** Starts a run whose workspace create is refused (403, non-retryable); returns once listing shows it parked. */
    private static CmkRequest parkAtWorkspace(String name) {
        CmkRequest request = new CmkRequest("req-cli-" + name, SUBSCRIPTION, "72f988bf-86f1-41af-91ab-2d7cd011db47",
                CmkRequest.AZURE_CLOUD, GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-cli-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-cli-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"), Map.of());
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        assertThat(stack.starter().start(new CmkWorkflowInput(request)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> control().list(RunQuery.parked(), 100).stream()
                .anyMatch(run -> run.workflowId().equals(WorkflowIds.forRequest(request)) && "create_workspace".equals(run.stage())));
        stack.awaitParked(WorkflowIds.forRequest(request), "create_workspace");
        return request;
    }

    /** Waits until Temporal closed the run (the state query says the outcome a moment before the run ends). */
    private static void awaitEnded(String workflowId, WorkflowExecutionStatus status) {
        await().atMost(Duration.ofSeconds(60)).until(() -> stack.run(workflowId).map(run -> run.getStatus() == status).orElse(false));
    }

    private static RunControl control() {
        return new RunControl(stack.client());
    }
}
