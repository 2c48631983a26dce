package io.cmkflow;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.local.LocalDemo;
import io.cmkflow.operator.OperatorCli;
import io.cmkflow.request.RequestSubmitter;
import io.cmkflow.contract.StatusEvent;
import io.micronaut.context.ApplicationContext;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * cmkflow's command line. {@code serve} (the default) runs the configured roles until stopped; {@code demo} runs the
 * local default end to end on the valid examples; {@code submit FILE...} publishes request files to the request queue
 * (by default the local default's, through the emulator connection string) and prints their status events;
 * {@code runs}, {@code show}, {@code retry}, {@code abort}, {@code cancel} are the on-call actions ({@link OperatorCli}).
 */
public class Application {
    static final String EMULATOR_CONNECTION_STRING =
            "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";
    private static final Path EXAMPLES = Path.of(System.getenv().getOrDefault("CMKFLOW_HOME", "."))
            .resolve("workflows/cmk-workspace/examples/valid");
    private static final Duration DEMO_TIMEOUT = Duration.ofMinutes(3);

    public static void main(String[] args) throws Exception {
        String command = args.length == 0 ? "serve" : args[0];
        List<String> rest = Arrays.asList(args).subList(Math.min(1, args.length), args.length);
        int exitCode = switch (command) {
            case "serve" -> serve();
            case "demo" -> demo(rest.isEmpty() ? EXAMPLES : Path.of(rest.get(0)));
            case "submit" -> submit(rest);
            default -> OperatorCli.COMMANDS.contains(command) ? OperatorCli.run(command, rest, System.out) : usage();
        };
        System.exit(exitCode);
    }

    private static int serve() throws InterruptedException {
        ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            context.close();
            stopped.countDown();
        }, "cmkflow-shutdown"));
        System.out.println("cmkflow serving; stop with Ctrl-C");
        stopped.await();
        return 0;
    }

    static int demo(Path examples) throws Exception {
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).start()) {
            return context.getBean(LocalDemo.class).run(examples, DEMO_TIMEOUT, System.out);
        }
    }

    private static int submit(List<String> files) {
        if (files.isEmpty()) {
            return usage();
        }
        String connection = System.getenv().getOrDefault("CMKFLOW_SERVICEBUS_CONNECTION_STRING", EMULATOR_CONNECTION_STRING);
        ServiceBusClientBuilder clients = new ServiceBusClientBuilder().connectionString(connection);
        try (RequestSubmitter submitter = new RequestSubmitter(clients,
                System.getenv().getOrDefault("CMKFLOW_REQUEST_QUEUE", "cmk-requests"),
                System.getenv().getOrDefault("CMKFLOW_STATUS_QUEUE", "cmk-status"), new ObjectMapper())) {
            List<String> requestIds = submitter.submit(files.stream().map(Path::of).toList());
            System.out.println("submitted " + requestIds);
            Map<String, StatusEvent> outcomes = submitter.awaitOutcomes(requestIds, Duration.ofMinutes(30),
                    event -> System.out.printf("%s %s %s %s%n", event.requestId(), event.type(),
                            event.step() == null ? "" : event.step(), event.message() == null ? "" : event.message()));
            return outcomes.size() == requestIds.size()
                    && outcomes.values().stream().allMatch(e -> e.type() == StatusEvent.Type.succeeded) ? 0 : 1;
        }
    }

    private static int usage() {
        System.err.println("usage: cmkflow [serve | demo [EXAMPLES_DIR] | submit FILE... | runs | show ID | retry ID [REASON]"
                + " | abort ID [REASON] | cancel ID]");
        return 2;
    }
}
