package io.cmkflow.standins.arm;

import com.azure.core.credential.TokenCredential;
import com.azure.core.http.HttpClient;
import com.azure.core.http.jdk.httpclient.JdkHttpClientBuilder;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.profile.AzureProfile;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLContext;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An Azure Resource Manager simulator on an HTTPS loopback port, for the real Azure SDK. See the package Javadoc.
 * <pre>{@code
 * try (ArmSimulator sim = ArmSimulator.start(ArmSimulatorOptions.defaults())) {
 *     AzureResourceManager azure = AzureResourceManager.configure()
 *         .withHttpClient(sim.httpClient())
 *         .authenticate(sim.credential(), sim.profile(tenantId, subscriptionId))
 *         .withSubscription(subscriptionId);
 * }
 * }</pre>
 * With {@link ArmSimulatorOptions#withStateFile} the simulated Azure outlives the simulator: everything
 * {@link #state()} holds is kept (providers, groups, vaults live and soft-deleted, keys with every version, access
 * policies, role assignments, identities, storage, components, workspaces live and soft-deleted, managed groups,
 * long-running operations and the timed changes that will finish them, planned workspace failures).
 * Deliberately not kept, being test instruments or per-run: the journal, fault rules, latency, throttling buckets,
 * requests in flight, refused deletes, the TLS certificate (made fresh at each start) and the listeners' ports (only
 * preferred at the next start).
 */
public final class ArmSimulator implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ArmSimulator.class);
    private static final int HANDLER_THREADS = 64;

    static {
        // The JDK server reads this once, when its first instance is made. Without TCP_NODELAY every answer waits
        // ~40 ms for the client's delayed ACK (Nagle), which made the simulator 5x slower than its own work.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final HttpsServer server;
    private final ExecutorService executor;
    private final SelfSignedCertificate certificate;
    /** The name in its URLs and certificate; listening on {@code bindAddress} (null: every interface). */
    private final String host;
    private final InetAddress bindAddress;
    private final ArmState state;
    private final ArmRouter router;
    private final ArmAuthorization authorization;
    private final Journal journal = new Journal();
    private final Faults faults = new Faults();
    private final Latency latency = new Latency();
    private final Throttling throttling = new Throttling();
    private final URI endpoint;
    private final Map<String, HttpsServer> vaultServers = new ConcurrentHashMap<>();
    private final Queue<String> inFlight = new ConcurrentLinkedQueue<>();
    /** Null when the state is in memory only. */
    private final StateFile stateFile;
    /** The data-plane ports the vaults had in the run that wrote the state file, by lower-case name. */
    private final Map<String, Integer> preferredVaultPorts = new HashMap<>();
    /** Set once closed or abandoned: no snapshot is written after it. */
    private volatile boolean stopped;

    private ArmSimulator(ArmSimulatorOptions options) throws IOException {
        this.stateFile = options.stateFile() == null ? null : new StateFile(options.stateFile());
        ObjectNode snapshot = stateFile == null ? null : stateFile.read();
        JsonNode listeners = snapshot == null ? JsonDocuments.object() : snapshot.path("listeners");
        listeners.path("vaults").fields().forEachRemaining(e -> preferredVaultPorts.put(e.getKey(),
                e.getValue().asInt()));
        this.host = options.host() == null ? "localhost" : options.host();
        this.bindAddress = options.host() == null ? InetAddress.getLoopbackAddress() : null;
        this.certificate = SelfSignedCertificate.generate(host);
        this.state = new ArmState(options);
        this.authorization = new ArmAuthorization(state.roleAssignmentStore);
        this.router = new ArmRouter(state, journal, List.of(
                new KeyDataPlaneRoutes(state.vaultStore, state.keyStore,
                        new KeyVaultDataAccess(state.roleAssignmentStore)),
                new GraphRoutes(options),
                new RoleRoutes(state.roleAssignmentStore, state.roleDefinitionStore),
                new ProviderRoutes(state.providerStore, state.groupStore),
                new VaultRoutes(state.vaultStore, state.keyStore),
                new WorkspaceRoutes(state.workspaceStore, state.operations, state.resourceStore, state.endpoints,
                        options.operationRetryAfter()),
                new StorageRoutes(state.storageAccountStore, state.resourceStore, state.endpoints,
                        options.operationRetryAfter()),
                new ResourceGroupRoutes(state.groupStore, state.resourceStore),
                new GenericRoutes(state.genericResourceStore, state.resourceStore)));
        this.server = options.port() != 0 ? listen(options.port(), false)
                : listen(listeners.path("arm").asInt(0), true);
        AtomicInteger threads = new AtomicInteger();
        // Injected latency holds a thread per request: enough threads that concurrent runs wait for the latency, not
        // for each other (with 8, fifty runs at 50 ms took four times longer than their latency).
        this.executor = Executors.newFixedThreadPool(HANDLER_THREADS, r -> {
            Thread t = new Thread(r, "arm-simulator-" + threads.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        server.setExecutor(executor);
        server.createContext("/", exchange -> handle(exchange, null));
        server.start();
        this.endpoint = URI.create("https://" + host + ":" + server.getAddress().getPort() + "/");
        state.endpoints.baseUrl(endpoint.toString());
        state.endpoints.vaultEndpoints(this::vaultEndpoint);
        if (stateFile != null) {
            try {
                restore(snapshot);
            } catch (RuntimeException e) {
                stopListeners();
                state.close();
                throw e;
            }
        }
        synchronized (state) {
            state.grantCaller(options.callerRole());
            state.changed();
        }
    }

    /** A listener on {@code port} (0 = any); with {@code fallBack} on any port when that one is taken. */
    private HttpsServer listen(int port, boolean fallBack) throws IOException {
        HttpsServer listener;
        try {
            listener = HttpsServer.create(bindAddress == null ? new InetSocketAddress(port) : new InetSocketAddress(bindAddress, port), 0);
        } catch (BindException e) {
            if (!fallBack || port == 0) {
                throw e;
            }
            LOG.info("ARM simulator: port {} of the previous run is taken, listening on another", port);
            listener = HttpsServer.create(bindAddress == null ? new InetSocketAddress(0) : new InetSocketAddress(bindAddress, 0), 0);
        }
        listener.setHttpsConfigurator(new HttpsConfigurator(certificate.serverContext()));
        return listener;
    }

    /** Loads the state file's snapshot (when there is one), then writes after every change. */
    private void restore(ObjectNode snapshot) {
        synchronized (state) {
            if (snapshot != null) {
                try {
                    String portable = JsonDocuments.MAPPER.writeValueAsString(snapshot.path("state"));
                    state.load(JsonDocuments.MAPPER.readTree(state.endpoints.local(portable)));
                } catch (IOException | RuntimeException e) {
                    throw new IllegalStateException("cannot load the ARM simulator state file " + stateFile.path()
                            + ": " + e, e);
                }
            }
            state.onChange(this::persist);
            persist();
        }
    }

    /** Writes a snapshot when the state differs from the last one written; the caller holds the state lock. */
    private void persist() {
        if (stopped) {
            return;
        }
        try {
            ObjectNode snapshot = JsonDocuments.object();
            snapshot.put("format", StateFile.FORMAT);
            snapshot.put("formatVersion", StateFile.FORMAT_VERSION);
            ObjectNode listeners = snapshot.putObject("listeners");
            listeners.put("arm", endpoint.getPort());
            ObjectNode vaults = listeners.putObject("vaults");
            new TreeMap<>(state.endpoints.vaultUris()).forEach((name, uri) -> vaults.put(name,
                    URI.create(uri).getPort()));
            snapshot.set("state", state.export());
            stateFile.write(state.endpoints.portable(JsonDocuments.MAPPER.writeValueAsString(snapshot)));
        } catch (IOException | RuntimeException e) {
            // The next change tries again; the file keeps the last snapshot written.
            LOG.error("ARM simulator cannot write its state file {}", stateFile.path(), e);
        }
    }

    /** Starts a simulator; close it to free its port and threads. */
    public static ArmSimulator start(ArmSimulatorOptions options) {
        try {
            return new ArmSimulator(options);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start the ARM simulator on port " + options.port(), e);
        }
    }

    /** {@code https://localhost:PORT/} */
    public URI endpoint() {
        return endpoint;
    }

    /** Trusts the certificate this simulator made at start (and nothing else). */
    public SSLContext sslContext() {
        return certificate.clientContext();
    }

    /**
     * Azure public cloud's settings with every service endpoint pointed at this simulator: Microsoft Graph's service
     * principals are served here ({@link GraphRoutes}), and a stray call to another service arrives here and shows as
     * unhandled instead of leaving the machine.
     */
    public AzureEnvironment azureEnvironment() {
        return azureEnvironment(endpoint);
    }

    /** {@link #azureEnvironment()} of the simulator serving {@code endpoint}, possibly in another process. */
    public static AzureEnvironment azureEnvironment(URI endpoint) {
        Map<String, String> endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
        String url = endpoint.toString();
        for (String key : List.of("portalUrl", "publishingProfileUrl", "managementEndpointUrl",
                "resourceManagerEndpointUrl", "galleryEndpointUrl", "activeDirectoryGraphResourceId",
                "microsoftGraphResourceId")) {
            endpoints.put(key, url);
        }
        return new AzureEnvironment(endpoints);
    }

    /**
     * Writes this simulator's certificate (PEM, no private key) to {@code file}, for a client in another process
     * ({@link #trusting(Path)}). The certificate is made fresh at each start: write it again after a restart.
     */
    public Path writeCertificate(Path file) {
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, certificate.pem(), StandardCharsets.US_ASCII);
            return Files.move(partial, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the ARM simulator's certificate to " + file, e);
        }
    }

    /** A client context trusting the simulator certificate in the PEM {@code file} ({@link #writeCertificate}). */
    public static SSLContext trusting(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            X509Certificate certificate = (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
            return SelfSignedCertificate.trusting(certificate);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the ARM simulator's certificate " + file, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("not a certificate: " + file, e);
        }
    }

    /** An azure-core HTTP client (JDK) that trusts this simulator's certificate. */
    public HttpClient httpClient() {
        return new JdkHttpClientBuilder(java.net.http.HttpClient.newBuilder().sslContext(sslContext())).build();
    }

    /**
     * A credential signing in as {@link SimulatedDirectory#CALLER_OBJECT_ID} in tenant
     * {@link VaultSeed#DEFAULT_TENANT}; {@link SimulatedDirectory#credential(String)} signs in to another tenant.
     */
    public TokenCredential credential() {
        return SimulatedDirectory.credential(VaultSeed.DEFAULT_TENANT);
    }

    /** A profile for this simulator's environment (the tenant must be a GUID: the vault SDK parses it). */
    public AzureProfile profile(String tenantId, String subscriptionId) {
        return new AzureProfile(tenantId, subscriptionId, azureEnvironment());
    }

    public Journal journal() {
        return journal;
    }

    public Faults faults() {
        return faults;
    }

    public Latency latency() {
        return latency;
    }

    public Throttling throttling() {
        return throttling;
    }

    public ArmState state() {
        return state;
    }

    /**
     * Operation ids of the requests received and not yet answered (one entry per request): lets a test act while a
     * call is in flight, or check that nothing is still on its way once a client says it is done.
     */
    public List<String> operationsInFlight() {
        return List.copyOf(inFlight);
    }

    /**
     * The data-plane endpoint of a vault (by lower-case name): a listener of its own, made on first use, on the port
     * it had in the run that wrote the state file when that one is free (key URLs a client kept then still answer).
     */
    private String vaultEndpoint(String vaultName) {
        HttpsServer vaultServer = vaultServers.computeIfAbsent(vaultName, name -> {
            try {
                HttpsServer s = listen(preferredVaultPorts.getOrDefault(name, 0), true);
                s.setExecutor(executor);
                s.createContext("/", exchange -> handle(exchange, name));
                s.start();
                return s;
            } catch (IOException e) {
                throw new IllegalStateException("cannot open the data-plane listener of vault " + name, e);
            }
        });
        return "https://" + host + ":" + vaultServer.getAddress().getPort() + "/";
    }

    /** Stops listening and writes the last snapshot (with a state file). */
    @Override
    public void close() {
        stopListeners();
        state.close();
        if (stateFile != null) {
            synchronized (state) {
                persist();
            }
        }
        stopped = true;
    }

    /** Stops as a killed process would: no last snapshot, and none from a request or timer still running. */
    void abandon() {
        stopped = true;
        stopListeners();
        state.close();
    }

    private void stopListeners() {
        vaultServers.values().forEach(s -> s.stop(0));
        server.stop(0);
        executor.shutdownNow();
    }

    /** Serves one request; {@code vaultName} is set on a vault's data-plane listener (journaled as /kv/{vault}/...). */
    private void handle(HttpExchange exchange, String vaultName) {
        Instant receivedAt = Instant.now();
        ArmRequest request = null;
        String counted = null;
        try (exchange) {
            request = parse(exchange, vaultName);
            if (vaultName == null && TokenEndpoint.matches(request)) {
                // Entra ID's, not ARM's: neither journaled nor throttled nor faulted like an ARM operation.
                write(exchange, request, TokenEndpoint.answer(request));
                return;
            }
            Route route = router.route(request);
            ArmResponse response;
            if (route == null) {
                response = error(new ArmError(request.is(0, "subscriptions") ? 404 : 400, "NoRegisteredProviderFound",
                        "The simulator has no route for " + request.method + " " + request.path + "."));
            } else {
                request.operation = route.operation();
                inFlight.add(route.operation());
                counted = route.operation();
                response = serve(request, route);
            }
            response.header("x-ms-request-id", UUID.randomUUID().toString());
            response.header("x-ms-correlation-request-id", UUID.randomUUID().toString());
            if (request.subscription != null) {
                response.header(request.isWrite() ? "x-ms-ratelimit-remaining-subscription-writes"
                        : "x-ms-ratelimit-remaining-subscription-reads",
                        Long.toString(throttling.remaining(request.subscription, request.isWrite())));
            }
            // Journaled before answering, so a client that has its answer always finds the entry.
            journal.record(new JournalEntry(request.method, request.path, Map.copyOf(request.query),
                    request.operation, request.subscription, response.status, response.errorCode, request.body,
                    route != null, receivedAt, List.copyOf(request.actions)));
            write(exchange, request, response);
        } catch (RuntimeException | IOException e) {
            LOG.warn("ARM simulator failed to answer {} {}", request == null ? "?" : request.method,
                    request == null ? "?" : request.path, e);
        } finally {
            // Only after the entry is journaled and the answer written: "not in flight" means "in the journal".
            if (counted != null) {
                inFlight.remove(counted);
            }
        }
    }

    private ArmResponse serve(ArmRequest request, Route route) {
        boolean dataPlane = request.is(0, "kv");
        String header = request.header("Authorization");
        boolean bearer = header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)
                && header.length() > 7;
        if (!bearer) {
            if (dataPlane) {
                // Key Vault's challenge: the client learns tenant and resource from it, then retries with a token.
                // Key Vault names the vault's tenant, so a single-tenant credential asks its own tenant for the token.
                return error(new ArmError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.")
                        .header("WWW-Authenticate", "Bearer authorization=\"" + endpoint + vaultTenant(request.segment(1))
                                + "\", resource=\"https://vault.azure.net\""));
            }
            return error(new ArmError(401, "AuthenticationFailed",
                    "Authentication failed. The 'Authorization' header is missing.")
                    .header("WWW-Authenticate", "Bearer authorization_uri=\"https://login.microsoftonline.com/common\", "
                            + "error=\"invalid_token\", error_description=\"The authentication failed because of "
                            + "missing 'Authorization' header.\""));
        }
        // ARM authorizes at its front door, before throttling and before any resource provider sees the request.
        ArmError denied = authorization.check(request);
        if (denied != null) {
            return error(denied);
        }
        Throttling.Verdict verdict = throttling.take(request.subscription, request.isWrite());
        if (!verdict.allowed()) {
            String bucket = request.isWrite() ? "writes" : "reads";
            return error(new ArmError(429, "TooManyRequests", "Number of " + bucket + " requests for subscription '"
                    + request.subscription + "' exceeded the limit. Please try again after '"
                    + verdict.retryAfterSeconds() + "' seconds.")
                    .header("Retry-After", Long.toString(verdict.retryAfterSeconds())));
        }
        ArmError fault = faults.take(request);
        if (fault != null) {
            return error(fault);
        }
        sleep(latency.delayFor(request));
        try {
            ArmError refused = router.frontDoor(request);
            if (refused != null) {
                return error(refused);
            }
            synchronized (state) {
                try {
                    return route.action().get();
                } finally {
                    state.changed();
                }
            }
        } catch (ArmError e) {
            return error(e);
        } catch (RuntimeException e) {
            // A simulator bug must reach the client (and the journal) as an error, not as a dropped connection.
            LOG.warn("ARM simulator failed serving {} {}", request.method, request.path, e);
            return error(new ArmError(500, "SimulatorFailure", "The simulator failed serving " + request.operation
                    + ": " + e));
        }
    }

    /** The tenant of the vault named {@code name} (a deleted or unknown vault: the simulator's default tenant). */
    private String vaultTenant(String name) {
        synchronized (state) {
            ObjectNode vault = state.vaultStore.named(name);
            String tenant = vault == null ? null : JsonDocuments.text(vault, "properties", "tenantId");
            return tenant == null ? VaultSeed.DEFAULT_TENANT : tenant;
        }
    }

    private static ArmResponse error(ArmError e) {
        var body = JsonDocuments.object();
        var error = body.putObject("error");
        error.put("code", e.code());
        error.put("message", e.getMessage());
        if (e.innerCode() != null) {
            error.putObject("innererror").put("code", e.innerCode());
        }
        ArmResponse response = ArmResponse.status(e.status(), body);
        response.errorCode = e.code();
        e.headers().forEach(response::header);
        return response;
    }

    private static void sleep(Duration delay) {
        if (delay.isZero()) {
            return;
        }
        try {
            Thread.sleep(delay.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static ArmRequest parse(HttpExchange exchange, String vaultName) throws IOException {
        // The JDK keeps the request target verbatim in URI.toString(); its parsed path loses a leading "//".
        String target = exchange.getRequestURI().toString();
        int q = target.indexOf('?');
        String rawPath = q < 0 ? target : target.substring(0, q);
        String rawQuery = q < 0 ? "" : target.substring(q + 1);
        List<String> segments = new ArrayList<>();
        if (vaultName != null) {
            segments.add("kv");
            segments.add(vaultName);
        }
        for (String s : rawPath.split("/")) {
            if (!s.isEmpty()) {
                segments.add(decode(s));
            }
        }
        Map<String, String> query = new LinkedHashMap<>();
        for (String pair : rawQuery.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String name = decodeQuery(eq < 0 ? pair : pair.substring(0, eq));
            String value = eq < 0 ? "" : decodeQuery(pair.substring(eq + 1));
            query.put(name, value);
        }
        String body;
        try (InputStream in = exchange.getRequestBody()) {
            byte[] bytes = in.readAllBytes();
            body = bytes.length == 0 ? null : new String(bytes, StandardCharsets.UTF_8);
        }
        return new ArmRequest(exchange.getRequestMethod(), canonicalPath(segments), List.copyOf(segments),
                query, body, exchange.getRequestHeaders());
    }

    /** The path with ARM's own keywords in their documented case, so journal filters need not care how it was sent. */
    private static String canonicalPath(List<String> segments) {
        StringBuilder path = new StringBuilder();
        for (String s : segments) {
            String canonical = switch (s.toLowerCase(java.util.Locale.ROOT)) {
                case "subscriptions" -> "subscriptions";
                case "resourcegroups" -> "resourceGroups";
                case "providers" -> "providers";
                default -> s;
            };
            path.append('/').append(canonical);
        }
        return path.length() == 0 ? "/" : path.toString();
    }

    private static String decode(String segment) {
        return URLDecoder.decode(segment.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static String decodeQuery(String part) {
        return URLDecoder.decode(part, StandardCharsets.UTF_8);
    }

    private static void write(HttpExchange exchange, ArmRequest request, ArmResponse response) throws IOException {
        response.headers.forEach((k, v) -> exchange.getResponseHeaders().add(k, v));
        if (response.body == null || "HEAD".equalsIgnoreCase(request.method)) {
            exchange.sendResponseHeaders(response.status, -1);
            return;
        }
        byte[] bytes = JsonDocuments.MAPPER.writeValueAsBytes(response.body);
        exchange.getResponseHeaders().add("Content-Type", "application/json; charset=utf-8");
        exchange.sendResponseHeaders(response.status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }
}
