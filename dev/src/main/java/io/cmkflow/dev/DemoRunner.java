package io.cmkflow.dev;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.request.IntakeSettings;
import io.cmkflow.request.RequestRejectedException;
import io.cmkflow.request.RequestSubmitter;
import io.cmkflow.request.RequestValidator;
import io.cmkflow.contract.StatusEvent;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Dev mode's demo: sends every valid example (the creates, then the key rotations, then the decommissions) through the
 * Service Bus stand-in
 * with the real sender, so each takes the whole path (queue, intake, workflow, ARM simulator, status events), prints the
 * events as they arrive, and says whether every request succeeded.
 */
@Singleton
@Requires(beans = ArmSimulator.class)
public class DemoRunner {
    private static final DateTimeFormatter CLOCK = DateTimeFormatter.ofPattern("HH:mm:ss");
    /** The object id dev mode gives an example's user-assigned identity. */
    static final String EXAMPLE_IDENTITY_PRINCIPAL = "5d0c6b1e-9a3f-4e27-b8c4-1f2e3d4c5b6a";
    /** The example folders sent after the creates, in order. */
    static final List<String> FOLLOW_UPS = List.of("rotation", "decommission");
    private final ArmSimulator simulator;
    private final ServiceBusClientBuilder clients;
    private final IntakeSettings settings;
    private final RequestValidator validator;
    private final ObjectMapper mapper;

    public DemoRunner(ArmSimulator simulator, ServiceBusClientBuilder clients, IntakeSettings settings, RequestValidator validator,
                     ObjectMapper mapper) {
        this.mapper = mapper;
        this.simulator = simulator;
        this.clients = clients;
        this.settings = settings;
        this.validator = validator;
    }

    /**
     * Sends the creates in {@code examples}, then, each once all before it succeeded, the requests in its sibling folders
     * {@link #FOLLOW_UPS} (a rotation needs its workspace's create on record, a decommission comes last). Returns the
     * process exit code: 0 when every request succeeded.
     */
    public int run(Path examples, Duration timeout, PrintStream out) throws IOException {
        List<Path> files = validExamples(examples);
        if (files.isEmpty()) {
            out.println("demo: no examples in " + examples.toAbsolutePath());
            return 1;
        }
        // Dev mode keeps its runs: each demo sends its requests under fresh request ids, so a second demo is a new
        // request for the same workspaces instead of a duplicate of the first. The decommissioned ones are created
        // again (their vaults recovered); a create of one that still exists is refused (its vault's name is taken).
        String demoRun = "-demo" + Instant.now().getEpochSecond();
        int exitCode = send(examples, files, demoRun, timeout, out);
        for (String followUp : FOLLOW_UPS) {
            Path dir = examples.resolveSibling(followUp);
            if (exitCode != 0 || !Files.isDirectory(dir)) {
                break;
            }
            exitCode = send(dir, validExamples(dir), demoRun, timeout, out);
        }
        return exitCode;
    }

    private int send(Path dir, List<Path> files, String demoRun, Duration timeout, PrintStream out) throws IOException {
        List<byte[]> bodies = new ArrayList<>();
        for (Path file : files) {
            ObjectNode body = (ObjectNode) mapper.readTree(Files.readAllBytes(file));
            body.put("requestId", body.path("requestId").asText() + demoRun);
            bodies.add(mapper.writeValueAsBytes(body));
            seedAzure(file);
        }
        out.printf("demo: sending %d requests from %s to queue %s%n", files.size(), dir, settings.requestQueue());
        try (RequestSubmitter submitter = new RequestSubmitter(clients, settings.requestQueue(), settings.statusQueue(), mapper)) {
            List<String> requestIds = submitter.submitBodies(bodies);
            Map<String, StatusEvent> outcomes = submitter.awaitOutcomes(requestIds, timeout, event -> out.println(line(event)));
            return report(requestIds, outcomes, out);
        }
    }

    /**
     * Creates what the example {@code file} expects to exist before it runs, as in Azure: its resource group and, when it
     * names one, its user-assigned identity. Dev mode's Azure starts empty; the SDK end-to-end tests seed it the same way.
     */
    public void seedAzure(Path file) throws IOException {
        try {
            CmkRequest request = validator.validate(Files.readAllBytes(file));
            simulator.state().resourceGroup(request.subscriptionId(), request.resourceGroup(), request.location());
            String identityId = request.workspace().userAssignedIdentityId();
            if (identityId != null) {
                // The identity is the customer's, made before the request as in Azure; the workflow grants it key access.
                ArmResourceId identity = ArmResourceId.parse(identityId).orElseThrow();
                simulator.state().resourceGroup(identity.subscriptionId(), identity.resourceGroup(), request.location());
                simulator.state().userAssignedIdentity(identity.subscriptionId(), identity.resourceGroup(), identity.name(),
                        EXAMPLE_IDENTITY_PRINCIPAL, request.workspace().userAssignedIdentityClientId());
            }
        } catch (RequestRejectedException invalid) {
            throw new IllegalStateException("example " + file + " is not valid: " + invalid.description(), invalid);
        }
    }

    private static int report(List<String> requestIds, Map<String, StatusEvent> outcomes, PrintStream out) {
        int failures = 0;
        for (String requestId : requestIds) {
            StatusEvent last = outcomes.get(requestId);
            if (last == null) {
                out.printf("demo: %s did not finish in time%n", requestId);
                failures++;
            } else if (last.type() != StatusEvent.Type.succeeded) {
                out.printf("demo: %s ended %s: %s%n", requestId, last.type(), last.message());
                failures++;
            }
        }
        out.println(failures == 0
                ? "demo: " + (requestIds.size() == 1 ? "the request" : "all " + requestIds.size() + " requests") + " succeeded"
                : "demo: " + failures + " of " + requestIds.size() + " requests did not succeed");
        return failures == 0 ? 0 : 1;
    }

    private static String line(StatusEvent event) {
        return String.format("%s  %-16s %-18s %-19s %s", LocalTime.now().format(CLOCK), event.requestId(),
                event.type(), event.step() == null ? "" : event.step(), event.message() == null ? "" : event.message());
    }

    private static List<Path> validExamples(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
    }
}
