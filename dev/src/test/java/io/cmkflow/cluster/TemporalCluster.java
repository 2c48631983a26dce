package io.cmkflow.cluster;

import io.cmkflow.dev.TemporalCli;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The Temporal half of docker-compose.yml run as processes, from the compose file itself: {@code postgresql} (Debian's
 * PostgreSQL), {@code temporal-schema} (its entrypoint script, with the {@code temporal-sql-tool} and schema files built
 * from the same server module), {@code temporal} (the Temporal server built from {@code go.temporal.io/server} at the
 * compose image's version, {@code dev/cluster/install-temporal-server}, configured by the service's environment as the
 * image is), {@code temporal-namespace} (its script, with the project's Temporal CLI) and {@code temporal-ui} (the UI
 * server built from {@code github.com/temporalio/ui-server/v2} at the UI image's version, assets embedded, configured
 * by the image's own template). A {@link CmkStack} Temporal server:
 * {@code CmkStack.builder().temporalServer(TemporalCluster::start)}.
 * <p>
 * What differs from compose, and only that: service host names are loopback and ports are free ones (each service's
 * port variables set to them), {@code BIND_ON_IP} is 127.0.0.1, and an image path a script needs is given by variable
 * ({@code TEMPORAL_SCHEMA_DIR}). A compose volume {@code ./x:/y} becomes a link {@code <root>/y -> x} and the service's
 * image paths are read under {@code <root>}.
 */
public final class TemporalCluster implements CmkStack.TemporalServer {
    static final Path PROJECT = TemporalCli.projectDir();
    static final Path COMPOSE = PROJECT.resolve("docker-compose.yml");
    private static final Duration SCHEMA_TIMEOUT = Duration.ofMinutes(3);

    private final ComposeFile compose;
    private final Path dir;
    private final Path serverBinaries;
    private final Path uiServer;
    private final PostgresServer postgres;
    private final Map<String, Integer> ports = new LinkedHashMap<>();
    private final int uiPort = FreePorts.next();
    private LocalProcess server;
    private LocalProcess ui;
    private int restarts;

    private TemporalCluster(ComposeFile compose, Path dir, TemporalServerBuild build, PostgresServer postgres) {
        this.compose = compose;
        this.dir = dir;
        this.serverBinaries = build.server();
        this.uiServer = build.ui();
        this.postgres = postgres;
    }

    /** The cluster compose describes, on PostgreSQL, with cmkflow's namespace and search attributes. */
    public static TemporalCluster start() {
        ComposeFile compose = ComposeFile.read(COMPOSE, Map.of());
        TemporalServerBuild build = TemporalServerBuild.forCompose(compose);
        Path dir = newStateDir("temporal-cluster");
        PostgresServer postgres = PostgresServer.start(compose.service("postgresql"), dir.resolve("postgresql"), FreePorts.next());
        TemporalCluster cluster = new TemporalCluster(compose, dir, build, postgres);
        try {
            cluster.setUpSchema();
            cluster.startServer();
            cluster.createNamespace();
            cluster.startUi();
            return cluster;
        } catch (RuntimeException | AssertionError e) {
            cluster.close();
            throw e;
        }
    }

    /** A new folder under dev/target/{@code kind}/ for one topology's logs and state. */
    static Path newStateDir(String kind) {
        try {
            return Files.createDirectories(PROJECT.resolve("dev/target").resolve(kind).resolve(UUID.randomUUID().toString()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String target() {
        return "127.0.0.1:" + ports.get("FRONTEND_GRPC_PORT");
    }

    /** The Temporal UI's address (compose's {@code temporal-ui}, from the same UI server the image runs). */
    public URI ui() {
        return URI.create("http://127.0.0.1:" + uiPort);
    }

    /** The folder holding every process's log and state. */
    Path dir() {
        return dir;
    }

    /** SIGKILLs the Temporal server process and starts it again on the same database and ports. */
    public void restartServer() {
        server.kill();
        startServer();
    }

    private void setUpSchema() {
        ComposeFile.Service service = compose.service("temporal-schema");
        Map<String, String> env = databaseEnvironment(service);
        env.put("TEMPORAL_SCHEMA_DIR", serverBinaries.resolve("schema").toString());
        Path root = root(service);
        LocalProcess.run(service.name(), imageCommand(root, service.entrypoint()), env, root, dir.resolve("temporal-schema.log"),
                SCHEMA_TIMEOUT);
    }

    private void startServer() {
        ComposeFile.Service service = compose.service("temporal");
        if (ports.isEmpty()) {
            for (String port : List.of("FRONTEND_GRPC_PORT", "FRONTEND_HTTP_PORT", "FRONTEND_MEMBERSHIP_PORT",
                    "HISTORY_GRPC_PORT", "HISTORY_MEMBERSHIP_PORT", "MATCHING_GRPC_PORT", "MATCHING_MEMBERSHIP_PORT",
                    "WORKER_GRPC_PORT", "WORKER_MEMBERSHIP_PORT", "INTERNAL_FRONTEND_HTTP_PORT")) {
                ports.put(port, FreePorts.next());
            }
        }
        Map<String, String> env = databaseEnvironment(service);
        env.put("BIND_ON_IP", "127.0.0.1");
        ports.forEach((name, port) -> env.put(name, String.valueOf(port)));
        Path root = root(service);
        // The image's entrypoint: temporal-server start, in WORKDIR /etc/temporal (DYNAMIC_CONFIG_FILE_PATH is relative to it).
        Path workDir = mkdirs(root.resolve("etc/temporal"));
        server = LocalProcess.start("temporal", List.of(serverBinaries.resolve("temporal-server").toString(), "start"), env,
                workDir, dir.resolve("temporal-" + restarts++ + ".log"));
        // Compose's health check for the service: nc -z localhost 7233.
        server.awaitReady("its frontend port open", Duration.ofSeconds(120), () -> listening(ports.get("FRONTEND_GRPC_PORT")));
    }

    private void createNamespace() {
        ComposeFile.Service service = compose.service("temporal-namespace");
        Map<String, String> env = environment(service);
        env.put("TEMPORAL_ADDRESS", target());
        Path cli = TemporalCli.forProject().binary();
        env.put("PATH", cli.getParent() + ":" + env.get("PATH"));
        Path root = root(service);
        LocalProcess.run(service.name(), imageCommand(root, service.entrypoint()), env, root, dir.resolve("temporal-namespace.log"),
                SCHEMA_TIMEOUT);
    }

    private void startUi() {
        ComposeFile.Service service = compose.service("temporal-ui");
        Map<String, String> env = environment(service);
        env.put("TEMPORAL_ADDRESS", target());
        env.put("TEMPORAL_UI_PORT", String.valueOf(uiPort));
        // The image's entrypoint: ui-server --env docker start, reading config/docker.yaml (a template of these variables).
        ui = LocalProcess.start(service.name(), List.of(uiServer.resolve("ui-server").toString(), "--env", "docker", "start"),
                env, uiServer, dir.resolve("temporal-ui.log"));
        ui.awaitReady("its port open", Duration.ofSeconds(60), () -> listening(uiPort));
    }

    /** {@link #environment} with the {@code postgresql} service's host and port where it listens here. */
    private Map<String, String> databaseEnvironment(ComposeFile.Service service) {
        Map<String, String> env = environment(service);
        env.put("POSTGRES_SEEDS", "127.0.0.1");
        env.put("DB_PORT", String.valueOf(postgres.port()));
        return env;
    }

    /** The service's compose environment, with this machine's PATH (the cluster's tools first) in place of the image's. */
    private Map<String, String> environment(ComposeFile.Service service) {
        Map<String, String> env = new LinkedHashMap<>(service.environment());
        env.put("PATH", serverBinaries + ":" + System.getenv("PATH"));
        env.put("HOME", dir.toString());
        return env;
    }

    /** The service's file system as far as compose's volumes shape it: {@code <dir>/<service>-root} with a link per bind mount. */
    private Path root(ComposeFile.Service service) {
        Path root = mkdirs(dir.resolve(service.name() + "-root"));
        for (String volume : service.volumes()) {
            String[] parts = volume.split(":");
            if (!parts[0].startsWith("./")) {
                continue;
            }
            Path link = root.resolve(parts[1].substring(1));
            if (!Files.exists(link, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                mkdirs(link.getParent());
                try {
                    Files.createSymbolicLink(link, PROJECT.resolve(parts[0].substring(2)).normalize());
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }
        return root;
    }

    /** An image command whose absolute paths that a volume provides are read under {@code root}. */
    private static List<String> imageCommand(Path root, List<String> command) {
        List<String> resolved = new ArrayList<>();
        for (String part : command) {
            Path underRoot = root.resolve(part.startsWith("/") ? part.substring(1) : part);
            resolved.add(part.startsWith("/") && Files.exists(underRoot) ? underRoot.toString() : part);
        }
        return resolved;
    }

    private static boolean listening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static Path mkdirs(Path path) {
        try {
            return Files.createDirectories(path);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            for (LocalProcess process : java.util.Arrays.asList(ui, server)) {
                if (process != null) {
                    process.close();
                }
            }
        } finally {
            postgres.close();
        }
    }
}
