package io.cmkflow.dev;

import io.cmkflow.Application;
import io.cmkflow.CommonPool;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The dev jar's command line: the product's ({@link Application}) plus {@code dev} (everything on this machine,
 * {@link DevMode}), {@code demo} (the valid examples end to end on dev mode) and {@code arm-simulator} (the simulator
 * alone, for the compose stack). The production jar has none of these.
 */
public final class DevApplication {
    private static final Path EXAMPLES = Path.of(System.getenv().getOrDefault("CMKFLOW_HOME", "."))
            .resolve("workflows/cmk-workspace/examples/valid");
    private static final Duration DEMO_TIMEOUT = Duration.ofMinutes(3);

    private DevApplication() {
    }

    public static void main(String[] args) {
        CommonPool.atLeastTwoThreads();
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The product's command line with the dev commands added. */
    public static CommandLine commandLine(Map<String, String> environment) {
        return Application.commandLine(environment)
                .addSubcommand(new Dev())
                .addSubcommand(new Demo())
                .addSubcommand(new ArmSimulatorCommand());
    }

    /** Dev mode on its state folder and ports (environment variables, else the defaults); null once it said why not. */
    private static DevMode startOrSayWhyNot(boolean reset) {
        try {
            return DevMode.start(DevMode.defaultStateDir(), reset, DevMode.temporalPort(), DevMode.temporalUiPort(), Map.of(),
                    System.out);
        } catch (RuntimeException refused) {
            Application.refusedToStart(refused);
            return null;
        }
    }

    @Command(name = "dev", description = "Run everything on this machine: Temporal dev server, ARM simulator, Service Bus stand-in, every role, the operator API")
    static final class Dev implements Callable<Integer> {
        @Option(names = "--reset", description = "wipe the state folder first")
        boolean reset;

        @Override
        public Integer call() throws InterruptedException {
            DevMode dev = startOrSayWhyNot(reset);
            if (dev == null) {
                return Application.REFUSED;
            }
            try {
                dev.serveApi();
            } catch (RuntimeException refused) {
                dev.close();
                return Application.refusedToStart(refused);
            }
            dev.printBanner(System.out);
            System.out.println("cmkflow dev running; stop with Ctrl-C");
            return Application.runUntilStopped(dev::close);
        }
    }

    @Command(name = "demo", description = "Dev mode end to end on the examples in DIR, with progress per request")
    static final class Demo implements Callable<Integer> {
        @Option(names = "--reset", description = "wipe the state folder first")
        boolean reset;

        @Parameters(paramLabel = "DIR", arity = "0..1", description = "examples (default: workflows/cmk-workspace/examples/valid)")
        Path examples;

        @Override
        public Integer call() throws Exception {
            DevMode dev = startOrSayWhyNot(reset);
            if (dev == null) {
                return Application.REFUSED;
            }
            try (dev) {
                dev.printBanner(System.out);
                return dev.application().getBean(DemoRunner.class).run(examples == null ? EXAMPLES : examples,
                        DEMO_TIMEOUT, System.out);
            }
        }
    }

    /**
     * Serves the ARM simulator alone, for {@code cmkflow serve} in other processes or containers (the compose stack):
     * on {@code CMKFLOW_ARM_SIMULATOR_PORT} (8443), named {@code CMKFLOW_ARM_SIMULATOR_HOST} (all interfaces;
     * {@code localhost} and loopback when unset), its certificate written to {@code CMKFLOW_ARM_SIMULATOR_CERTIFICATE},
     * its state in {@code CMKFLOW_ARM_SIMULATOR_STATE_FILE} when set. Serve reaches it as any ARM endpoint of its own:
     * {@code CMKFLOW_AZURE_ARM_ENDPOINT}, {@code _AUTHORITY_HOST}, {@code _GRAPH_ENDPOINT} at its address, the
     * certificate as {@code CMKFLOW_AZURE_TRUSTED_CERTIFICATE}, and the simulated application's client id and secret.
     */
    @Command(name = "arm-simulator", description = "Serve the ARM simulator alone (the compose stack's)")
    static final class ArmSimulatorCommand implements Callable<Integer> {
        @Override
        public Integer call() throws InterruptedException {
            Map<String, String> env = System.getenv();
            Path certificate = Path.of(env.getOrDefault("CMKFLOW_ARM_SIMULATOR_CERTIFICATE", "arm-simulator.pem"));
            try {
                // A certificate left by a previous start would be trusted by clients that then fail the new one's handshake.
                Files.deleteIfExists(certificate);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            ArmSimulatorOptions options = ArmSimulatorOptions.defaults()
                    .withPort(Integer.parseInt(env.getOrDefault("CMKFLOW_ARM_SIMULATOR_PORT", "8443")))
                    .withHost(env.get("CMKFLOW_ARM_SIMULATOR_HOST"))
                    .withAutoCreateResourceGroups(true)
                    .withWorkspaceOperationDuration(Duration.ofSeconds(1))
                    .withStateFile(env.containsKey("CMKFLOW_ARM_SIMULATOR_STATE_FILE")
                            ? Path.of(env.get("CMKFLOW_ARM_SIMULATOR_STATE_FILE")) : null)
                    .withCallerRole(LeastPrivilegeRole.load());
            ArmSimulator simulator = ArmSimulator.start(options);
            simulator.writeCertificate(certificate);
            System.out.println("ARM simulator serving " + simulator.endpoint() + ", certificate " + certificate
                    + "; stop with Ctrl-C");
            return Application.runUntilStopped(simulator::close);
        }
    }
}
