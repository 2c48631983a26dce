package io.cmkflow.dev;

import io.cmkflow.testing.FreePorts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.temporal.api.common.v1.WorkflowExecution;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.DescribeWorkflowExecutionRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.api.workflowservice.v1.ListWorkflowExecutionsRequest;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.client.WorkflowOptions;
import io.temporal.client.WorkflowStub;
import io.temporal.common.SearchAttributeKey;
import io.temporal.common.SearchAttributes;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The real Temporal server (the CLI's dev server, SQLite file): visibility queries on cmkflow's search attributes
 * through the SDK and the CLI, a run surviving a SIGKILL of the server, attaching, the UI. The CLI comes from
 * {@link TemporalCli#forProject()}: on a machine without temporal on PATH it is installed into .cmkflow/tools.
 */
class TemporalDevServerTest {
    private static final String NAMESPACE = "default";
    private static final SearchAttributeKey<String> CMK_STATUS = SearchAttributeKey.forKeyword("CmkStatus");
    private static final String AWAITING = "CmkStatus = 'AwaitingOperator'";
    private static final Map<String, String> CMK_ATTRIBUTES = new LinkedHashMap<>();

    static {
        for (String name : List.of("CmkRequestId", "CmkSubscriptionId", "CmkWorkspace", "CmkStage", "CmkStatus", "CmkKeyVault", "CmkPosture")) {
            CMK_ATTRIBUTES.put(name, "Keyword");
        }
    }

    private static Path binary;
    private static Path stateRoot;
    private static TemporalDevServer server;
    private static WorkflowServiceStubs stubs;
    private static WorkflowClient client;

    @BeforeAll
    static void startServer() throws IOException {
        binary = TemporalCli.forProject().binary();
        stateRoot = Files.createDirectories(Path.of("target", "temporal-dev-server-test", UUID.randomUUID().toString()));
        server = TemporalDevServer.start(options(stateRoot.resolve("main"), CMK_ATTRIBUTES));
        stubs = WorkflowServiceStubs.newServiceStubs(WorkflowServiceStubsOptions.newBuilder()
                .setTarget(server.target()).build());
        client = WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(NAMESPACE).build());
    }

    @AfterAll
    static void stopServer() {
        if (stubs != null) {
            stubs.shutdownNow();
        }
        if (server != null) {
            server.close();
        }
    }

    private static TemporalDevServer.Options options(Path stateDir, Map<String, String> attributes) {
        int port = FreePorts.next();
        return TemporalDevServer.Options.builder()
                .binary(binary)
                .stateDir(stateDir)
                .port(port)
                .uiPort(FreePorts.next())
                .namespace(NAMESPACE)
                .searchAttributes(attributes)
                .startTimeout(Duration.ofSeconds(60));
    }

    @Test
    void exposesWhereItListensAndItsFiles() {
        assertThat(server.attached()).isFalse();
        assertThat(server.processAlive()).isTrue();
        assertThat(server.target()).isEqualTo("127.0.0.1:" + server.options().port());
        assertThat(server.uiUrl()).isEqualTo("http://127.0.0.1:" + server.options().uiPort());
        assertThat(server.dbFile()).isRegularFile().hasFileName("temporal.db");
        assertThat(server.logFile()).content().contains("server start-dev", "--search-attribute CmkStatus=Keyword");
        // The database keeps a write-ahead log (the SIGKILL test below shows it loses no committed run).
        assertThat(server.dbFile().resolveSibling("temporal.db-wal")).isRegularFile();
    }

    @Test
    void theUiAnswersOnItsPort() throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(server.uiUrl() + "/")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.body()).containsIgnoringCase("<html");
    }

    @Test
    void aParkedRunIsFoundByItsStatusThroughTheSdkAndTheCli() {
        String workflowId = startAwaitingOperatorRun();

        await().atMost(Duration.ofSeconds(30)).until(() -> listedBySdk(AWAITING).contains(workflowId));
        await().atMost(Duration.ofSeconds(30)).until(() -> listedByCli("CmkStatus='AwaitingOperator'").contains(workflowId));
        assertThat(listedBySdk("CmkStatus = 'Running'")).doesNotContain(workflowId);
    }

    @Test
    void aRunSurvivesASigkillOfTheServerAndARestartOnTheSameDatabase() {
        String workflowId = startAwaitingOperatorRun();
        await().atMost(Duration.ofSeconds(30)).until(() -> listedBySdk(AWAITING).contains(workflowId));

        server.kill();
        assertThat(server.processAlive()).isFalse();
        assertThat(TemporalDevServer.portOpen("127.0.0.1", server.options().port())).isFalse();

        server.restart();

        assertThat(server.processAlive()).isTrue();
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> describe(workflowId).getStatus() == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        assertThat(describe(workflowId).getType().getName()).isEqualTo("CmkWorkspaceWorkflow");
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions()
                .until(() -> listedBySdk(AWAITING).contains(workflowId));
    }

    @Test
    void attachingUsesTheRunningServerAndClosingTheAttachedOneLeavesItUp() {
        TemporalDevServer.Options same = server.options().copy();

        try (TemporalDevServer attached = TemporalDevServer.attach(same)) {
            assertThat(attached.attached()).isTrue();
            assertThat(attached.processAlive()).isFalse();
            assertThat(attached.target()).isEqualTo(server.target());
            assertThatThrownBy(attached::kill).isInstanceOf(IllegalStateException.class);
        }
        try (TemporalDevServer again = TemporalDevServer.startOrAttach(same)) {
            assertThat(again.attached()).isTrue();
        }

        assertThat(server.processAlive()).isTrue();
        assertThat(stubs.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
                .getSystemInfo(GetSystemInfoRequest.getDefaultInstance()).hasCapabilities()).isTrue();
        assertThatThrownBy(() -> TemporalDevServer.start(same))
                .isInstanceOf(TemporalDevServer.DevServerException.class)
                .hasMessageContaining("already in use by a Temporal server");
    }

    @Test
    void attachingWhereNothingListensFails() {
        assertThatThrownBy(() -> TemporalDevServer.attach(options(stateRoot.resolve("nothing"), Map.of())))
                .isInstanceOf(TemporalDevServer.DevServerException.class)
                .hasMessageContaining("no Temporal server answers on 127.0.0.1:");
    }

    /**
     * start-dev ignores --search-attribute for a database file that already exists (new names and changed types
     * alike); TemporalDevServer registers what is missing and refuses a changed type.
     */
    @Test
    void searchAttributesAddedLaterAreRegisteredOnAnExistingDatabaseAndAChangedTypeIsRefused() {
        Path stateDir = stateRoot.resolve("attributes");
        try (TemporalDevServer first = TemporalDevServer.start(options(stateDir, Map.of("CmkStatus", "Keyword")))) {
            assertThat(customAttributes(first)).containsEntry("CmkStatus", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD);
        }

        try (TemporalDevServer second = TemporalDevServer.start(options(stateDir, CMK_ATTRIBUTES))) {
            assertThat(customAttributes(second)).containsAllEntriesOf(Map.of(
                    "CmkStatus", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
                    "CmkWorkspace", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD,
                    "CmkRequestId", IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD));
        }

        TemporalDevServer.Options changed = options(stateDir, Map.of("CmkStatus", "Text"));
        assertThatThrownBy(() -> TemporalDevServer.start(changed))
                .isInstanceOf(TemporalDevServer.DevServerException.class)
                .hasMessageContaining("CmkStatus exists")
                .hasMessageContaining("INDEXED_VALUE_TYPE_KEYWORD, wanted INDEXED_VALUE_TYPE_TEXT");
        assertThat(TemporalDevServer.portOpen("127.0.0.1", changed.port())).isFalse();
    }

    private static String startAwaitingOperatorRun() {
        String workflowId = "cmk-dev-" + UUID.randomUUID();
        WorkflowStub stub = client.newUntypedWorkflowStub("CmkWorkspaceWorkflow", WorkflowOptions.newBuilder()
                .setWorkflowId(workflowId)
                .setTaskQueue("cmkflow-dev-server-test") // no worker: the run stays Running with a pending task
                .setTypedSearchAttributes(SearchAttributes.newBuilder().set(CMK_STATUS, "AwaitingOperator").build())
                .build());
        stub.start();
        return workflowId;
    }

    private static List<String> listedBySdk(String query) {
        return stubs.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
                .listWorkflowExecutions(ListWorkflowExecutionsRequest.newBuilder()
                        .setNamespace(NAMESPACE).setQuery(query).build())
                .getExecutionsList().stream()
                .map(info -> info.getExecution().getWorkflowId())
                .toList();
    }

    private static List<String> listedByCli(String query) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(binary.toString(), "workflow", "list",
                "--address", server.target(), "--namespace", NAMESPACE, "--query", query, "-o", "json")
                .redirectErrorStream(true).start();
        process.getOutputStream().close();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as("temporal workflow list: %s", out).isZero();
        List<String> ids = new ArrayList<>();
        if (out.isBlank()) {
            return ids;
        }
        JsonNode runs = new ObjectMapper().readTree(out);
        assertThat(runs.isArray()).as("JSON array from temporal workflow list -o json: %s", out).isTrue();
        for (JsonNode run : runs) {
            assertThat(run.path("type").path("name").asText()).isEqualTo("CmkWorkspaceWorkflow");
            assertThat(run.path("status").asText()).isEqualTo("WORKFLOW_EXECUTION_STATUS_RUNNING");
            ids.add(run.path("execution").path("workflowId").asText());
        }
        return ids;
    }

    private static WorkflowExecutionInfo describe(String workflowId) {
        return stubs.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
                .describeWorkflowExecution(DescribeWorkflowExecutionRequest.newBuilder()
                        .setNamespace(NAMESPACE)
                        .setExecution(WorkflowExecution.newBuilder().setWorkflowId(workflowId))
                        .build())
                .getWorkflowExecutionInfo();
    }

    private static Map<String, IndexedValueType> customAttributes(TemporalDevServer devServer) {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setTarget(devServer.target()).validateAndBuildWithDefaults());
        try {
            return operator.blockingStub().withDeadlineAfter(5, TimeUnit.SECONDS)
                    .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(NAMESPACE).build())
                    .getCustomAttributesMap();
        } finally {
            operator.shutdownNow();
        }
    }
}
