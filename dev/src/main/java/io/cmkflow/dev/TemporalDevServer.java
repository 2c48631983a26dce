package io.cmkflow.dev;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.temporal.api.enums.v1.IndexedValueType;
import io.temporal.api.operatorservice.v1.AddSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesRequest;
import io.temporal.api.operatorservice.v1.ListSearchAttributesResponse;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.api.workflowservice.v1.GetSystemInfoRequest;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The real Temporal server on one machine: the Temporal CLI's dev server ({@code temporal server start-dev}) with a
 * SQLite file in a state folder, the Temporal UI, and cmkflow's search attributes; or one already listening on the
 * port, which it attaches to (and then {@link #close()} leaves running).
 * <p>
 * The dev server honours {@code --search-attribute} only when it creates the database file: on a restart with an
 * existing file, new attributes (and changed types) are silently ignored. So after start-up (and on attach) this
 * class also registers missing attributes through the OperatorService and fails when one exists with another type.
 * <p>
 * A server this class started is SIGKILLed by a shutdown hook if the JVM exits without closing it. Output goes to
 * {@code <stateDir>/temporal-server.log}.
 */
public final class TemporalDevServer implements AutoCloseable {
    public static final String DB_FILE = "temporal.db";
    public static final String LOG_FILE = "temporal-server.log";
    /** Server dynamic config that lets a worker take the activities its own workflow task schedules (eager execution). */
    public static final String EAGER_ACTIVITIES = "system.enableActivityEagerExecution";

    /** Types {@code --search-attribute NAME=TYPE} accepts. */
    public static final Set<String> SEARCH_ATTRIBUTE_TYPES =
            Set.of("Text", "Keyword", "Int", "Double", "Bool", "Datetime", "KeywordList");

    private static final Logger log = LoggerFactory.getLogger(TemporalDevServer.class);
    private static final Set<Process> LIVE = ConcurrentHashMap.newKeySet();

    /** How long the reaper leaves owners that close on shutdown (cmkflow dev: its application first) to stop their server. */
    private static final Duration OWNER_GRACE = Duration.ofSeconds(15);

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            long giveUp = System.nanoTime() + OWNER_GRACE.toNanos();
            try {
                while (!LIVE.isEmpty() && System.nanoTime() < giveUp) {
                    Thread.sleep(100);
                }
            } catch (InterruptedException stopWaiting) {
                Thread.currentThread().interrupt();
            }
            LIVE.forEach(TemporalDevServer::destroyTree);
        }, "temporal-dev-server-reaper"));
    }

    private final Options options;
    private final boolean attached;
    private volatile Process process;
    private volatile Duration lastStartTime = Duration.ZERO;

    private TemporalDevServer(Options options, boolean attached) {
        this.options = options;
        this.attached = attached;
    }

    /** Starts a dev server; fails if something already listens on the gRPC port. */
    public static TemporalDevServer start(Options options) {
        if (portOpen(options.ip, options.port)) {
            throw new DevServerException("cannot start the Temporal dev server: " + options.target()
                    + " is already in use" + (answersTemporal(options) ? " by a Temporal server (attach instead)" : ""));
        }
        TemporalDevServer server = new TemporalDevServer(options, false);
        server.launch();
        return server;
    }

    /** Attaches to a Temporal server already listening on the gRPC port (close() leaves it running). */
    public static TemporalDevServer attach(Options options) {
        if (!answersTemporal(options)) {
            throw new DevServerException("no Temporal server answers on " + options.target()
                    + (portOpen(options.ip, options.port) ? " (the port is in use by something else)" : ""));
        }
        TemporalDevServer server = new TemporalDevServer(options, true);
        server.awaitReady(Instant.now().plus(options.startTimeout));
        log.info("Attached to the Temporal server on {} (UI {} if it is a dev server)", server.target(), server.uiUrl());
        return server;
    }

    /** Attaches when a Temporal server already answers on the port, else starts one. */
    public static TemporalDevServer startOrAttach(Options options) {
        return answersTemporal(options) ? attach(options) : start(options);
    }

    /** gRPC target, e.g. {@code 127.0.0.1:7233}. */
    public String target() {
        return options.target();
    }

    /** The Temporal UI, e.g. {@code http://127.0.0.1:8233}. */
    public String uiUrl() {
        return "http://" + options.ip + ":" + options.uiPort();
    }

    public Path dbFile() {
        return options.dbFile();
    }

    public Path logFile() {
        return options.logFile();
    }

    public Options options() {
        return options;
    }

    /** True when this attached to a server it did not start. */
    public boolean attached() {
        return attached;
    }

    /** True while the process this started is alive (always false when attached). */
    public boolean processAlive() {
        Process p = process;
        return p != null && p.isAlive();
    }

    /** How long the last start took until the server answered (zero when attached). */
    public Duration lastStartTime() {
        return lastStartTime;
    }

    /** SIGKILLs the server process and waits for it to be gone (a crash, for tests). */
    public void kill() {
        requireOwned("kill");
        Process p = process;
        if (p != null) {
            destroyTree(p);
            waitFor(p, Duration.ofSeconds(10));
            LIVE.remove(p);
            process = null;
        }
    }

    /** Stops the server if it runs (gracefully) and starts it again on the same database file and ports. */
    public void restart() {
        requireOwned("restart");
        stop();
        launch();
    }

    /** Stops the server this started (SIGTERM, then SIGKILL after the stop timeout); leaves an attached one running. */
    @Override
    public void close() {
        if (!attached) {
            stop();
        }
    }

    private void requireOwned(String what) {
        if (attached) {
            throw new IllegalStateException("cannot " + what + " a Temporal server this did not start (" + target() + ")");
        }
    }

    private synchronized void stop() {
        Process p = process;
        if (p == null) {
            return;
        }
        p.destroy();
        if (!waitFor(p, options.stopTimeout)) {
            log.warn("Temporal dev server (pid {}) did not stop within {}; killing it", p.pid(), options.stopTimeout);
            destroyTree(p);
            waitFor(p, Duration.ofSeconds(10));
        }
        LIVE.remove(p);
        process = null;
    }

    private synchronized void launch() {
        if (processAlive()) {
            throw new IllegalStateException("the Temporal dev server is already running (pid " + process.pid() + ")");
        }
        List<String> command = command();
        Path logFile = options.logFile();
        try {
            Files.createDirectories(options.stateDir);
            Files.writeString(logFile, "$ " + String.join(" ", command) + System.lineSeparator(),
                    StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare the state folder " + options.stateDir, e);
        }
        Instant started = Instant.now();
        Process p;
        try {
            p = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new DevServerException("cannot run " + options.binary + ": " + e.getMessage(), e);
        }
        LIVE.add(p);
        process = p;
        try {
            p.getOutputStream().close();
            awaitReady(started.plus(options.startTimeout));
        } catch (RuntimeException | IOException e) {
            destroyTree(p);
            waitFor(p, Duration.ofSeconds(10));
            LIVE.remove(p);
            process = null;
            if (e instanceof DevServerException d) {
                throw d;
            }
            throw new DevServerException("the Temporal dev server did not become ready: " + e + tailOfLog(), e);
        }
        lastStartTime = Duration.between(started, Instant.now());
        log.info("Temporal dev server (pid {}) ready on {} after {} ms; UI {}; database {}",
                p.pid(), target(), lastStartTime.toMillis(), uiUrl(), dbFile());
    }

    List<String> command() {
        List<String> command = new ArrayList<>(List.of(options.binary.toString(), "server", "start-dev",
                "--db-filename", options.dbFile().toString(),
                // SQLite's default (a rollback journal, synced on every commit) made each write to the server wait
                // ~15 ms for the disk; with a write-ahead log synced at checkpoints a commit survives the server
                // process dying (what the database file is for), not the machine losing power.
                "--sqlite-pragma", "journal_mode=wal",
                "--sqlite-pragma", "synchronous=normal",
                "--ip", options.ip,
                "--port", Integer.toString(options.port),
                "--ui-port", Integer.toString(options.uiPort()),
                "--namespace", options.namespace));
        if (options.headless) {
            command.add("--headless");
        } else {
            command.add("--ui-disable-news-fetch");
        }
        if (options.httpPort > 0) {
            command.addAll(List.of("--http-port", Integer.toString(options.httpPort)));
        }
        if (options.metricsPort > 0) {
            command.addAll(List.of("--metrics-port", Integer.toString(options.metricsPort)));
        }
        options.searchAttributes.forEach((name, type) -> command.addAll(List.of("--search-attribute", name + "=" + type)));
        // The server hands a worker the activity its workflow task just scheduled in the task's answer, saving a poll
        // round trip per step; a production cluster needs the same dynamic config (docs/temporal-dev-server.md).
        command.addAll(List.of("--dynamic-config-value", EAGER_ACTIVITIES + "=true"));
        return command;
    }

    /** Waits until the frontend answers GetSystemInfo and knows the namespace, then ensures the search attributes. */
    private void awaitReady(Instant deadline) {
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(target()).build());
        try {
            RuntimeException last = null;
            while (true) {
                Process p = process;
                if (!attached && (p == null || !p.isAlive())) {
                    throw new DevServerException("the Temporal dev server exited"
                            + (p == null ? "" : " with code " + p.exitValue()) + " before it was ready"
                            + tailOfLog());
                }
                try {
                    stubs.blockingStub().withDeadlineAfter(1, TimeUnit.SECONDS)
                            .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
                    stubs.blockingStub().withDeadlineAfter(1, TimeUnit.SECONDS)
                            .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(options.namespace).build());
                    break;
                } catch (StatusRuntimeException e) {
                    last = e;
                }
                if (Instant.now().isAfter(deadline)) {
                    throw new DevServerException("the Temporal server on " + target() + " was not ready within "
                            + options.startTimeout + " (last error: " + last + ")" + tailOfLog());
                }
                sleep(Duration.ofMillis(100));
            }
        } finally {
            stubs.shutdownNow();
        }
        ensureSearchAttributes();
    }

    /** Registers the wanted search attributes the namespace lacks; fails on one that exists with another type. */
    private void ensureSearchAttributes() {
        if (options.searchAttributes.isEmpty()) {
            return;
        }
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(
                OperatorServiceStubsOptions.newBuilder().setTarget(target()).validateAndBuildWithDefaults());
        try {
            ListSearchAttributesResponse existing = operator.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
                    .listSearchAttributes(ListSearchAttributesRequest.newBuilder().setNamespace(options.namespace).build());
            for (Map.Entry<String, String> wanted : options.searchAttributes.entrySet()) {
                IndexedValueType type = indexedValueType(wanted.getValue());
                IndexedValueType have = existing.getCustomAttributesMap().get(wanted.getKey());
                if (have == type) {
                    continue;
                }
                if (have != null) {
                    throw new DevServerException("search attribute " + wanted.getKey() + " exists in namespace "
                            + options.namespace + " on " + target() + " as " + have + ", wanted " + type
                            + (attached ? "" : "; the database " + dbFile() + " was made with another type"));
                }
                try {
                    operator.blockingStub().withDeadlineAfter(10, TimeUnit.SECONDS)
                            .addSearchAttributes(AddSearchAttributesRequest.newBuilder()
                                    .setNamespace(options.namespace)
                                    .putSearchAttributes(wanted.getKey(), type)
                                    .build());
                    log.info("Registered search attribute {} ({}) in namespace {}", wanted.getKey(), type, options.namespace);
                } catch (StatusRuntimeException e) {
                    if (e.getStatus().getCode() != Status.Code.ALREADY_EXISTS) {
                        throw new DevServerException("cannot register search attribute " + wanted.getKey()
                                + " on " + target() + ": " + e.getStatus(), e);
                    }
                }
            }
        } catch (StatusRuntimeException e) {
            throw new DevServerException("cannot list the search attributes of namespace " + options.namespace
                    + " on " + target() + ": " + e.getStatus(), e);
        } finally {
            operator.shutdownNow();
        }
    }

    static IndexedValueType indexedValueType(String type) {
        String name = switch (type) {
            case "KeywordList" -> "KEYWORD_LIST";
            default -> type.toUpperCase(Locale.ROOT);
        };
        return IndexedValueType.valueOf("INDEXED_VALUE_TYPE_" + name);
    }

    private String tailOfLog() {
        return TemporalCli.tail(options.logFile()).replaceFirst("^:", " — end of " + options.logFile() + ":");
    }

    private static boolean answersTemporal(Options options) {
        if (!portOpen(options.ip, options.port)) {
            return false;
        }
        WorkflowServiceStubs stubs = WorkflowServiceStubs.newServiceStubs(
                WorkflowServiceStubsOptions.newBuilder().setTarget(options.target()).build());
        try {
            stubs.blockingStub().withDeadlineAfter(2, TimeUnit.SECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
            return true;
        } catch (StatusRuntimeException e) {
            return false;
        } finally {
            stubs.shutdownNow();
        }
    }

    static boolean portOpen(String ip, int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(ip, port), 300);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    private static void destroyTree(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly(); // SIGKILL on Unix
    }

    private static boolean waitFor(Process p, Duration bound) {
        try {
            return p.waitFor(bound.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return !p.isAlive();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new DevServerException("interrupted while waiting for the Temporal server", e);
        }
    }

    /** Where and how to run the dev server. */
    public static final class Options {
        private Path binary = Path.of("temporal");
        private Path stateDir = TemporalCli.projectDir().resolve(".cmkflow").resolve("state");
        private String ip = "127.0.0.1";
        private int port = 7233;
        private Integer uiPort;
        private int httpPort;
        private int metricsPort;
        private boolean headless;
        private String namespace = "default";
        private final Map<String, String> searchAttributes = new LinkedHashMap<>();
        private Duration startTimeout = Duration.ofSeconds(60);
        private Duration stopTimeout = Duration.ofSeconds(10);

        private Options() {
        }

        public static Options builder() {
            return new Options();
        }

        /** The {@code temporal} binary, e.g. {@link TemporalCli#binary()}. */
        public Options binary(Path binary) {
            this.binary = Objects.requireNonNull(binary);
            return this;
        }

        /** Holds {@code temporal.db} and {@code temporal-server.log}; default {@code <project>/.cmkflow/state}. */
        public Options stateDir(Path stateDir) {
            this.stateDir = stateDir.toAbsolutePath().normalize();
            return this;
        }

        public Options ip(String ip) {
            this.ip = Objects.requireNonNull(ip);
            return this;
        }

        /** gRPC port (default 7233). */
        public Options port(int port) {
            this.port = port;
            return this;
        }

        /** UI port (default gRPC port + 1000). */
        public Options uiPort(int uiPort) {
            this.uiPort = uiPort;
            return this;
        }

        /** HTTP API port (0: the CLI picks a free one). */
        public Options httpPort(int httpPort) {
            this.httpPort = httpPort;
            return this;
        }

        /** Metrics port (0: the CLI picks a free one). */
        public Options metricsPort(int metricsPort) {
            this.metricsPort = metricsPort;
            return this;
        }

        public Options headless(boolean headless) {
            this.headless = headless;
            return this;
        }

        public Options namespace(String namespace) {
            this.namespace = Objects.requireNonNull(namespace);
            return this;
        }

        /** Search attributes by name, with a type of {@link #SEARCH_ATTRIBUTE_TYPES} (e.g. "Keyword"). */
        public Options searchAttributes(Map<String, String> attributes) {
            attributes.forEach(this::searchAttribute);
            return this;
        }

        public Options searchAttribute(String name, String type) {
            if (!name.matches("[A-Za-z_][A-Za-z0-9_]*")) {
                throw new IllegalArgumentException("search attribute name is not an identifier: " + name);
            }
            if (!SEARCH_ATTRIBUTE_TYPES.contains(type)) {
                throw new IllegalArgumentException("search attribute " + name + " has type " + type
                        + "; expected one of " + SEARCH_ATTRIBUTE_TYPES);
            }
            searchAttributes.put(name, type);
            return this;
        }

        public Options startTimeout(Duration startTimeout) {
            this.startTimeout = Objects.requireNonNull(startTimeout);
            return this;
        }

        public Options stopTimeout(Duration stopTimeout) {
            this.stopTimeout = Objects.requireNonNull(stopTimeout);
            return this;
        }

        /** A copy, to derive options for another server. */
        public Options copy() {
            Options copy = new Options();
            copy.binary = binary;
            copy.stateDir = stateDir;
            copy.ip = ip;
            copy.port = port;
            copy.uiPort = uiPort;
            copy.httpPort = httpPort;
            copy.metricsPort = metricsPort;
            copy.headless = headless;
            copy.namespace = namespace;
            copy.searchAttributes.putAll(searchAttributes);
            copy.startTimeout = startTimeout;
            copy.stopTimeout = stopTimeout;
            return copy;
        }

        public String target() {
            return ip + ":" + port;
        }

        public int port() {
            return port;
        }

        public int uiPort() {
            return uiPort == null ? port + 1000 : uiPort;
        }

        public String namespace() {
            return namespace;
        }

        public Map<String, String> searchAttributes() {
            return Map.copyOf(searchAttributes);
        }

        public Path stateDir() {
            return stateDir;
        }

        public Path dbFile() {
            return stateDir.resolve(DB_FILE);
        }

        public Path logFile() {
            return stateDir.resolve(LOG_FILE);
        }
    }

    /** The dev server could not be started or reached; the message includes the tail of its log when there is one. */
    public static final class DevServerException extends RuntimeException {
        public DevServerException(String message) {
            super(message);
        }

        public DevServerException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
