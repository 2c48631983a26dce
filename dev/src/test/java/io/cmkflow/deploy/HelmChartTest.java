package io.cmkflow.deploy;

import io.cmkflow.azure.ArmBudgetSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * infra/helm/cmkflow rendered and linted by Helm itself (built from helm.sh/helm/v4 by dev/cluster/install-helm): it
 * refuses a missing required value naming it; every variable it sets is a setting cmkflow reads; each role has the
 * environment and identity compose gives it (only intake and worker sign in to Azure, only the workers get the ARM
 * budget, split between replicas into settings cmkflow accepts); probes, ports and user are the Dockerfile's.
 */
class HelmChartTest {
    private static final Path CHART = Path.of("infra/helm/cmkflow");
    private static final List<String> REQUIRED = List.of("temporal.address=temporal-frontend.temporal:7233",
            "serviceBus.fullyQualifiedNamespace=cmkflow-prod-sb.servicebus.windows.net",
            "azure.scope[0]=AzureCloud/72f988bf-86f1-41af-91ab-2d7cd011db47/11111111-2222-3333-4444-555555555555/rg-ml-*",
            "intake.clientId=0a000000-0000-4000-8000-00000000000a", "worker.clientId=0b000000-0000-4000-8000-00000000000b");
    private static Path helm;

    private record Helm(int exit, String output) {
    }

    @BeforeAll
    static void buildHelm() throws Exception {
        Process install = new ProcessBuilder("dev/cluster/install-helm").redirectError(ProcessBuilder.Redirect.INHERIT).start();
        String out = new String(install.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(install.waitFor(20, TimeUnit.MINUTES)).isTrue();
        assertThat(install.exitValue()).as("dev/cluster/install-helm").isZero();
        helm = Path.of(out);
    }

    @Test
    void helmLintsTheChartWithTheRequiredValues() throws Exception {
        Helm lint = helm(withValues(List.of("lint", CHART.toString(), "--strict"), REQUIRED));
        assertThat(lint.exit()).as(lint.output()).isZero();
    }

    @Test
    void eachRequiredValueLeftOutIsRefusedByName() throws Exception {
        for (String value : REQUIRED) {
            List<String> others = REQUIRED.stream().filter(v -> !v.equals(value)).toList();
            Helm rendered = helm(withValues(List.of("template", "rel", CHART.toString()), others));
            String name = value.substring(0, value.indexOf('=')).replace("[0]", "");
            assertThat(rendered.exit()).as("without " + name).isNotZero();
            assertThat(rendered.output()).contains(name + " is required");
        }
    }

    @Test
    void everyVariableTheChartSetsIsOneCmkflowReadsAndEachRoleGetsWhatComposeGivesIt() throws Exception {
        Map<String, Map<String, Object>> deployments = deployments(render(List.of()));
        assertThat(deployments.keySet()).containsExactlyInAnyOrder("intake", "worker", "operator-api");
        Set<String> known = ConfigurationReference.environmentVariables();
        deployments.forEach((role, deployment) -> env(deployment).keySet().forEach(variable ->
                assertThat(known).as(role + " sets " + variable + ": no cmkflow setting reads it").contains(variable)));

        assertThat(env(deployments.get("intake"))).containsEntry("CMKFLOW_INTAKE_ENABLED", "true")
                .containsEntry("CMKFLOW_WORKER_ENABLED", "false").containsKey("CMKFLOW_AZURE_SCOPE");
        assertThat(env(deployments.get("worker"))).containsEntry("CMKFLOW_WORKER_ENABLED", "true")
                .containsEntry("CMKFLOW_INTAKE_ENABLED", "false").containsKey("CMKFLOW_AZURE_SCOPE");
        assertThat(env(deployments.get("operator-api"))).containsEntry("CMKFLOW_WORKER_ENABLED", "false")
                .containsEntry("CMKFLOW_INTAKE_ENABLED", "false").doesNotContainKey("CMKFLOW_AZURE_SCOPE");
        // Azure sign-in (workload identity) for intake and worker only, each as its own identity.
        assertThat(podLabels(deployments.get("intake"))).containsEntry("azure.workload.identity/use", "true");
        assertThat(podLabels(deployments.get("worker"))).containsEntry("azure.workload.identity/use", "true");
        assertThat(podLabels(deployments.get("operator-api"))).doesNotContainKey("azure.workload.identity/use");
        assertThat(podSpec(deployments.get("operator-api"))).containsEntry("automountServiceAccountToken", false);
        Map<String, String> clientIds = new LinkedHashMap<>();
        for (Map<String, Object> document : render(List.of())) {
            if ("ServiceAccount".equals(document.get("kind"))) {
                Map<String, Object> metadata = map(document.get("metadata"));
                clientIds.put(String.valueOf(map(metadata.get("labels")).get("app.kubernetes.io/component")),
                        String.valueOf(map(metadata.get("annotations")).get("azure.workload.identity/client-id")));
            }
        }
        assertThat(clientIds).containsEntry("intake", "0a000000-0000-4000-8000-00000000000a")
                .containsEntry("worker", "0b000000-0000-4000-8000-00000000000b").containsEntry("operator-api", "null");
        // Only the workers call ARM, so only they carry the budget.
        assertThat(env(deployments.get("intake")).keySet()).noneMatch(v -> v.startsWith("CMKFLOW_AZURE_BUDGET_"));
    }

    @Test
    void theWorkersSplitTheIdentitysArmBudgetIntoSettingsCmkflowAccepts() throws Exception {
        Map<String, String> env = env(deployments(render(List.of("worker.replicas=4"))).get("worker"));
        assertThat(env).containsEntry("CMKFLOW_AZURE_BUDGET_WRITES_PER_SECOND", "2.5")
                .containsEntry("CMKFLOW_AZURE_BUDGET_WRITE_BURST", "50")
                .containsEntry("CMKFLOW_AZURE_BUDGET_READS_PER_SECOND", "6.25")
                .containsEntry("CMKFLOW_AZURE_BUDGET_READ_BURST", "62");
        // The record's own checks (the burst must exceed the rate times the transit allowance) accept the split.
        ArmBudgetSettings split = new ArmBudgetSettings(Double.parseDouble(env.get("CMKFLOW_AZURE_BUDGET_WRITES_PER_SECOND")),
                Integer.parseInt(env.get("CMKFLOW_AZURE_BUDGET_WRITE_BURST")),
                Double.parseDouble(env.get("CMKFLOW_AZURE_BUDGET_READS_PER_SECOND")),
                Integer.parseInt(env.get("CMKFLOW_AZURE_BUDGET_READ_BURST")), Duration.ofSeconds(30), 1000, Duration.ofSeconds(1));
        assertThat(split.writesPerSecond() * 4).isEqualTo(10.0);
    }

    @Test
    void probesPortsAndUserAreTheDockerfilesAndTheRootFileSystemIsReadOnly() throws Exception {
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        Matcher healthcheck = Pattern.compile("http://localhost:(\\d+)(/health/\\w+)").matcher(dockerfile);
        assertThat(healthcheck.find()).isTrue();
        Matcher user = Pattern.compile("--uid (\\d+)").matcher(dockerfile);
        assertThat(user.find()).isTrue();
        for (Map.Entry<String, Map<String, Object>> deployment : deployments(render(List.of())).entrySet()) {
            Map<String, Object> pod = podSpec(deployment.getValue());
            Map<String, Object> container = map(((List<?>) pod.get("containers")).get(0));
            Map<String, Object> liveness = map(map(container.get("livenessProbe")).get("httpGet"));
            assertThat(liveness.get("path")).as(deployment.getKey()).isEqualTo(healthcheck.group(2));
            List<String> ports = new ArrayList<>();
            ((List<?>) container.get("ports")).forEach(p -> ports.add(map(p).get("name") + ":" + map(p).get("containerPort")));
            assertThat(ports).contains("management:" + healthcheck.group(1));
            assertThat(map(pod.get("securityContext")).get("runAsUser")).isEqualTo(Integer.parseInt(user.group(1)));
            assertThat(map(container.get("securityContext")).get("readOnlyRootFilesystem")).isEqualTo(true);
            assertThat(container.get("args")).isEqualTo(List.of("serve"));
        }
    }

    @Test
    void eachRoleAdmitsOnlyMetricsAndTheOperatorApiItsCallersAndReachesOnlyDnsTemporalServiceBusAndAzure() throws Exception {
        Map<String, Map<String, Object>> policies = new LinkedHashMap<>();
        render(List.of()).stream().filter(d -> "NetworkPolicy".equals(d.get("kind"))).forEach(d ->
                policies.put(String.valueOf(map(map(d.get("metadata")).get("labels")).get("app.kubernetes.io/component")), d));
        assertThat(policies.keySet()).containsExactlyInAnyOrder("intake", "worker", "operator-api");
        policies.forEach((role, policy) -> {
            Map<String, Object> spec = map(policy.get("spec"));
            assertThat(spec.get("policyTypes")).isEqualTo(List.of("Ingress", "Egress"));
            List<Object> ingressPorts = new ArrayList<>();
            ((List<?>) spec.get("ingress")).forEach(rule -> ((List<?>) map(rule).get("ports")).forEach(p -> ingressPorts.add(map(p).get("port"))));
            assertThat(ingressPorts).as(role).containsExactlyInAnyOrderElementsOf(
                    role.equals("operator-api") ? List.of("management", "http") : List.of("management"));
            List<Object> egressPorts = new ArrayList<>();
            ((List<?>) spec.get("egress")).forEach(rule -> ((List<?>) map(rule).get("ports")).forEach(p -> egressPorts.add(map(p).get("port"))));
            assertThat(egressPorts).as(role).containsExactlyInAnyOrder(53, 53, 443, 5671, 7233);
        });
        assertThat(render(List.of("networkPolicy.enabled=false"))).noneMatch(d -> "NetworkPolicy".equals(d.get("kind")));
    }

    /** The chart rendered with the required values and {@code extra} ones ({@code --set}). */
    private static List<Map<String, Object>> render(List<String> extra) throws Exception {
        List<String> command = withValues(List.of("template", "rel", CHART.toString()), REQUIRED);
        extra.forEach(v -> {
            command.add("--set");
            command.add(v);
        });
        Helm rendered = helm(command);
        assertThat(rendered.exit()).as(rendered.output()).isZero();
        List<Map<String, Object>> documents = new ArrayList<>();
        for (Object document : new Yaml().loadAll(rendered.output())) {
            if (document != null) {
                documents.add(map(document));
            }
        }
        return documents;
    }

    private static Map<String, Map<String, Object>> deployments(List<Map<String, Object>> documents) {
        Map<String, Map<String, Object>> byRole = new LinkedHashMap<>();
        documents.stream().filter(d -> "Deployment".equals(d.get("kind"))).forEach(d ->
                byRole.put(String.valueOf(map(map(d.get("metadata")).get("labels")).get("app.kubernetes.io/component")), d));
        return byRole;
    }

    private static Map<String, Object> podSpec(Map<String, Object> deployment) {
        return map(map(map(deployment.get("spec")).get("template")).get("spec"));
    }

    private static Map<String, Object> podLabels(Map<String, Object> deployment) {
        return map(map(map(map(deployment.get("spec")).get("template")).get("metadata")).get("labels"));
    }

    private static Map<String, String> env(Map<String, Object> deployment) {
        Map<String, String> env = new LinkedHashMap<>();
        Map<String, Object> container = map(((List<?>) podSpec(deployment).get("containers")).get(0));
        ((List<?>) container.get("env")).forEach(e -> env.put(String.valueOf(map(e).get("name")), String.valueOf(map(e).get("value"))));
        return env;
    }

    /** {@code command} with {@code values} as {@code --set-string} (ids and scope entries stay strings). */
    private static List<String> withValues(List<String> command, List<String> values) {
        List<String> all = new ArrayList<>(command);
        values.forEach(v -> {
            all.add("--set-string");
            all.add(v);
        });
        return all;
    }

    private static Helm helm(List<String> arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(helm.toString()));
        command.addAll(arguments);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new Helm(process.exitValue(), output);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }
}
