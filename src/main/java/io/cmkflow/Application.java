package io.cmkflow;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.local.DevMode;
import io.cmkflow.local.LocalDemo;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.operator.OperatorCli;
import io.cmkflow.request.IntakeSettings;
import io.cmkflow.request.RequestSubmitter;
import io.cmkflow.contract.StatusEvent;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.runtime.server.EmbeddedServer;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

/**
 * cmkflow's command line. {@code serve} runs the configured roles against a real Temporal cluster, Service Bus and
 * Azure, refusing to start while a setting is missing ({@link ServeSettingsCheck}); {@code dev} runs everything on this
 * machine ({@link DevMode}); {@code demo} runs the valid examples end to end on dev mode; {@code submit FILE...}
 * publishes request files to the request queue (by default dev mode's, through the emulator connection string) and
 * prints their status events; {@code runs}, {@code show}, {@code retry}, {@code abort}, {@code cancel} are the on-call
 * actions ({@link OperatorCli}).
 */
public class Application {
    static final String EMULATOR_CONNECTION_STRING =
            "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";
    private static final Path EXAMPLES = Path.of(System.getenv().getOrDefault("CMKFLOW_HOME", "."))
            .resolve("workflows/cmk-workspace/examples/valid");
    private static final Duration DEMO_TIMEOUT = Duration.ofMinutes(3);

    public static void main(String[] args) throws Exception {
        if (args.length == 0) {
            System.exit(usage());
        }
        String command = args[0];
        List<String> rest = Arrays.asList(args).subList(1, args.length);
        int exitCode = switch (command) {
            case "serve" -> serve();
            case "dev" -> dev(rest.contains("--reset"));
            case "demo" -> demo(rest.contains("--reset"), rest.stream().filter(a -> !a.startsWith("--")).findFirst()
                    .map(Path::of).orElse(EXAMPLES));
            case "submit" -> submit(rest);
            case "arm-simulator" -> armSimulator();
            default -> OperatorCli.COMMANDS.contains(command) ? OperatorCli.run(command, rest, System.out) : usage();
        };
        System.exit(exitCode);
    }

    private static int serve() throws InterruptedException {
        ApplicationContext context;
        try {
            context = ApplicationContext.builder().deduceEnvironment(false).start();
            // The operator API and the management port (health probes); a plain context does not start a server itself.
            context.getBean(EmbeddedServer.class).start();
        } catch (RuntimeException refused) {
            return refusedToStart(refused);
        }
        System.out.println("cmkflow serving; stop with Ctrl-C");
        return runUntilStopped(context::close);
    }

    private static int dev(boolean reset) throws InterruptedException {
        DevMode dev;
        try {
            dev = DevMode.start(DevMode.defaultStateDir(), reset, DevMode.temporalPort(), DevMode.temporalUiPort(), Map.of(), System.out);
        } catch (RuntimeException refused) {
            return refusedToStart(refused);
        }
        try {
            dev.serveApi();
        } catch (RuntimeException refused) {
            dev.close();
            return refusedToStart(refused);
        }
        dev.printBanner(System.out);
        System.out.println("cmkflow dev running; stop with Ctrl-C");
        return runUntilStopped(dev::close);
    }

    static int demo(boolean reset, Path examples) throws Exception {
        DevMode dev;
        try {
            dev = DevMode.start(DevMode.defaultStateDir(), reset, DevMode.temporalPort(), DevMode.temporalUiPort(), Map.of(), System.out);
        } catch (RuntimeException refused) {
            return refusedToStart(refused);
        }
        try (dev) {
            dev.printBanner(System.out);
            return dev.application().getBean(LocalDemo.class).run(examples, DEMO_TIMEOUT, System.out);
        }
    }

    /**
     * Serves the ARM simulator alone, for {@code cmkflow serve} in simulator mode in other processes or containers (the
     * compose stack): on {@code CMKFLOW_ARM_SIMULATOR_PORT} (8443), named {@code CMKFLOW_ARM_SIMULATOR_HOST} (all
     * interfaces; {@code localhost} and loopback when unset), its certificate written to
     * {@code CMKFLOW_ARM_SIMULATOR_CERTIFICATE}, its state in {@code CMKFLOW_ARM_SIMULATOR_STATE_FILE} when set.
     */
    private static int armSimulator() throws InterruptedException {
        Map<String, String> env = System.getenv();
        Path certificate = Path.of(env.getOrDefault("CMKFLOW_ARM_SIMULATOR_CERTIFICATE", "arm-simulator.pem"));
        try {
            // A certificate left by a previous start would be trusted by clients that then fail the new one's handshake.
            java.nio.file.Files.deleteIfExists(certificate);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        ArmSimulatorOptions options = ArmSimulatorOptions.defaults()
                .withPort(Integer.parseInt(env.getOrDefault("CMKFLOW_ARM_SIMULATOR_PORT", "8443")))
                .withHost(env.get("CMKFLOW_ARM_SIMULATOR_HOST"))
                .withAutoCreateResourceGroups(true)
                .withWorkspaceOperationDuration(Duration.ofSeconds(1))
                .withStateFile(env.containsKey("CMKFLOW_ARM_SIMULATOR_STATE_FILE")
                        ? Path.of(env.get("CMKFLOW_ARM_SIMULATOR_STATE_FILE")) : null);
        ArmSimulator simulator = ArmSimulator.start(options);
        simulator.writeCertificate(certificate);
        System.out.println("ARM simulator serving " + simulator.endpoint() + ", certificate " + certificate
                + "; stop with Ctrl-C");
        return runUntilStopped(simulator::close);
    }

    private static int runUntilStopped(Runnable stop) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            stopped.countDown();
        }, "cmkflow-shutdown"));
        stopped.await();
        return 0;
    }

    /** One clear message for a setting that is missing or wrong, instead of a stack trace. */
    private static int refusedToStart(RuntimeException refused) {
        Throwable cause = refused;
        while (cause.getCause() != null && !(cause instanceof ConfigurationException)) {
            cause = cause.getCause();
        }
        System.err.println(cause.getMessage());
        return 1;
    }

    private static int submit(List<String> files) {
        if (files.isEmpty()) {
            return usage();
        }
        String connection = System.getenv().getOrDefault("CMKFLOW_SERVICEBUS_CONNECTION_STRING", EMULATOR_CONNECTION_STRING);
        ServiceBusClientBuilder clients = new ServiceBusClientBuilder().connectionString(connection);
        try (RequestSubmitter submitter = new RequestSubmitter(clients,
                System.getenv().getOrDefault("CMKFLOW_REQUEST_QUEUE", IntakeSettings.DEFAULT_REQUEST_QUEUE),
                System.getenv().getOrDefault("CMKFLOW_STATUS_QUEUE", IntakeSettings.DEFAULT_STATUS_QUEUE), new ObjectMapper())) {
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
        System.err.println("usage: cmkflow [dev [--reset] | serve | arm-simulator | demo [--reset] [EXAMPLES_DIR] | submit FILE... | runs"
                + " | show ID | retry ID [REASON] | abort ID [REASON] | cancel ID]");
        return 2;
    }
}
