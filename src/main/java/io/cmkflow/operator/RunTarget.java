package io.cmkflow.operator;

import io.micronaut.context.ApplicationContext;
import io.temporal.client.WorkflowClient;
import picocli.CommandLine.Option;

import java.net.URI;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * Where the run commands reach the runs: Temporal directly (the default: {@code --temporal} or TEMPORAL_ADDRESS, else
 * dev mode's 127.0.0.1:7233, with the namespace, TLS and API key of the configuration), or the operator API with
 * {@code --api URL --token T} (CMKFLOW_API_URL, CMKFLOW_API_TOKEN).
 */
public final class RunTarget {
    static final String DEV_TEMPORAL = "127.0.0.1:7233";

    @Option(names = "--temporal", paramLabel = "HOST:PORT", description = "Temporal frontend (default: TEMPORAL_ADDRESS, else " + DEV_TEMPORAL + ")")
    String temporalAddress;

    @Option(names = "--api", paramLabel = "URL", defaultValue = "${env:CMKFLOW_API_URL}",
            description = "go through the operator API at URL instead of Temporal (default: CMKFLOW_API_URL)")
    URI api;

    @Option(names = "--token", paramLabel = "TOKEN", defaultValue = "${env:CMKFLOW_API_TOKEN}",
            description = "the operator API's bearer token (default: CMKFLOW_API_TOKEN)")
    String token;

    /** Applies {@code action} to the runs, opening (and closing) the Temporal client when going direct. */
    <T> T apply(Function<RunOperations, T> action) {
        if (api != null) {
            return action.apply(new OperatorApiClient(api, token));
        }
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(clientOnly()).start()) {
            return action.apply(RunOperations.of(new RunControl(context.getBean(WorkflowClient.class))));
        }
    }

    /** Only the Temporal client: no worker, no intake, and no embedded server (the one to talk to is already running). */
    private Map<String, Object> clientOnly() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("cmkflow.worker.enabled", "false");
        properties.put("cmkflow.intake.enabled", "false");
        // One command, one answer: a Temporal that does not answer within this is reported unreachable, not retried for a minute.
        properties.put("cmkflow.temporal.rpc-retry-expiration", "10s");
        String environment = System.getenv("TEMPORAL_ADDRESS");
        if (temporalAddress != null) {
            properties.put("cmkflow.temporal.address", temporalAddress);
        } else if (environment == null || environment.isBlank()) {
            properties.put("cmkflow.temporal.address", DEV_TEMPORAL);
        }
        return properties;
    }
}
