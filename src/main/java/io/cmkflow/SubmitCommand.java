package io.cmkflow;

import com.azure.core.amqp.AmqpRetryOptions;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.operator.RunOutput;
import io.cmkflow.request.IntakeSettings;
import io.cmkflow.request.RequestSubmitter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code cmkflow submit FILE... [--wait]}: publishes request files to the request queue (dev mode's through the
 * emulator connection string unless CMKFLOW_SERVICEBUS_CONNECTION_STRING says otherwise); with {@code --wait} prints
 * each request's status events as they arrive and answers 0 only when every request succeeded.
 */
@Command(name = "submit", description = "Publish request files to the request queue; --wait follows them to their end")
final class SubmitCommand implements Callable<Integer> {
    /** A command that cannot reach Service Bus says so within about this, instead of the SDK's minutes of retries. */
    private static final AmqpRetryOptions RETRIES = new AmqpRetryOptions().setMaxRetries(1).setTryTimeout(Duration.ofSeconds(10));

    @Spec
    CommandSpec spec;

    @ParentCommand
    Application cmkflow;

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "request JSON files (workflows/cmk-workspace/schema)")
    List<Path> files;

    @Option(names = "--wait", description = "print each request's status events until it ends; exit 0 only if all succeeded")
    boolean await;

    @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "PT30M", description = "how long --wait waits (ISO-8601, default ${DEFAULT-VALUE})")
    Duration timeout;

    @Mixin
    RunOutput output;

    @Override
    public Integer call() {
        Map<String, String> env = cmkflow.environment;
        ServiceBusClientBuilder clients = new ServiceBusClientBuilder().retryOptions(RETRIES)
                .connectionString(env.getOrDefault("CMKFLOW_SERVICEBUS_CONNECTION_STRING", Application.EMULATOR_CONNECTION_STRING));
        PrintWriter out = spec.commandLine().getOut();
        // With --json stdout holds one JSON document; progress goes to stderr.
        PrintWriter progress = output.json() ? spec.commandLine().getErr() : out;
        try (RequestSubmitter submitter = new RequestSubmitter(clients,
                env.getOrDefault("CMKFLOW_REQUEST_QUEUE", IntakeSettings.DEFAULT_REQUEST_QUEUE),
                env.getOrDefault("CMKFLOW_STATUS_QUEUE", IntakeSettings.DEFAULT_STATUS_QUEUE), new ObjectMapper())) {
            List<String> requestIds = send(submitter);
            progress.println("submitted " + String.join(", ", requestIds));
            progress.flush();
            if (!await) {
                if (output.json()) {
                    RunOutput.printJson(out, new Submitted(requestIds, Map.of()));
                }
                return Application.DONE;
            }
            Map<String, StatusEvent> outcomes = submitter.awaitOutcomes(requestIds, timeout, event -> {
                progress.printf("%s %s%s%s%n", event.requestId(), event.type(), event.step() == null ? "" : " " + event.step(),
                        event.message() == null ? "" : " - " + event.message());
                progress.flush();
            });
            requestIds.stream().filter(id -> !outcomes.containsKey(id))
                    .forEach(id -> spec.commandLine().getErr().println(id + " did not end within " + timeout));
            if (output.json()) {
                RunOutput.printJson(out, new Submitted(requestIds, outcomes));
            }
            return outcomes.size() == requestIds.size()
                    && outcomes.values().stream().allMatch(e -> e.type() == StatusEvent.Type.succeeded) ? Application.DONE : Application.REFUSED;
        }
    }

    /** Sends the files; a send that times out (Reactor's blocking read: the namespace does not answer) is unreachable. */
    private List<String> send(RequestSubmitter submitter) {
        try {
            return submitter.submit(files);
        } catch (IllegalStateException timedOut) {
            throw new UnreachableException("Service Bus did not take the requests: " + timedOut.getMessage(), timedOut);
        }
    }

    /** submit's JSON answer: the request ids sent and, with --wait, each one's last event. */
    record Submitted(List<String> requestIds, Map<String, StatusEvent> outcomes) {
    }
}
