package io.cmkflow.cluster;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.FreePorts;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * cmkflow's compose services ({@code intake}, {@code worker} scaled to several, {@code operator-api}) as processes of the
 * production jar, each started as the Dockerfile's ENTRYPOINT and CMD start it, with exactly its compose environment
 * (interpolated against the variables the test gives, as a user's shell or .env would). A {@link CmkStack.Part} on a
 * stack whose Temporal server is a {@link TemporalCluster} (or, to compare, the dev server): the stack's Service Bus stand-in stands in for compose's
 * emulator and its ARM simulator for the {@code arm-simulator} service (the simulator's certificate written into the
 * {@code arm-simulator} volume as that service writes it).
 * <p>
 * What differs from compose, and only that: host names are loopback ({@code temporal:7233}, {@code sb://servicebus},
 * {@code https://arm-simulator:8443/} replaced by where the stack's servers listen), a named volume is a folder, and
 * each process gets free ports for the operator API and management ({@code CMKFLOW_HTTP_PORT},
 * {@code CMKFLOW_MANAGEMENT_PORT}), which containers would not share.
 */
public final class CmkflowServices implements CmkStack.Part {
    static final Path PRODUCT_JAR = TemporalCluster.PROJECT.resolve("product/target/cmkflow.jar");
    private static final Pattern JSON_ARRAY = Pattern.compile("\\[(.*)]");
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    /** The Dockerfile's ENTRYPOINT (this machine's java, the jar the image copies to /app/cmkflow.jar) and CMD, read once. */
    private static final List<String> ENTRYPOINT = entrypoint();
    private static final List<String> CMD = dockerfileInstruction("CMD");

    /** One running service process and its ports. */
    public record Service(String name, LocalProcess process, int httpPort, int managementPort) {
        public long pid() {
            return process.pid();
        }
    }

    private final Map<String, String> variables;
    private final int workers;
    private final Map<String, String> extraEnvironment = new LinkedHashMap<>();
    private final Map<String, Service> running = new LinkedHashMap<>();
    private final Map<String, Integer> starts = new LinkedHashMap<>();
    private CmkStack stack;
    private ComposeFile compose;
    private Path dir;

    /**
     * @param variables compose variables as a user would set them (for example {@code CMKFLOW_AZURE_SCOPE})
     * @param workers   how many {@code worker} processes ({@code docker compose up --scale worker=N})
     */
    public CmkflowServices(Map<String, String> variables, int workers) {
        this.variables = Map.copyOf(variables);
        this.workers = workers;
    }

    /**
     * Adds {@code environment} to every service's, over compose's (as {@code docker compose run -e} would): settings
     * compose does not pass, such as a benchmark's worker tuning or JVM options ({@code JAVA_TOOL_OPTIONS}).
     */
    public CmkflowServices withEnvironment(Map<String, String> environment) {
        extraEnvironment.putAll(environment);
        return this;
    }

    @Override
    public void start(CmkStack started) {
        this.stack = started;
        if (!Files.isRegularFile(PRODUCT_JAR)) {
            throw new AssertionError(PRODUCT_JAR + " is missing: the full suite builds it (mvn verify); alone, run "
                    + "mvn -pl product -am package -DskipTests first");
        }
        this.compose = ComposeFile.read(TemporalCluster.COMPOSE, variables);
        this.dir = started.temporalServer(CmkStack.TemporalServer.class) instanceof TemporalCluster cluster ? cluster.dir()
                : TemporalCluster.newStateDir("cmkflow-services");
        // The arm-simulator service writes its certificate into its volume; the services mount that volume.
        stack.arm().writeCertificate(volume("arm-simulator").resolve("arm-simulator.pem"));
        List<String> names = new ArrayList<>(List.of("intake"));
        for (int i = 1; i <= workers; i++) {
            names.add("worker-" + i);
        }
        names.add("operator-api");
        names.forEach(this::startService);
        names.forEach(name -> awaitReady(running.get(name)));
    }

    /** {@code intake}, {@code worker-1} ..., {@code operator-api}. */
    public Service service(String name) {
        Service service = running.get(name);
        if (service == null) {
            throw new IllegalArgumentException("no service " + name + " running: " + running.keySet());
        }
        return service;
    }

    /** SIGKILLs the service's process. */
    public void kill(String name) {
        service(name).process().kill();
    }

    /** Starts the service again (its process must be dead) and waits until it is ready. */
    public Service restart(String name) {
        if (service(name).process().alive()) {
            throw new IllegalStateException(name + " is still running");
        }
        startService(name);
        return awaitReady(running.get(name));
    }

    /** The URL of {@code path} on the operator API. */
    public URI operatorApi(String path) {
        return URI.create("http://127.0.0.1:" + service("operator-api").httpPort() + path);
    }

    /** A product command ({@code runs --status ...}) run as the image runs one, with {@code service}'s environment. */
    public String command(String service, List<String> arguments, Duration within) {
        Path log = dir.resolve("command-" + System.nanoTime() + ".log");
        LocalProcess.run(String.join(" ", arguments), containerCommand(arguments), environment(compose.service(composeName(service)),
                FreePorts.next(), FreePorts.next()), dir, log, within);
        try {
            return Files.readString(log);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Starts {@code service} as {@code composeFile} (a variant of docker-compose.yml) describes it and returns its output
     * once it has exited, which it must do within {@code within}: what a broken compose file makes of the service.
     */
    public String exitedOutput(Path composeFile, String service, Duration within) {
        ComposeFile.Service variant = ComposeFile.read(composeFile, variables).service(service);
        try (LocalProcess process = LocalProcess.start(service, containerCommand(variant), environment(variant,
                FreePorts.next(), FreePorts.next()), dir, dir.resolve(service + "-variant.log"))) {
            process.awaitReady("its exit", within, () -> !process.alive());
            return process.logText();
        }
    }

    private void startService(String name) {
        int run = starts.merge(name, 1, Integer::sum);
        int httpPort = FreePorts.next();
        int managementPort = FreePorts.next();
        ComposeFile.Service service = compose.service(composeName(name));
        LocalProcess process = LocalProcess.start(name, containerCommand(service), environment(service, httpPort, managementPort),
                dir, dir.resolve(name + "-" + run + ".log"));
        running.put(name, new Service(name, process, httpPort, managementPort));
    }

    private Service awaitReady(Service service) {
        service.process().awaitReady("readiness UP", Duration.ofSeconds(120), () -> ready(service.managementPort()));
        return service;
    }

    private static boolean ready(int managementPort) {
        try {
            HttpResponse<String> response = HTTP.send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + managementPort + "/health/readiness")).timeout(Duration.ofSeconds(5))
                    .build(), HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** {@code worker-2} is compose's {@code worker} scaled. */
    private static String composeName(String name) {
        return name.startsWith("worker-") ? "worker" : name;
    }

    private Map<String, String> environment(ComposeFile.Service service, int httpPort, int managementPort) {
        Map<String, String> env = new LinkedHashMap<>();
        service.environment().forEach((key, value) -> env.put(key, loopback(value)));
        env.put("CMKFLOW_HTTP_PORT", String.valueOf(httpPort));
        env.put("CMKFLOW_MANAGEMENT_PORT", String.valueOf(managementPort));
        env.put("PATH", System.getenv("PATH"));
        env.put("HOME", dir.toString());
        env.putAll(extraEnvironment);
        return env;
    }

    /** A compose value with the service host names and volume paths replaced by where they are on this machine. */
    private String loopback(String value) {
        String arm = stack.arm().endpoint().toString();
        return value.replace("temporal:7233", stack.temporalServer(CmkStack.TemporalServer.class).target())
                .replace("sb://servicebus;", "sb://127.0.0.1:" + stack.serviceBus().port() + ";")
                .replace("https://arm-simulator:8443/", arm.endsWith("/") ? arm : arm + "/")
                .replace("/shared/", volume("arm-simulator") + "/");
    }

    private Path volume(String name) {
        try {
            return Files.createDirectories(dir.resolve("volumes").resolve(name));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** What the service's container runs: the ENTRYPOINT with compose's command, else the Dockerfile's CMD. */
    private static List<String> containerCommand(ComposeFile.Service service) {
        return containerCommand(service.command().isEmpty() ? CMD : service.command());
    }

    private static List<String> containerCommand(List<String> arguments) {
        List<String> command = new ArrayList<>(ENTRYPOINT);
        command.addAll(arguments);
        return command;
    }

    private static List<String> entrypoint() {
        List<String> entrypoint = new ArrayList<>();
        for (String part : dockerfileInstruction("ENTRYPOINT")) {
            entrypoint.add(switch (part) {
                case "java" -> Path.of(System.getProperty("java.home"), "bin", "java").toString();
                case "/app/cmkflow.jar" -> PRODUCT_JAR.toString();
                default -> part;
            });
        }
        return entrypoint;
    }

    private static List<String> dockerfileInstruction(String instruction) {
        try {
            for (String line : Files.readAllLines(TemporalCluster.PROJECT.resolve("Dockerfile"))) {
                if (line.startsWith(instruction + " ")) {
                    Matcher array = JSON_ARRAY.matcher(line);
                    if (array.find()) {
                        return List.of(array.group(1).replace("\"", "").split("\\s*,\\s*"));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        throw new AssertionError("the Dockerfile has no " + instruction + " [...]");
    }

    /** The pids of the services running now. */
    public List<Long> pids() {
        return running.values().stream().filter(service -> service.process().alive()).map(Service::pid).toList();
    }

    @Override
    public void close() {
        running.values().forEach(service -> service.process().close());
    }
}
