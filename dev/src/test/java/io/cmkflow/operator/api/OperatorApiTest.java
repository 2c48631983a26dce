package io.cmkflow.operator.api;

import io.cmkflow.dev.DevTemporal;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.operator.RunControl;
import io.cmkflow.temporal.TemporalSettings;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.TestSecrets;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowInput;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.workflow.WorkflowIds;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The operator REST API on the application's own wiring, the real Temporal server (the CLI's dev server, for
 * visibility), the Service Bus stand-in and the ARM simulator: every endpoint for every kind of caller (no token, an
 * unknown one, a viewer, an operator, Entra ID JWTs good and bad), the actions on parked runs with their audit in the
 * log and in the run's history, requests through the intake's path, and the OpenAPI document.
 */
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class OperatorApiTest {
    private static final String SUBSCRIPTION = "00000000-0000-4000-8000-00000000a9e1";
    private static final String GROUP = "rg-operator-api";
    private static final String OPERATOR_TOKEN = TestSecrets.OPERATOR_API_TOKEN;
    private static final String VIEWER_TOKEN = TestSecrets.VIEWER_API_TOKEN;
    private static final String UNKNOWN_RUN = "/api/runs/cmk-workspace/" + SUBSCRIPTION + "/" + GROUP + "/mlw-never-started";
    private static final ObjectMapper JSON = new ObjectMapper();

    private static final EntraTokens entra = new EntraTokens();
    private static final ListAppender<ILoggingEvent> logged = new ListAppender<>();

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().temporalServer(DevTemporal::start).resetBeforeEach()
            .resourceGroup(SUBSCRIPTION, GROUP, "westeurope")
            .property("micronaut.server.port", FreePorts.next())
            .property("endpoints.all.port", FreePorts.next())
            .property("cmkflow.api.tokens", List.of("alice:operator:" + ConfiguredTokens.sha256Hex(OPERATOR_TOKEN),
                    "victor:viewer:" + ConfiguredTokens.sha256Hex(VIEWER_TOKEN)))
            .property("micronaut.security.token.jwt.signatures.jwks.entra.url", entra.jwksUrl().toString())
            .property("micronaut.security.token.jwt.claims-validators.issuer", EntraTokens.ISSUER)
            .property("micronaut.security.token.jwt.claims-validators.audience", EntraTokens.AUDIENCE)
            .build();

    private static ApiClient api;

    @BeforeAll
    static void serve() {
        EmbeddedServer server = stack.app().getBean(EmbeddedServer.class);
        server.start();
        api = new ApiClient(server.getURI());
        logged.start();
        root().addAppender(logged);
    }

    @AfterAll
    static void stop() {
        root().detachAppender(logged);
        entra.close();
    }

    // ---- every endpoint x caller ------------------------------------------------------------------------------------

    /** A caller: the bearer token it presents (null: none). */
    private record Caller(String name, String token) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static final Caller NONE = new Caller("no token", null);
    private static final Caller UNKNOWN = new Caller("unknown token", "not-a-configured-token");
    private static final Caller VIEWER = new Caller("viewer token", VIEWER_TOKEN);
    private static final Caller OPERATOR = new Caller("operator token", OPERATOR_TOKEN);
    private static final Caller JWT_VIEWER = new Caller("Entra viewer", entra.token("app-viewer", "viewer"));
    private static final Caller JWT_OPERATOR = new Caller("Entra operator", entra.token("app-operator", "operator"));
    private static final Caller JWT_NO_ROLE = new Caller("Entra without role", entra.token("app-no-role"));
    private static final Caller JWT_OTHER_AUDIENCE = new Caller("Entra other audience", entra.withAudience("api://someone-else", "operator"));
    private static final Caller JWT_OTHER_ISSUER = new Caller("Entra other issuer",
            entra.withIssuer("https://login.microsoftonline.com/00000000-0000-0000-0000-000000000bad/v2.0", "operator"));
    private static final Caller JWT_EXPIRED = new Caller("Entra expired", entra.expired("operator"));
    private static final Caller JWT_FORGED = new Caller("Entra forged signature", entra.forged("operator"));

    /** An endpoint, what it answers a caller allowed to use it (on an unknown run, or an empty request), and whether it acts. */
    private record Endpoint(String method, String path, String body, int allowedAnswer, boolean action) {
        @Override
        public String toString() {
            return method + " " + path;
        }
    }

    static Stream<Arguments> endpointsAndCallers() {
        List<Endpoint> endpoints = List.of(
                new Endpoint("GET", "/api/runs?subscription=" + SUBSCRIPTION + "&workspace=mlw-never-started", null, 200, false),
                new Endpoint("GET", UNKNOWN_RUN, null, 404, false),
                new Endpoint("POST", UNKNOWN_RUN + "/retry", "{\"reason\":\"x\"}", 404, true),
                new Endpoint("POST", UNKNOWN_RUN + "/abort", "{\"reason\":\"x\"}", 404, true),
                new Endpoint("POST", UNKNOWN_RUN + "/cancel", null, 404, true),
                new Endpoint("POST", "/api/requests", "{}", 400, true));
        List<Arguments> cases = new ArrayList<>();
        for (Endpoint endpoint : endpoints) {
            for (Caller caller : List.of(NONE, UNKNOWN, JWT_OTHER_AUDIENCE, JWT_OTHER_ISSUER, JWT_EXPIRED, JWT_FORGED)) {
                cases.add(Arguments.of(endpoint, caller, 401));
            }
            cases.add(Arguments.of(endpoint, JWT_NO_ROLE, 403));
            for (Caller viewer : List.of(VIEWER, JWT_VIEWER)) {
                cases.add(Arguments.of(endpoint, viewer, endpoint.action() ? 403 : endpoint.allowedAnswer()));
            }
            for (Caller operator : List.of(OPERATOR, JWT_OPERATOR)) {
                cases.add(Arguments.of(endpoint, operator, endpoint.allowedAnswer()));
            }
        }
        return cases.stream();
    }

    @ParameterizedTest(name = "{0} as {1} -> {2}")
    @MethodSource("endpointsAndCallers")
    void everyEndpointAnswersEachCallerByItsRole(Endpoint endpoint, Caller caller, int expected) {
        ApiClient.Answer answer = endpoint.method().equals("GET") ? api.get(endpoint.path(), caller.token())
                : api.post(endpoint.path(), caller.token(), endpoint.body());

        assertThat(answer.status()).as(answer.body()).isEqualTo(expected);
        String call = "call=\"" + endpoint.method() + " " + endpoint.path().replaceAll("\\?.*", "") + "\"";
        if (expected == 401 || expected == 403) {
            // Refused calls are audited with whoever the token named (no one for a 401).
            assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("action=refused", call,
                    "result=" + expected).startsWith(expected == 401 ? "actor=-" : "actor="));
        } else if (endpoint.method().equals("GET")) {
            assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("action=read", call,
                    "result=" + expected).doesNotStartWith("actor=-"));
        }
        if (expected == 404) {
            assertThat(answer.contentType()).startsWith("application/problem+json");
            assertThat(answer.json().path("detail").asText()).contains("no run cmk-workspace/" + SUBSCRIPTION);
        }
    }

    @Test
    void tokensNeverReachTheLog() {
        api.get("/api/runs?status=AwaitingOperator", OPERATOR_TOKEN);
        api.get("/api/runs?status=AwaitingOperator", JWT_VIEWER.token());
        api.post(UNKNOWN_RUN + "/retry", VIEWER_TOKEN, null);

        assertThat(logged.list).isNotEmpty().allSatisfy(event -> assertThat(event.getFormattedMessage())
                .doesNotContain(OPERATOR_TOKEN, VIEWER_TOKEN, JWT_VIEWER.token()));
    }

    // ---- reading runs -----------------------------------------------------------------------------------------------

    @Test
    void runsAreListedByTheirSearchAttributesPageByPage() {
        CmkRequest first = parkAtWorkspace("list-a");
        CmkRequest second = parkAtWorkspace("list-b");
        String filter = "/api/runs?status=AwaitingOperator&subscription=" + SUBSCRIPTION;

        List<String> paged = new ArrayList<>();
        JsonNode page = api.get(filter + "&pageSize=1", VIEWER_TOKEN).json();
        assertThat(page.path("runs")).hasSize(1);
        while (true) {
            page.path("runs").forEach(run -> paged.add(run.path("workflowId").asText()));
            if (page.path("nextPageToken").isNull() || page.path("nextPageToken").isMissingNode()) {
                break;
            }
            page = api.get(filter + "&pageSize=1&pageToken=" + page.path("nextPageToken").asText(), VIEWER_TOKEN).json();
        }
        assertThat(paged).contains(WorkflowIds.forRequest(first), WorkflowIds.forRequest(second)).doesNotHaveDuplicates();

        JsonNode byRequest = api.get("/api/runs?requestId=" + first.requestId(), VIEWER_TOKEN).json().path("runs");
        assertThat(byRequest).hasSize(1);
        assertThat(byRequest.get(0).path("workspace").asText()).isEqualTo(first.workspace().name());
        assertThat(byRequest.get(0).path("status").asText()).isEqualTo("AwaitingOperator");
        assertThat(byRequest.get(0).path("stage").asText()).isEqualTo("create_workspace");
        assertThat(api.get("/api/runs?workspace=" + second.workspace().name() + "&open=true", VIEWER_TOKEN).json().path("runs")
                .findValuesAsText("workflowId")).containsExactly(WorkflowIds.forRequest(second));
    }

    @Test
    void aBadFilterIsRefusedNamingTheParameterAndTheRule() {
        ApiClient.Answer status = api.get("/api/runs?status=Parked", VIEWER_TOKEN);
        assertThat(status.status()).isEqualTo(400);
        assertThat(status.json().path("field").asText()).isEqualTo("status");
        assertThat(status.json().path("rule").asText()).isEqualTo("filter");
        assertThat(status.json().path("detail").asText()).contains("unknown status 'Parked'", "AwaitingOperator");

        ApiClient.Answer control = api.get("/api/runs?workspace=ws%0A", VIEWER_TOKEN);
        assertThat(control.status()).isEqualTo(400);
        assertThat(control.json().path("field").asText()).isEqualTo("workspace");

        ApiClient.Answer size = api.get("/api/runs?pageSize=500", VIEWER_TOKEN);
        assertThat(size.status()).isEqualTo(400);
        assertThat(size.json().path("field").asText()).isEqualTo("pageSize");
        assertThat(size.json().path("rule").asText()).isEqualTo("range");

        ApiClient.Answer token = api.get("/api/runs?pageToken=%25%25not-base64", VIEWER_TOKEN);
        assertThat(token.status()).isEqualTo(400);
        assertThat(token.json().path("field").asText()).isEqualTo("pageToken");
    }

    @Test
    void aRunShowsItsStateTimelineAndTemporalUiLink() {
        CmkRequest request = parkAtWorkspace("show");
        String workflowId = WorkflowIds.forRequest(request);

        JsonNode run = api.get("/api/runs/" + workflowId, VIEWER_TOKEN).json();

        assertThat(run.path("workflowId").asText()).isEqualTo(workflowId);
        assertThat(run.path("state").path("status").asText()).isEqualTo("AwaitingOperator");
        assertThat(run.path("state").path("currentStep").asText()).isEqualTo("CREATE_WORKSPACE");
        assertThat(run.path("state").path("lastError").asText()).contains("AuthorizationFailed");
        JsonNode temporal = run.path("temporal");
        assertThat(temporal.path("executionStatus").asText()).isEqualTo("RUNNING");
        assertThat(run.path("temporalUi").asText()).isEqualTo(stack.app().getBean(TemporalSettings.class)
                .runLink(workflowId, temporal.path("runId").asText()));
        assertThat(temporal.path("timeline").findValuesAsText("type")).startsWith("WORKFLOW_EXECUTION_STARTED")
                .contains("ACTIVITY_TASK_SCHEDULED", "ACTIVITY_TASK_FAILED");
        assertThat(detailsOf(temporal, "ACTIVITY_TASK_FAILED")).anySatisfy(detail -> assertThat(detail).contains("AuthorizationFailed"));
        // The path's parts may come in any case: workflow ids are lower case, as Azure names compare.
        assertThat(api.get("/api/runs/" + workflowId.replace(GROUP, GROUP.toUpperCase()), VIEWER_TOKEN).status()).isEqualTo(200);
    }

    @Test
    void aRunInFlightShowsItsPendingActivityAndRefusesRetryAsNotParked() {
        CmkRequest request = request("inflight");
        stack.arm().latency().forOperation("Workspaces_CreateOrUpdate", Duration.ofSeconds(8));
        stack.starter().start(new CmkWorkflowInput(request));
        String path = "/api/runs/" + WorkflowIds.forRequest(request);

        JsonNode pending = await().atMost(Duration.ofSeconds(30)).until(
                () -> api.get(path, VIEWER_TOKEN).json().path("temporal").path("pendingActivities"),
                activities -> activities.findValuesAsText("activityType").contains("CreateWorkspace"));
        assertThat(pending.get(0).path("attempt").asInt()).isEqualTo(1);
        assertThat(pending.get(0).path("state").asText()).isIn("SCHEDULED", "STARTED");

        ApiClient.Answer retry = api.post(path + "/retry", OPERATOR_TOKEN, "{\"reason\":\"too early\"}");
        assertThat(retry.status()).isEqualTo(409);
        assertThat(retry.json().path("detail").asText()).contains("AwaitingOperator");
        assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("actor=alice", "action=retry",
                "workflowId=" + WorkflowIds.forRequest(request), "result=\"refused"));
    }

    // ---- actions ----------------------------------------------------------------------------------------------------

    @Test
    void retryRerunsTheParkedStepAndIsAuditedInTheLogAndTheRun() {
        CmkRequest request = parkAtWorkspace("retry");
        String workflowId = WorkflowIds.forRequest(request);
        stack.arm().faults().clear();

        ApiClient.Answer retry = api.post("/api/runs/" + workflowId + "/retry", OPERATOR_TOKEN, "{\"reason\":\"permission granted\"}");

        assertThat(retry.status()).as(retry.body()).isEqualTo(200);
        assertThat(retry.json().path("result").asText()).contains("retrying step 5");
        assertThat(retry.json().path("recordedReason").asText()).isEqualTo("by alice via api: permission granted");
        await().atMost(Duration.ofSeconds(30)).until(() -> stateStatus(workflowId).equals("Succeeded"));
        assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("actor=alice", "at=20", "action=retry",
                "workflowId=" + workflowId, "result=\"accepted: retrying step 5"));
        JsonNode timeline = api.get("/api/runs/" + workflowId, VIEWER_TOKEN).json().path("temporal");
        assertThat(detailsOf(timeline, "WORKFLOW_EXECUTION_UPDATE_ACCEPTED")).containsExactly("retry: by alice via api: permission granted");

        ApiClient.Answer again = api.post("/api/runs/" + workflowId + "/retry", OPERATOR_TOKEN, null);
        assertThat(again.status()).isEqualTo(409);
        assertThat(again.json().path("detail").asText()).contains("has ended");
    }

    @Test
    void abortByAnEntraOperatorCompensatesAndRecordsItsSubject() {
        CmkRequest request = parkAtWorkspace("abort");
        String workflowId = WorkflowIds.forRequest(request);

        ApiClient.Answer abort = api.post("/api/runs/" + workflowId + "/abort", JWT_OPERATOR.token(), "{\"reason\":\"wrong subscription\"}");

        assertThat(abort.status()).as(abort.body()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(30)).until(() -> stateStatus(workflowId).equals(CmkStatus.Compensated.name()));
        assertThat(stack.arm().state().vault(SUBSCRIPTION, GROUP, request.keyVault().name())).isEmpty();
        // An Entra ID caller is named with its object id and application id besides its subject.
        assertThat(auditLines()).anySatisfy(line -> assertThat(line).startsWith("actor=app-operator oid="
                        + EntraTokens.objectId("app-operator") + " appid=" + EntraTokens.CLIENT_APPLICATION)
                .contains("action=abort", "workflowId=" + workflowId, "result=\"accepted"));
        assertThat(detailsOf(api.get("/api/runs/" + workflowId, JWT_VIEWER.token()).json().path("temporal"),
                "WORKFLOW_EXECUTION_UPDATE_ACCEPTED")).containsExactly("abort: by app-operator via api: wrong subscription");
    }

    @Test
    void cancelCompensatesAndItsReasonIsTheCancellationCauseInTheHistory() {
        CmkRequest request = parkAtWorkspace("cancel");
        String workflowId = WorkflowIds.forRequest(request);

        ApiClient.Answer cancel = api.post("/api/runs/" + workflowId + "/cancel", OPERATOR_TOKEN, "{\"reason\":\"customer withdrew\"}");

        assertThat(cancel.status()).as(cancel.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get("/api/runs/" + workflowId, VIEWER_TOKEN).json()
                .path("temporal").path("executionStatus").asText().equals("CANCELED"));
        assertThat(stateStatus(workflowId)).isEqualTo(CmkStatus.Cancelled.name());
        JsonNode temporal = api.get("/api/runs/" + workflowId, VIEWER_TOKEN).json().path("temporal");
        assertThat(detailsOf(temporal, "WORKFLOW_EXECUTION_CANCEL_REQUESTED")).containsExactly("by alice via api: customer withdrew");
        assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("actor=alice", "action=cancel",
                "workflowId=" + workflowId, "result=\"accepted"));

        ApiClient.Answer again = api.post("/api/runs/" + workflowId + "/cancel", OPERATOR_TOKEN, null);
        assertThat(again.status()).as(again.body()).isEqualTo(409);
        assertThat(again.json().path("detail").asText()).contains("has ended (CANCELED)");
    }

    // ---- requests ---------------------------------------------------------------------------------------------------

    @Test
    void aRequestPostedStartsItsRunWithTheIntakesStatusEventsAndAResendIsADuplicate() {
        ObjectNode request = TestRequests.json("req-api-post", "mlw-api-post");
        stack.seedResourceGroup(request);
        String body = new String(TestRequests.bytes(request));

        ApiClient.Answer posted = api.post("/api/requests", OPERATOR_TOKEN, body);

        assertThat(posted.status()).as(posted.body()).isEqualTo(202);
        assertThat(posted.json().path("outcome").asText()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED.name());
        assertThat(posted.json().path("workflowId").asText()).isEqualTo(TestRequests.workflowId(request));
        assertThat(posted.json().path("temporalUi").asText()).contains("/workflows/");
        await().atMost(Duration.ofSeconds(60)).until(() -> eventTypes("req-api-post").contains(StatusEvent.Type.succeeded));
        assertThat(eventTypes("req-api-post")).startsWith(StatusEvent.Type.accepted);
        assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("actor=alice", "action=submit",
                "workflowId=" + TestRequests.workflowId(request), "result=\"STARTED request req-api-post\""));

        ApiClient.Answer resent = api.post("/api/requests", OPERATOR_TOKEN, body);
        assertThat(resent.status()).isEqualTo(202);
        assertThat(resent.json().path("outcome").asText()).isEqualTo(CmkWorkflowStarter.Outcome.DUPLICATE.name());
    }

    @Test
    void anInvalidRequestIsRefusedWithTheIntakesReasonFieldAndRuleAndItsRejectedEvent() throws IOException {
        JsonNode expected = JSON.readTree(TestRequests.INVALID_EXAMPLES.resolve("expected.json").toFile()).path("key-size-2048.json");
        String body = Files.readString(TestRequests.INVALID_EXAMPLES.resolve("key-size-2048.json"));
        String requestId = JSON.readTree(body).path("requestId").asText();

        ApiClient.Answer refused = api.post("/api/requests", OPERATOR_TOKEN, body);

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.contentType()).startsWith("application/problem+json");
        assertThat(refused.json().path("reason").asText()).isEqualTo(expected.path("reason").asText());
        assertThat(refused.json().path("violations")).anySatisfy(violation -> {
            assertThat(violation.path("field").asText()).isEqualTo(expected.path("field").asText());
            assertThat(violation.path("rule").asText()).isEqualTo(expected.path("rule").asText());
        });
        await().atMost(Duration.ofSeconds(20)).until(() -> eventTypes(requestId).contains(StatusEvent.Type.rejected));
        assertThat(stack.status().of(requestId)).singleElement().satisfies(event ->
                assertThat(event.event().message()).startsWith("SchemaViolation: " + expected.path("field").asText()));
        assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("actor=alice", "action=submit", "workflowId=-",
                "result=\"rejected request " + requestId + ": SchemaViolation"));
    }

    @Test
    void aBodyOverTheSizeLimitIsRefusedUnreadNamedByItsMessageIdNotTheRequestIdInside() {
        ObjectNode request = TestRequests.json("req-api-oversized", "mlw-api-oversized");
        request.putObject("tags").put("padding", "x".repeat(300_000));

        ApiClient.Answer refused = api.post("/api/requests", OPERATOR_TOKEN, request.toString());

        assertThat(refused.status()).isEqualTo(400);
        assertThat(refused.json().path("reason").asText()).isEqualTo("MessageTooLarge");
        assertThat(refused.json().path("violations")).anySatisfy(violation ->
                assertThat(violation.path("rule").asText()).isEqualTo("max-size"));
        // The body was not parsed for its request id: the audit names the API's message id.
        assertThat(auditLines()).anySatisfy(line -> assertThat(line).contains("action=submit", "result=\"rejected request api-",
                ": MessageTooLarge")).noneSatisfy(line -> assertThat(line).contains("req-api-oversized"));
    }

    @Test
    void aRequestForAWorkspaceWithARunInFlightIsRefusedAsTargetBusy() {
        CmkRequest parked = parkAtWorkspace("busy");
        ObjectNode other = JSON.valueToTree(TestRequests.copy(parked).requestId("req-api-busy-2").build());

        ApiClient.Answer busy = api.post("/api/requests", OPERATOR_TOKEN, other.toString());

        assertThat(busy.status()).as(busy.body()).isEqualTo(409);
        assertThat(busy.json().path("reason").asText()).isEqualTo("TargetBusy");
        assertThat(busy.json().path("detail").asText()).contains(parked.requestId());
    }

    // ---- OpenAPI ----------------------------------------------------------------------------------------------------

    @Test
    void theOpenApiDocumentIsServedWithoutATokenAndDescribesEveryEndpoint() throws IOException {
        ApiClient.Answer served = api.get("/api/openapi.yml", null);

        assertThat(served.status()).isEqualTo(200);
        JsonNode document = new ObjectMapper(new YAMLFactory()).readTree(served.body());
        assertThat(document.path("openapi").asText()).startsWith("3.");
        assertThat(document.path("info").path("title").asText()).isEqualTo("cmkflow operator API");
        String run = "/api/runs/cmk-workspace/{subscriptionId}/{resourceGroup}/{workspace}";
        JsonNode paths = document.path("paths");
        assertThat(paths.path("/api/runs").has("get")).isTrue();
        assertThat(paths.path(run).has("get")).isTrue();
        for (String action : List.of("retry", "abort", "cancel")) {
            assertThat(paths.path(run + "/" + action).has("post")).as(action).isTrue();
            assertThat(paths.path(run + "/" + action).path("post").path("responses").has("409")).as(action).isTrue();
        }
        assertThat(paths.path("/api/requests").has("post")).isTrue();
        assertThat(paths.has("/api/openapi.yml")).isFalse();
        assertThat(document.path("components").path("securitySchemes").path("bearer").path("scheme").asText()).isEqualTo("bearer");
        assertThat(StreamSupport.stream(paths.path("/api/runs").path("get").path("parameters").spliterator(), false)
                .map(p -> p.path("name").asText())).contains("status", "subscription", "workspace", "requestId", "pageToken");
    }

    // ---- helpers ----------------------------------------------------------------------------------------------------

    private static CmkRequest request(String name) {
        return new CmkRequest("req-api-" + name, SUBSCRIPTION, EntraTokens.TENANT, CmkRequest.AZURE_CLOUD, GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-api-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-api-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"), Map.of());
    }

    /** Starts a run whose workspace create is refused (403, non-retryable) and waits until the API lists it parked. */
    private static CmkRequest parkAtWorkspace(String name) {
        CmkRequest request = request(name);
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(request.workspace().name())
                .status(403).code("AuthorizationFailed").message("the worker may not create workspaces").always());
        assertThat(stack.starter().start(new CmkWorkflowInput(request)).outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200)).until(() -> api.get(
                "/api/runs?status=AwaitingOperator&requestId=" + request.requestId(), VIEWER_TOKEN).json().path("runs")
                .findValuesAsText("stage").contains("create_workspace"));
        return request;
    }

    private static String stateStatus(String workflowId) {
        return new RunControl(stack.client()).state(workflowId).status().name();
    }

    private static List<String> detailsOf(JsonNode temporal, String type) {
        List<String> details = new ArrayList<>();
        temporal.path("timeline").forEach(event -> {
            if (event.path("type").asText().equals(type)) {
                details.add(event.path("detail").asText());
            }
        });
        return details;
    }

    private static List<StatusEvent.Type> eventTypes(String requestId) {
        return stack.status().of(requestId).stream().map(ReceivedEvent::event).map(StatusEvent::type).toList();
    }

    private static List<String> auditLines() {
        synchronized (logged) {
            return logged.list.stream().filter(event -> event.getLoggerName().equals(AuditLog.LOGGER))
                    .map(ILoggingEvent::getFormattedMessage).toList();
        }
    }

    private static Logger root() {
        return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    }

}
