package io.cmkflow.cluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.operator.api.ConfiguredTokens;
import io.cmkflow.soak.SoakRun;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.temporal.api.workflow.v1.PendingActivityInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * docker-compose.yml's topology without Docker ({@link TemporalCluster}, {@link CmkflowServices}): a Temporal server
 * built from {@code go.temporal.io/server} on PostgreSQL with SQL visibility, schema and namespace set up by compose's
 * own scripts, and cmkflow's {@code intake}, two {@code worker}s and {@code operator-api} as processes of the production
 * jar with their compose environment. Requests enter through the intake; the ARM simulator and the Service Bus
 * stand-in live in this JVM, so their journals span every process. {@code ./bench cluster} runs the longer load.
 */
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class ComposeTopologyTest {
    static final String TENANT = TestRequests.TENANT;
    private static final String GROUP = "rg-cluster";
    private static final String API_TOKEN = "cluster-test-operator-token";
    /** Where the workers may act: the groups these tests use, in any subscription of the tenant (README, "Authorization scope"). */
    static final String SCOPE = "AzureCloud/" + TENANT + "/*/rg-soak,AzureCloud/" + TENANT + "/*/" + GROUP;

    private static final CmkflowServices services = new CmkflowServices(Map.of("CMKFLOW_AZURE_SCOPE", SCOPE,
            "CMKFLOW_API_TOKENS", "cluster-test:operator:" + ConfiguredTokens.sha256Hex(API_TOKEN)), 2);

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().temporalServer(TemporalCluster::start).worker(false).intake(false)
            .resetBeforeEach().part(services).build();

    @Test
    void aLoadThroughTheIntakeEndsEachRequestAsItsFaultDictatesOnceOnPostgres() {
        SoakRun.Result result = SoakRun.run(stack, new SoakRun.Options(40, 0.25, 20, 8, 2, 1, Duration.ofMinutes(5)),
                SoakRun.Budget.arm());
        System.out.println(result.summary());

        assertThat(result.violations()).isEmpty();
        assertThat(result.runs()).isEqualTo(40);
        assertThat(result.deadLetters()).isEqualTo(2);
        assertThat(result.lost()).isZero();
        assertThat(result.planned().keySet()).containsExactlyInAnyOrder(SoakRun.Fault.values());
        assertThat(result.outcomes()).containsOnlyKeys(CmkStatus.Succeeded, CmkStatus.AwaitingOperator, CmkStatus.Compensated);
        assertThat(result.managedGroupDeletes()).isZero();
    }

    @Test
    void parkedRunsAreListedThroughPostgresVisibilityByTheCliTheOperatorApiAndTheTemporalUi() throws Exception {
        List<String> parked = new ArrayList<>();
        for (String name : List.of("parked-a", "parked-b")) {
            ObjectNode request = request(name, "00000000-0000-4000-8000-00000000c1a0");
            stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(workspace(name))
                    .status(403).code("AuthorizationFailed").message("cluster test: the worker may not create this workspace").always());
            stack.send(request);
            parked.add(TestRequests.workflowId(request));
        }
        parked.forEach(id -> stack.awaitParked(id, "create_workspace"));

        String cli = services.command("operator-api", List.of("runs", "--status", "AwaitingOperator"), Duration.ofSeconds(90));
        assertThat(cli).contains(parked);

        HttpResponse<String> api = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                        services.operatorApi("/api/runs?status=AwaitingOperator"))
                .header("Authorization", "Bearer " + API_TOKEN).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(api.statusCode()).as(api.body()).isEqualTo(200);
        JsonNode page = TestRequests.mapper().readTree(api.body());
        List<String> listed = new ArrayList<>();
        page.get("runs").forEach(run -> listed.add(run.get("workflowId").asText()));
        assertThat(listed).containsAll(parked);

        // The Temporal UI (compose's temporal-ui) finds them too, through its own API on the cluster.
        HttpResponse<String> ui = HttpClient.newHttpClient().send(HttpRequest.newBuilder(stack.temporalServer(TemporalCluster.class)
                .ui().resolve("/api/v1/namespaces/default/workflows?query="
                        + java.net.URLEncoder.encode("CmkStatus = 'AwaitingOperator'", java.nio.charset.StandardCharsets.UTF_8)))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ui.statusCode()).as(ui.body()).isEqualTo(200);
        List<String> shown = new ArrayList<>();
        TestRequests.mapper().readTree(ui.body()).get("executions")
                .forEach(run -> shown.add(run.get("execution").get("workflowId").asText()));
        assertThat(shown).containsAll(parked);
    }

    @Test
    void aWorkerKilledAndTheServerRestartedWhileRunsAreInFlightLoseNothingAndWriteNothingTwice() {
        String subscription = "00000000-0000-4000-8000-00000000c1a1";
        List<ObjectNode> requests = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            requests.add(request("crash-" + i, subscription));
        }
        // Every run's workspace create is held in ARM, so both workers have runs in that step when one dies.
        stack.arm().latency().forOperation("Workspaces_CreateOrUpdate", Duration.ofSeconds(4));
        requests.forEach(stack::send);
        await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(200)).until(() -> requests.stream()
                .allMatch(r -> pendingActivities(TestRequests.workflowId(r)).stream().anyMatch(a -> a.getActivityType()
                        .getName().equals("CreateWorkspace") && !a.getLastWorkerIdentity().isEmpty())));
        // The worker running most of those calls dies (a worker's identity is pid@host).
        Map<String, Long> heldBy = requests.stream().flatMap(r -> pendingActivities(TestRequests.workflowId(r)).stream())
                .collect(Collectors.groupingBy(a -> a.getLastWorkerIdentity().split("@")[0], Collectors.counting()));
        String victim = Stream.of("worker-1", "worker-2")
                .max(Comparator.comparing(w -> heldBy.getOrDefault(Long.toString(services.service(w).pid()), 0L))).orElseThrow();
        assertThat(heldBy.get(Long.toString(services.service(victim).pid()))).as("calls the killed worker had in flight: " + heldBy)
                .isPositive();

        services.kill(victim);
        stack.temporalServer(TemporalCluster.class).restartServer();
        stack.arm().latency().clear();
        services.restart(victim);

        // The dead worker's activities come back after their heartbeat timeout (2 minutes in production).
        await().atMost(Duration.ofMinutes(5)).pollInterval(Duration.ofSeconds(1)).until(() ->
                requests.stream().allMatch(r -> status(TestRequests.workflowId(r)) == CmkStatus.Succeeded));
        ArmState azure = stack.arm().state();
        for (ObjectNode request : requests) {
            String vault = request.get("keyVault").get("name").asText();
            String workspace = request.get("workspace").get("name").asText();
            assertThat(successful("Vaults_CreateOrUpdate", vault)).as("vault " + vault + " created once").hasSize(1);
            String vaultId = azure.vault(subscription, GROUP, vault).orElseThrow().id();
            assertThat(azure.key(vaultId, request.get("key").get("name").asText())).hasValueSatisfying(key ->
                    assertThat(key.versionCount()).as("no second key version").isEqualTo(1));
            assertThat(azure.workspaces()).filteredOn(w -> w.name().equals(workspace)).singleElement()
                    .satisfies(w -> assertThat(w.provisioningState()).isEqualTo("Succeeded"));
        }
        List<ArmState.ResourceView> resources = azure.resourcesIn(subscription, GROUP);
        assertThat(resources).as("one of each resource per request, nothing orphaned")
                .hasSize(resources.stream().map(r -> r.name().toLowerCase(Locale.ROOT) + r.type()).distinct().toList().size());
        assertThat(azure.refusedDeletes()).isEmpty();
        assertThat(stack.arm().journal().entries()).noneMatch(e -> e.method().equals("DELETE"));
    }

    @Test
    void anIntakeThatLostItsScopeInTheComposeFileDoesNotStartAndSaysWhy() throws Exception {
        String compose = java.nio.file.Files.readString(TemporalCluster.COMPOSE);
        String intake = "  intake:\n    <<: *cmkflow\n    environment:\n      <<: [*cmkflow-env, *cmkflow-scope]\n";
        assertThat(compose).as("docker-compose.yml's intake merges the scope anchor").contains(intake);
        java.nio.file.Path variant = java.nio.file.Files.writeString(java.nio.file.Files.createTempFile("compose-", ".yml"),
                compose.replace(intake, intake.replace("[*cmkflow-env, *cmkflow-scope]", "*cmkflow-env")));

        String output = services.exitedOutput(variant, "intake", Duration.ofSeconds(90));

        assertThat(output).contains("cmkflow.azure.scope (CMKFLOW_AZURE_SCOPE) is empty");
    }

    private static ObjectNode request(String name, String subscription) {
        ObjectNode request = TestRequests.json("req-cluster-" + name, workspace(name));
        request.put("subscriptionId", subscription);
        request.put("resourceGroup", GROUP);
        stack.arm().state().resourceGroup(subscription, GROUP, request.get("location").asText());
        return request;
    }

    private static String workspace(String name) {
        return "mlw-cl-" + name;
    }

    private static List<JournalEntry> successful(String operation, String name) {
        return stack.arm().journal().byOperation(operation).stream()
                .filter(e -> e.status() >= 200 && e.status() < 300)
                .filter(e -> e.path().toLowerCase(Locale.ROOT).endsWith("/" + name.toLowerCase(Locale.ROOT))).toList();
    }

    private static List<PendingActivityInfo> pendingActivities(String workflowId) {
        return stack.run(workflowId).map(run -> run.getRawDescription().getPendingActivitiesList()).orElse(List.of());
    }

    private static CmkStatus status(String workflowId) {
        return stack.run(workflowId).map(run -> run.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS))
                .map(CmkStatus::valueOf).orElse(CmkStatus.Running);
    }
}
