package io.cmkflow.deploy;

import io.cmkflow.contract.CmkRequest;

import io.cmkflow.contract.AuthorizationScope;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.standins.servicebus.EmulatorConfig;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.workflow.CmkSearchAttributes;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

/**
 * What docker-compose.yml, infra/servicebus/Config.json and infra/*.tf name exists and agrees: the files it mounts and
 * builds from, the cmkflow settings its environment sets, the ports cmkflow listens on, the emulator's schema rules,
 * and one set of queue settings everywhere (local stand-in, emulator, Terraform).
 */
class DeploymentFilesTest {
    private static final Path COMPOSE = Path.of("docker-compose.yml");
    private static final Path EMULATOR_CONFIG = Path.of("infra/servicebus/Config.json");
    private static final Pattern DURATION = Pattern.compile("^P(?!$)(\\d+D)?(T(?=\\d)(\\d+H)?(\\d+M)?(\\d+S)?)?$");
    /** Environment variables cmkflow reads outside Micronaut: the arm-simulator command's. */
    private static final Set<String> READ_DIRECTLY = Set.of("CMKFLOW_ARM_SIMULATOR_HOST", "CMKFLOW_ARM_SIMULATOR_PORT",
            "CMKFLOW_ARM_SIMULATOR_CERTIFICATE", "CMKFLOW_ARM_SIMULATOR_STATE_FILE");

    @Test
    void everyFileTheComposeStackMountsOrBuildsFromExists() {
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            for (Object volume : list(service.getValue().get("volumes"))) {
                String source = volume.toString().split(":")[0];
                if (source.startsWith("./")) {
                    assertThat(Path.of(source)).as(service.getKey() + " mounts " + source).exists();
                }
            }
            Object build = service.getValue().get("build");
            if (build instanceof Map<?, ?> withDockerfile) {
                assertThat(Path.of(withDockerfile.get("context").toString(), withDockerfile.get("dockerfile").toString()))
                        .as(service.getKey() + " builds from").exists();
            } else if (build != null) {
                assertThat(Path.of(build.toString(), "Dockerfile")).as(service.getKey() + " builds from").exists();
            }
        }
    }

    @Test
    void theSchemaAndNamespaceToolsAreTheServersVersionAndTheUiTheOneTheTemporalCliBundles() {
        Map<String, String> images = new java.util.TreeMap<>();
        services().forEach((name, service) -> images.put(name, String.valueOf(service.get("image"))));
        String server = images.get("temporal");
        assertThat(server).matches("temporalio/server:\\d+\\.\\d+\\.\\d+");
        String version = server.substring(server.indexOf(':') + 1);
        // The schema scripts must bring the database to the server's own schema version (ComposeTopologyTest builds
        // the server and the SQL tool at this version).
        assertThat(images.get("temporal-schema")).isEqualTo("temporalio/admin-tools:" + version);
        assertThat(images.get("temporal-namespace")).isEqualTo("temporalio/admin-tools:" + version);
        // The UI the pinned Temporal CLI (dev mode's server) bundles: "Server 1.32.0, UI 2.54.1".
        assertThat(images.get("temporal-ui")).isEqualTo("temporalio/ui:2.54.1");
        assertThat(io.cmkflow.dev.TemporalCli.PINNED_VERSION).isEqualTo("1.9.1");
    }

    @Test
    void everyCmkflowSettingTheComposeStackSetsIsOneTheApplicationReads() throws IOException {
        Set<String> known = ConfigurationReference.environmentVariables();
        for (String service : List.of("intake", "worker", "operator-api", "arm-simulator")) {
            Map<String, Object> environment = map(services().get(service).get("environment"));
            for (String variable : environment.keySet()) {
                assertThat(known.contains(variable) || READ_DIRECTLY.contains(variable))
                        .as(service + " sets " + variable + ": no cmkflow setting reads it").isTrue();
            }
        }
        String simulatorCommand = Files.readString(Path.of("dev/src/main/java/io/cmkflow/dev/DevApplication.java"));
        READ_DIRECTLY.stream().filter(v -> v.startsWith("CMKFLOW_")).forEach(v -> assertThat(simulatorCommand).contains("\"" + v + "\""));
    }

    @Test
    void thePortsTheStackUsesAreTheOnesCmkflowAndTheDockerfileListenOn() throws IOException {
        Map<String, Object> yml = new Yaml().load(Files.readString(Path.of("src/main/resources/application.yml")));
        String httpPort = placeholderDefault(map(map(yml.get("micronaut")).get("server")).get("port"));
        String managementPort = placeholderDefault(map(map(yml.get("endpoints")).get("all")).get("port"));
        assertThat(list(services().get("operator-api").get("ports")).stream().map(Object::toString).toList())
                .containsExactly("8088:" + httpPort, "127.0.0.1:" + managementPort + ":" + managementPort);
        String dockerfile = Files.readString(Path.of("Dockerfile"));
        assertThat(dockerfile).contains("EXPOSE " + httpPort + " " + managementPort)
                .containsPattern("(?s)HEALTHCHECK[^\\n]*\\\\\\n\\s*CMD curl [^\\n]*http://localhost:" + managementPort + "/health/liveness");
        // The workers reach the simulator as an ARM endpoint of their own: ARM, authority and Graph at its address,
        // its certificate trusted (the compose defaults, which an empty value for real Azure replaces).
        Map<String, Object> simulator = map(services().get("arm-simulator").get("environment"));
        Map<String, Object> worker = map(services().get("worker").get("environment"));
        String address = "https://" + simulator.get("CMKFLOW_ARM_SIMULATOR_HOST") + ":" + simulator.get("CMKFLOW_ARM_SIMULATOR_PORT") + "/";
        for (String endpoint : List.of("CMKFLOW_AZURE_ARM_ENDPOINT", "CMKFLOW_AZURE_AUTHORITY_HOST", "CMKFLOW_AZURE_GRAPH_ENDPOINT")) {
            assertThat(composeDefault(worker.get(endpoint))).as(endpoint).isEqualTo(address);
        }
        assertThat(composeDefault(worker.get("CMKFLOW_AZURE_TRUSTED_CERTIFICATE")))
                .isEqualTo(simulator.get("CMKFLOW_ARM_SIMULATOR_CERTIFICATE"));
    }

    @Test
    void theIntakeAndTheWorkersHaveAScopeServeAcceptsThatCoversTheExampleRequests() throws IOException {
        for (String service : List.of("intake", "worker")) {
            Object scope = map(services().get(service).get("environment")).get("CMKFLOW_AZURE_SCOPE");
            assertThat(scope).as(service + " sets CMKFLOW_AZURE_SCOPE (serve refuses to start without it)").isNotNull();
            AuthorizationScope parsed = AuthorizationScope.of(List.of(composeDefault(scope).split(",")));
            assertThat(parsed.isEmpty()).isFalse();
            assertThat(parsed.allowsEverything()).as(service + ": serve refuses a scope of everything").isFalse();
            try (var examples = Files.list(Path.of("workflows/cmk-workspace/examples/valid"))) {
                for (Path example : examples.toList()) {
                    CmkRequest request = new ObjectMapper().readValue(example.toFile(), CmkRequest.class);
                    assertThatCode(() -> parsed.check(request)).as(service + " accepts " + example).doesNotThrowAnyException();
                }
            }
        }
    }

    @Test
    void onlyTheWorkersGetAzuresSecretAndOnlyTheOperatorApiIsPublishedBeyondThisHost() {
        for (Map.Entry<String, Map<String, Object>> service : services().entrySet()) {
            Map<String, Object> environment = map(service.getValue().get("environment"));
            assertThat(environment.containsKey("CMKFLOW_AZURE_CLIENT_SECRET"))
                    .as(service.getKey() + " gets the Azure client secret").isEqualTo(service.getKey().equals("worker"));
            for (Object port : list(service.getValue().get("ports"))) {
                boolean operatorApi = service.getKey().equals("operator-api") && port.toString().startsWith("8088:");
                assertThat(port.toString().startsWith("127.0.0.1:") || operatorApi)
                        .as(service.getKey() + " publishes " + port + " beyond this host").isTrue();
            }
        }
    }

    /** The default of a compose value {@code ${NAME-default}} (or {@code ${NAME:-default}}); a plain value as it is. */
    private static String composeDefault(Object value) {
        Matcher m = Pattern.compile("^\\$\\{[A-Z0-9_]+:?-(.*)}$").matcher(String.valueOf(value));
        return m.matches() ? m.group(1) : String.valueOf(value);
    }

    @Test
    void theEmulatorConfigFollowsTheEmulatorsSchemaRules() throws IOException {
        JsonNode namespaces = new ObjectMapper().readTree(EMULATOR_CONFIG.toFile()).path("UserConfig").path("Namespaces");
        assertThat(namespaces).as("the emulator allows exactly one namespace").hasSize(1);
        assertThat(namespaces.get(0).path("Name").asText()).isEqualTo("sbemulatorns");
        assertThat(namespaces.get(0).path("Queues")).extracting(q -> q.path("Name").asText()).containsExactly("cmk-requests", "cmk-status");
        for (JsonNode queue : namespaces.get(0).path("Queues")) {
            JsonNode properties = queue.path("Properties");
            assertThat(properties.path("MaxDeliveryCount").asInt()).as(queue.path("Name") + " MaxDeliveryCount").isBetween(1, 10);
            for (String duration : List.of("LockDuration", "DefaultMessageTimeToLive", "DuplicateDetectionHistoryTimeWindow")) {
                assertThat(properties.path(duration).asText()).as(queue.path("Name") + " " + duration).matches(DURATION);
            }
            // The ranges the emulator's Config-schema.json documents.
            assertThat(Duration.parse(properties.path("LockDuration").asText())).isBetween(Duration.ofSeconds(5), Duration.ofMinutes(5));
            assertThat(Duration.parse(properties.path("DefaultMessageTimeToLive").asText())).isBetween(Duration.ofMinutes(5), Duration.ofHours(1));
            assertThat(Duration.parse(properties.path("DuplicateDetectionHistoryTimeWindow").asText())).isBetween(Duration.ofSeconds(5), Duration.ofMinutes(5));
        }
        JsonNode requests = namespaces.get(0).path("Queues").get(0).path("Properties");
        assertThat(requests.path("RequiresDuplicateDetection").asBoolean()).isTrue();
        assertThat(requests.path("DeadLetteringOnMessageExpiration").asBoolean()).isTrue();
    }

    @Test
    void theQueuesAreTheSameInTheStandInTheEmulatorAndTerraform() throws IOException {
        List<QueueDefinition> standIn = EmulatorConfig.loadDefault().queues();
        assertThat(EmulatorConfig.parse(Files.readString(EMULATOR_CONFIG)).queues()).isEqualTo(standIn);
        String terraform = Files.readString(Path.of("infra/main.tf"));
        List<QueueDefinition> azure = new ArrayList<>();
        Matcher queue = Pattern.compile("resource \"azurerm_servicebus_queue\" \"\\w+\" \\{(.*?)\\n}", Pattern.DOTALL).matcher(terraform);
        while (queue.find()) {
            String body = queue.group(1);
            azure.add(new QueueDefinition(attribute(body, "name"), Duration.parse(attribute(body, "lock_duration")),
                    Integer.parseInt(attribute(body, "max_delivery_count")), Duration.parse(attribute(body, "default_message_ttl")),
                    Boolean.parseBoolean(attribute(body, "dead_lettering_on_message_expiration")),
                    Boolean.parseBoolean(attribute(body, "requires_duplicate_detection")),
                    Duration.parse(attribute(body, "duplicate_detection_history_time_window"))));
        }
        assertThat(azure).isEqualTo(standIn);
    }

    @Test
    void theNamespaceScriptRegistersExactlyCmkflowsSearchAttributes() throws IOException {
        String script = Files.readString(Path.of("infra/temporal/create-namespace.sh"));
        Matcher loop = Pattern.compile("for attribute in ([^;]+);").matcher(script);
        assertThat(loop.find()).isTrue();
        assertThat(List.of(loop.group(1).trim().split("\\s+"))).containsExactlyElementsOf(CmkSearchAttributes.cliTypes().keySet());
        assertThat(script).contains("--type Keyword");
        assertThat(CmkSearchAttributes.cliTypes().values()).containsOnly("Keyword");
    }

    private static String attribute(String body, String name) {
        Matcher value = Pattern.compile("(?m)^\\s*" + name + "\\s*=\\s*\"?([^\"\\n]+?)\"?\\s*$").matcher(body);
        assertThat(value.find()).as(name + " in a queue of infra/main.tf").isTrue();
        return value.group(1);
    }

    private static String placeholderDefault(Object value) {
        Matcher placeholder = Pattern.compile("\\$\\{[A-Z_]+:(\\d+)}").matcher(value.toString());
        return placeholder.matches() ? placeholder.group(1) : value.toString();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Map<String, Object>> services() {
        try (InputStream in = Files.newInputStream(COMPOSE)) {
            Map<String, Object> compose = new Yaml().load(in);
            return (Map<String, Map<String, Object>>) compose.get("services");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        return value == null ? Map.of() : (Map<String, Object>) value;
    }

    private static List<?> list(Object value) {
        return value == null ? List.of() : (List<?>) value;
    }
}
