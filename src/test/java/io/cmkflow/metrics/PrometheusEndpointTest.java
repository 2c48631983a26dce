package io.cmkflow.metrics;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.BeforeAll;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.PostureReport;
import io.cmkflow.workflow.WorkflowIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The management port's /prometheus on the application's own wiring: the intake's, runs', steps' and ARM calls'
 * meters move as a valid and a malformed request flow through (one ARM call throttled), the Temporal SDK's own
 * metrics are there, and every metric the Grafana dashboard in infra/ queries is one the application serves.
 */
class PrometheusEndpointTest {
    static final Path DASHBOARD = Path.of("infra/grafana/cmkflow-dashboard.json");
    static final Path ALERTS = Path.of("infra/prometheus/cmkflow-alerts.yml");
    private static final int MANAGEMENT_PORT = FreePorts.next();
    /** A metric name where a PromQL expression uses one: followed by a label matcher, a range or the expression's end. */
    private static final Pattern METRIC = Pattern.compile("\\b((?:cmkflow|temporal)_[a-z0-9_]+)\\b");

    @RegisterExtension
    static CmkStack stack = CmkStack.builder().requestTarget()
            .property("micronaut.server.port", FreePorts.next())
            .property("endpoints.all.port", MANAGEMENT_PORT)
            .build();

    private static final String MALFORMED = "cmkflow_intake_messages_total{outcome=\"dead_lettered\",reason=\"MalformedJson\"}";
    private static final String THROTTLED_CALLS = "cmkflow_arm_requests_total{operation=\"ProvidersClient.list\",status=\"429\"}";
    private static final String THROTTLED_STEPS = "cmkflow_arm_throttled_total{step=\"RegisterResourceProviders\"}";
    private static final String HEALTHY_CHECKS = "cmkflow_posture_checks_total{posture=\"Healthy\"}";
    private static final String THROTTLING_WAIT = "cmkflow_arm_throttling_wait_seconds_sum{step=\"RegisterResourceProviders\"}";

    private final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void serveManagementPort() {
        stack.app().getBean(EmbeddedServer.class).start();
    }

    @Test
    void metersMoveAsRequestsFlow() throws Exception {
        String before = scrape();
        double received = value(before, "cmkflow_intake_messages_total{outcome=\"received\",reason=\"none\"}");
        double started = value(before, "cmkflow_intake_messages_total{outcome=\"started\",reason=\"none\"}");
        double succeeded = value(before, "cmkflow_runs_total{status=\"succeeded\"}");
        double malformed = value(before, MALFORMED);
        double throttledCalls = value(before, THROTTLED_CALLS);
        double throttledSteps = value(before, THROTTLED_STEPS);
        double throttlingWait = value(before, THROTTLING_WAIT);
        double healthyChecks = value(before, HEALTHY_CHECKS);
        stack.arm().faults().inject(FaultRule.forOperation("Providers_List").status(429).code("TooManyRequests")
                .message("slow down").retryAfterSeconds(1).times(1));

        ObjectNode request = TestRequests.json("req-metrics-1", "mlw-metrics-1");
        stack.send(request);
        stack.send(new ServiceBusMessage(BinaryData.fromString("not JSON")).setMessageId("not-json-metrics")
                .setContentType("application/json"));
        stack.status().awaitType("req-metrics-1", StatusEvent.Type.succeeded, Duration.ofSeconds(60));
        stack.status().awaitType("not-json-metrics", StatusEvent.Type.rejected, Duration.ofSeconds(30));

        String after = await().atMost(Duration.ofSeconds(30)).until(this::scrape,
                scraped -> value(scraped, "cmkflow_runs_total{status=\"succeeded\"}") == succeeded + 1
                        && value(scraped, MALFORMED) == malformed + 1);
        assertThat(value(after, "cmkflow_intake_messages_total{outcome=\"received\",reason=\"none\"}")).isEqualTo(received + 2);
        assertThat(value(after, "cmkflow_intake_messages_total{outcome=\"started\",reason=\"none\"}")).isEqualTo(started + 1);
        assertThat(value(after, "cmkflow_intake_circuit_open")).isZero();
        assertThat(value(after, THROTTLED_CALLS)).isEqualTo(throttledCalls + 1);
        assertThat(value(after, THROTTLED_STEPS)).isEqualTo(throttledSteps + 1);
        assertThat(value(after, THROTTLING_WAIT)).isEqualTo(throttlingWait + 1);
        assertThat(after).containsPattern("cmkflow_step_duration_seconds_bucket\\{outcome=\"success\",step=\"CreateWorkspace\",le=\"[^\"]+\"}");

        // A posture check of the workspace (as its schedule would start it) moves the posture meters once its event is out.
        CmkRequest created = TestRequests.mapper().convertValue(request, CmkRequest.class);
        assertThat(stack.checkPosture(created, stack.run(WorkflowIds.forRequest(created)).orElseThrow().getExecution().getRunId())
                .posture()).isEqualTo(PostureReport.Posture.Healthy);
        String checked = await().atMost(Duration.ofSeconds(30)).until(this::scrape,
                scraped -> value(scraped, HEALTHY_CHECKS) == healthyChecks + 1);
        assertThat(value(checked, "cmkflow_workspaces_posture{posture=\"Healthy\"}")).isGreaterThanOrEqualTo(1);
        assertThat(value(checked, "cmkflow_runs_total{status=\"posture\"}")).as("a check is not a run").isZero();
        // The SDK reports its buffered metrics every few seconds.
        await().atMost(Duration.ofSeconds(30)).until(this::scrape, scraped -> scraped.contains("temporal_request_total"));
    }

    @Test
    void everyMetricTheDashboardQueriesIsServed() throws Exception {
        Set<String> queried = new TreeSet<>();
        List<String> expressions = new ArrayList<>();
        new ObjectMapper().readTree(Files.readString(DASHBOARD)).findValues("expr").forEach(expr -> expressions.add(expr.asText()));
        // The alert rules' expressions, one per `expr:` line.
        Files.readAllLines(ALERTS).stream().map(String::strip).filter(line -> line.startsWith("expr:")).forEach(expressions::add);
        for (String expr : expressions) {
            Matcher metric = METRIC.matcher(expr);
            while (metric.find()) {
                queried.add(metric.group(1));
            }
        }
        assertThat(queried).contains("cmkflow_intake_messages_total", "cmkflow_intake_circuit_open",
                "cmkflow_runs_total", "cmkflow_step_duration_seconds_bucket", "cmkflow_arm_requests_total",
                "cmkflow_workspaces_posture", "cmkflow_posture_checks_total");
        stack.arm().faults().inject(FaultRule.forOperation("Providers_List").status(429).code("TooManyRequests")
                .message("slow down").retryAfterSeconds(1).times(1));
        stack.send(TestRequests.json("req-metrics-2", "mlw-metrics-2"));
        stack.status().awaitType("req-metrics-2", StatusEvent.Type.succeeded, Duration.ofSeconds(60));

        String served = await().atMost(Duration.ofSeconds(30)).until(this::scrape,
                scraped -> queried.stream().allMatch(name -> served(scraped, name)));
        assertThat(queried).allSatisfy(name -> assertThat(served(served, name)).as(name).isTrue());
    }

    private static boolean served(String scraped, String name) {
        return Pattern.compile("(?m)^" + Pattern.quote(name) + "[{ ]").matcher(scraped).find();
    }

    /** The sample's value in the scrape ({@code name{labels}} as Prometheus writes it, labels sorted), 0 when absent. */
    private static double value(String scraped, String sample) {
        int brace = sample.indexOf('{');
        String pattern = brace < 0 ? Pattern.quote(sample) + " "
                : Pattern.quote(sample.substring(0, sample.length() - 1)) + ",?\\} ";
        Matcher line = Pattern.compile("(?m)^" + pattern + "([0-9.eE+-]+)$").matcher(scraped);
        return line.find() ? Double.parseDouble(line.group(1)) : 0;
    }

    private String scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + MANAGEMENT_PORT + "/prometheus"))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
