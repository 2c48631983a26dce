package io.cmkflow.testing;
import io.temporal.client.WorkflowOptions;
import io.cmkflow.workflow.WorkflowIds;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.cmkflow.workflow.CmkPostureWorkflow;
import io.cmkflow.workflow.CmkPostureInput;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.PostureReport;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.azure.WorkspaceStep;

import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.standins.arm.VaultSeed;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.resources.fluentcore.utils.ResourceManagerUtils;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.azure.ArmConnection;
import io.cmkflow.azure.AzureClients;
import io.cmkflow.azure.AzureConnectionSettings;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.servicebus.EmulatorConfig;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.standins.servicebus.QueueView;
import io.cmkflow.standins.servicebus.ServiceBusStandIn;
import io.cmkflow.standins.servicebus.StandInOptions;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkflowStarter;
import io.cmkflow.standins.arm.RoleDefinition;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.RuntimeBeanDefinition;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowNotFoundException;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Consumer;
import java.util.function.Supplier;

import static org.awaitility.Awaitility.await;

/**
 * The one test stack, a JUnit 5 extension (register it with {@code @RegisterExtension static CmkStack stack =
 * CmkStack.builder()...build();}, started before the class's first test and closed after its last; registered on
 * an instance field, one stack per test) or started and closed by hand ({@code start()}, {@code close()}).
 * <ul>
 * <li>{@link #builder()}: the application in-process through its own Micronaut wiring (the production beans:
 * intake, worker, activities, status sender), with the embedded Temporal server, a test-owned Service Bus stand-in
 * (so the test chooses the queues) and the ARM simulator, which the application reaches as any ARM endpoint of its own
 * ({@link #azureSettings()}); with {@link Builder#temporalServer} another Temporal server instead of the embedded one
 * (the dev module's suites give the CLI's dev server), and with {@code worker(false)} no worker in this JVM (the
 * crash tests run theirs in child JVMs).</li>
 * <li>{@link #azureOnly()}: only the ARM simulator and the Azure layer's clients pointed at it, for the Azure
 * steps and the simulator's own tests.</li>
 * </ul>
 */
public final class CmkStack implements BeforeAllCallback, AfterAllCallback, BeforeEachCallback, AfterEachCallback, AutoCloseable {
    public static final String REQUESTS = "cmk-requests";
    public static final String STATUS = "cmk-status";
    public static final String REPLIES = "cmk-replies";
    /** Polling for tests that call the Azure steps directly: the simulator answers in milliseconds. */
    public static final PollingPolicy FAST_POLLING = new PollingPolicy(Duration.ofMillis(10), Duration.ofMillis(50), Duration.ofSeconds(10));
    public static final Runnable NO_HEARTBEAT = () -> { };
    /**
     * The least-privilege role of infra/role.tf, as the simulator holds it for cmkflow's identity in every stack: each
     * ARM call a test makes through cmkflow is authorized against it.
     */
    public static final RoleDefinition LEAST_PRIVILEGE = leastPrivilegeRole();
    /** The application's polling of Azure operations against the simulator, which answers in milliseconds. */
    public static final PollingPolicy SIMULATOR_PACING =
            new PollingPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMinutes(5));

    private final Builder options;
    private ArmSimulator arm;
    private AzureClients clients;
    private ServiceBusStandIn serviceBus;
    private Path armCertificate;
    private TemporalServer temporalServer;
    private ApplicationContext app;
    private ServiceBusClientBuilder serviceBusClients;
    private ServiceBusSenderClient sender;
    private StatusInbox status;
    private StatusInbox replies;
    private boolean perTest;

    private CmkStack(Builder options) {
        this.options = options;
    }

    /** The application's own wiring, worker and intake on. */
    public static Builder builder() {
        return new Builder(false);
    }

    /** The ARM simulator and AzureClients only: no Temporal, no Service Bus, no Micronaut context. */
    public static Builder azureOnly() {
        return new Builder(true);
    }

    // ---- lifecycle -------------------------------------------------------------------------------------------------

    @Override
    public void beforeAll(ExtensionContext context) {
        start();
    }

    @Override
    public void afterAll(ExtensionContext context) {
        close();
    }

    /** Registered on an instance field, the extension sees no beforeAll: it starts a stack for this test. */
    @Override
    public void beforeEach(ExtensionContext context) {
        if (arm == null) {
            perTest = true;
            start();
        } else if (options.resetBeforeEach) {
            reset();
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (perTest) {
            close();
        }
    }

    /** Starts the stack (the extension does this before the class's first test); returns it. */
    public CmkStack start() {
        // The SDK's own LRO polling (vault, storage) otherwise waits 30 s between polls.
        ResourceManagerUtils.InternalRuntimeContext.setDelayProvider(d -> options.sdkPollDelay);
        try {
            if (options.azureOnly) {
                arm = ArmSimulator.start((options.armOptions == null ? ArmSimulatorOptions.defaults() : options.armOptions)
                        .withCallerRole(options.callerRole));
                clients = new AzureClients(connection());
            } else {
                startApplication();
            }
            options.seed.forEach(seed -> seed.accept(arm));
            options.parts.forEach(part -> part.start(this));
            return this;
        } catch (RuntimeException | AssertionError e) {
            close();
            throw e;
        }
    }

    private void startApplication() {
        serviceBus = ServiceBusStandIn.start(StandInOptions.builder()
                .port(0)
                .config(EmulatorConfig.of(options.requestQueue,
                        // A short lock: an event whose delivery a dropped connection cut off comes back in seconds.
                        QueueDefinition.withDefaults(STATUS).withDuplicateDetection(Duration.ofMinutes(10))
                                .withLockDuration(Duration.ofSeconds(2)),
                        QueueDefinition.withDefaults(REPLIES).withDuplicateDetection(Duration.ofMinutes(10))))
                .sharedAccessKey(StandInOptions.EMULATOR_KEY_NAME, StandInOptions.EMULATOR_KEY_VALUE)
                .build());
        Map<String, Object> all = new HashMap<>(options.properties);
        all.put("cmkflow.servicebus.connection-string", serviceBus.connectionString());
        if (options.temporalServer != null) {
            temporalServer = options.temporalServer.get();
            all.put("cmkflow.temporal.address", temporalServer.target());
        } else if (!all.containsKey("cmkflow.temporal.address")) {
            // The Java SDK's test server (tests only: EmbeddedTemporalServer), reached over gRPC like a real one.
            int port = FreePorts.next();
            all.put("cmkflow.test.embedded-temporal-port", port);
            // The test server has no Schedule API: a create's posture schedule is off, as a setting can say.
            all.putIfAbsent("cmkflow.posture.enabled", "false");
            all.put("cmkflow.temporal.address", "localhost:" + port);
        }
        arm = ArmSimulator.start((options.armOptions != null ? options.armOptions : ArmSimulatorOptions.defaults()
                .withAutoCreateResourceGroups(true).withWorkspaceOperationDuration(Duration.ofMillis(200))
                // As in Azure, a new role assignment applies only after a while (each draws 0.5 to 1 s here).
                .withRoleAssignmentDelay(Duration.ofSeconds(1)))
                .withCallerRole(options.callerRole));
        all.putAll(azureSettings());
        PollingPolicy polling = options.polling != null ? options.polling : SIMULATOR_PACING;
        app = ApplicationContext.builder().deduceEnvironment(false).environments("test").properties(all)
                .beanDefinitions(RuntimeBeanDefinition.builder(PollingPolicy.class, () -> polling)
                        .replaces(PollingPolicy.class).build()).start();
        clients = app.getBean(AzureClients.class);
        serviceBusClients = new ServiceBusClientBuilder().connectionString(serviceBus.connectionString());
        sender = serviceBusClients.sender().queueName(REQUESTS).buildClient();
    }

    /**
     * The application's settings for reaching this stack's simulator as it reaches any ARM endpoint of its own
     * ({@link AzureConnectionSettings}): ARM, authority and Graph at the simulator, its certificate trusted, the
     * simulated application's client id and secret (its token comes from the simulator's Entra-like endpoint).
     */
    public Map<String, String> azureSettings() {
        return azureSettings(arm, certificate());
    }

    /** {@link #azureSettings()} for {@code simulator}, trusted through the PEM {@code certificate} it wrote. */
    public static Map<String, String> azureSettings(ArmSimulator simulator, Path certificate) {
        AzureConnectionSettings settings = settingsFor(simulator, certificate);
        Map<String, String> properties = new HashMap<>();
        properties.put("cmkflow.azure.arm-endpoint", settings.armEndpoint().toString());
        properties.put("cmkflow.azure.authority-host", settings.authorityHost().toString());
        properties.put("cmkflow.azure.graph-endpoint", settings.graphEndpoint().toString());
        properties.put("cmkflow.azure.trusted-certificate", settings.trustedCertificate().toString());
        properties.put("cmkflow.azure.tenant-id", settings.tenantId());
        properties.put("cmkflow.azure.client-id", settings.clientId());
        properties.put("cmkflow.azure.client-secret", settings.clientSecret());
        properties.put("cmkflow.azure.key-vault-challenge-resource-check", "false");
        return properties;
    }

    /** A connection to this stack's simulator, built from the settings the application gets. */
    public ArmConnection connection() {
        return new ArmConnection(settingsFor(arm, certificate()));
    }

    /** A connection to {@code simulator} as the application would build it (its certificate written under target/). */
    public static ArmConnection connectionTo(ArmSimulator simulator) {
        return new ArmConnection(settingsFor(simulator, writeCertificate(simulator)));
    }

    /** The simulator's vaults answer on localhost, never on a Key Vault domain: the challenge check is off. */
    private static AzureConnectionSettings settingsFor(ArmSimulator simulator, Path certificate) {
        return new AzureConnectionSettings(simulator.endpoint(), simulator.endpoint(), simulator.endpoint(), certificate,
                VaultSeed.DEFAULT_TENANT, SimulatedDirectory.CALLER_APPLICATION_ID,
                SimulatedDirectory.CALLER_CLIENT_SECRET, false);
    }

    private synchronized Path certificate() {
        if (armCertificate == null) {
            armCertificate = writeCertificate(arm);
        }
        return armCertificate;
    }

    private static Path writeCertificate(ArmSimulator simulator) {
        return simulator.writeCertificate(Path.of("target", "arm-simulator", UUID.randomUUID() + ".pem").toAbsolutePath());
    }

    /** Clears the simulator's journal, injected faults, latency and throttling (each test's start with {@code resetBeforeEach}). */
    public void reset() {
        arm.journal().clear();
        arm.faults().clear();
        arm.latency().clear();
        arm.throttling().disable();
    }

    @Override
    public synchronized void close() {
        try {
            for (Part part : options.parts) {
                part.close();
            }
        } finally {
            closeStack();
        }
    }

    private void closeStack() {
        closeQuietly(status);
        closeQuietly(replies);
        closeQuietly(sender);
        status = null;
        replies = null;
        sender = null;
        if (app != null) {
            app.close();
            app = null;
        }
        if (serviceBus != null) {
            serviceBus.close();
            serviceBus = null;
        }
        if (arm != null) {
            arm.close();
        }
        arm = null;
        armCertificate = null;
        if (temporalServer != null) {
            temporalServer.close();
            temporalServer = null;
        }
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable != null) {
            try {
                closeable.close();
            } catch (Exception ignored) {
                // closing anyway
            }
        }
    }

    // ---- what tests use --------------------------------------------------------------------------------------------

    public ArmSimulator arm() {
        return arm;
    }

    /** The Azure layer's clients pointed at the simulator (the application's bean, or built the same way). */
    public AzureClients clients() {
        return clients;
    }

    /** The Azure SDK's resource manager for {@code subscription}, reaching the simulator through its own HTTP client. */
    public AzureResourceManager resourceManager(String subscription) {
        return AzureResourceManager.configure()
                .withHttpClient(arm.httpClient())
                .authenticate(arm.credential(), arm.profile(TestRequests.TENANT, subscription))
                .withSubscription(subscription);
    }

    public ApplicationContext app() {
        return requireApp();
    }

    public ServiceBusStandIn serviceBus() {
        requireApp();
        return serviceBus;
    }

    /** The Temporal server {@link Builder#temporalServer} started, as the type it gave. */
    public <T extends TemporalServer> T temporalServer(Class<T> type) {
        requireApp();
        if (temporalServer == null) {
            throw new IllegalStateException("the stack runs the embedded test server: build it with temporalServer(...)");
        }
        return type.cast(temporalServer);
    }

    public WorkflowClient client() {
        return requireApp().getBean(WorkflowClient.class);
    }

    public CmkWorkflowStarter starter() {
        return requireApp().getBean(CmkWorkflowStarter.class);
    }

    /** Sends a request with MessageId = its requestId and content type application/json, as upstream does. */
    public void send(ObjectNode request) {
        send(new ServiceBusMessage(BinaryData.fromBytes(TestRequests.bytes(request)))
                .setMessageId(request.get("requestId").asText())
                .setContentType("application/json"));
    }

    public void send(ServiceBusMessage message) {
        requireApp();
        sender.sendMessage(message);
    }

    /** Creates the request's resource group in the simulated Azure, as it must exist before a run. */
    public void seedResourceGroup(ObjectNode request) {
        arm.state().resourceGroup(request.get("subscriptionId").asText(), request.get("resourceGroup").asText(),
                request.get("location").asText());
    }

    public QueueView requestQueue() {
        return serviceBus().queue(REQUESTS);
    }

    /** The status queue's events, consumed from the first call on. */
    public synchronized StatusInbox status() {
        if (status == null) {
            requireApp();
            status = new StatusInbox(serviceBusClients, STATUS);
        }
        return status;
    }

    /** The replies queue's events (requests with ReplyTo), consumed from the first call on. */
    public synchronized StatusInbox replies() {
        if (replies == null) {
            requireApp();
            replies = new StatusInbox(serviceBusClients, REPLIES);
        }
        return replies;
    }

    /**
     * A posture check of the workspace {@code create}'s run {@code createRunId} made, started as the workspace's posture
     * schedule starts it (the Java SDK's test server has no Schedule API) and run by this stack's worker.
     */
    public PostureReport checkPosture(CmkRequest create, String createRunId) {
        ManagedWorkspace managed = new ManagedWorkspace(WorkspaceStep.workspaceId(create), create.keyVaultId().id(), createRunId,
                List.of());
        return client().newWorkflowStub(CmkPostureWorkflow.class, WorkflowOptions.newBuilder()
                        .setWorkflowId(WorkflowIds.forPosture(create) + "-" + UUID.randomUUID())
                        .setTaskQueue(CmkWorkflowWorker.TASK_QUEUE).build())
                .check(new CmkPostureInput(create, managed, Duration.ofDays(30)));
    }

    public Optional<WorkflowExecutionDescription> run(String workflowId) {
        try {
            return Optional.of(client().newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty()).describe());
        } catch (WorkflowNotFoundException notFound) {
            return Optional.empty();
        }
    }

    /**
     * Waits until the run is parked at {@code stage} with nothing in flight: {@code CmkStatus} says AwaitingOperator and
     * no activity is pending (its {@code awaiting_operator} event is out). Only then is an operator's answer about the
     * parked run alone; the Java test server can stall a run cancelled while that event's activity completes.
     */
    public void awaitParked(String workflowId, String stage) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50)).until(() -> run(workflowId).map(run ->
                CmkStatus.AwaitingOperator.name().equals(run.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS))
                        && stage.equals(run.getTypedSearchAttributes().get(CmkSearchAttributes.STAGE))
                        && run.getRawDescription().getPendingActivitiesCount() == 0).orElse(false));
    }

    private ApplicationContext requireApp() {
        if (app == null) {
            throw new IllegalStateException(options.azureOnly ? "an azureOnly() stack has no application" : "the stack is not started");
        }
        return app;
    }

    /** A Temporal server the stack starts before the application and closes after it. */
    public interface TemporalServer extends AutoCloseable {
        /** Its gRPC target, {@code host:port}. */
        String target();

        @Override
        void close();
    }

    /**
     * Something a test class adds on top of the stack (e.g. a worker in a child JVM, {@link Builder#part(Part)}):
     * started once the stack is up, closed first when it closes (also when the stack's start failed).
     */
    public interface Part extends AutoCloseable {
        void start(CmkStack stack);

        @Override
        void close();
    }

    // ---- options ---------------------------------------------------------------------------------------------------

    /** infra/role.tf's custom role (tests run in the repository root). */
    private static RoleDefinition leastPrivilegeRole() {
        try {
            return RoleDefinition.fromTerraform("cmkflow CMK workspace provisioner", Files.readString(Path.of("infra/role.tf")));
        } catch (IOException e) {
            throw new UncheckedIOException("infra/role.tf", e);
        }
    }

    public static final class Builder {
        private final boolean azureOnly;
        private final Map<String, Object> properties = new HashMap<>();
        private final List<Consumer<ArmSimulator>> seed = new ArrayList<>();
        private final List<Part> parts = new ArrayList<>();
        private QueueDefinition requestQueue = QueueDefinition.withDefaults(REQUESTS)
                .withDuplicateDetection(Duration.ofMinutes(10)).withMaxDeliveryCount(5);
        private ArmSimulatorOptions armOptions;
        private RoleDefinition callerRole = LEAST_PRIVILEGE;
        private PollingPolicy polling;
        private Duration sdkPollDelay = Duration.ofMillis(10);
        private boolean resetBeforeEach;
        private Supplier<? extends TemporalServer> temporalServer;

        private Builder(boolean azureOnly) {
            this.azureOnly = azureOnly;
        }

        /** The worker role (on by default); without it, started runs stay open: nothing executes them. */
        public Builder worker(boolean enabled) {
            return property("cmkflow.worker.enabled", enabled);
        }

        /** A real Temporal server instead of the embedded test server, started before the application. */
        public Builder temporalServer(Supplier<? extends TemporalServer> server) {
            this.temporalServer = server;
            return this;
        }

        /** The intake role (on by default). */
        public Builder intake(boolean enabled) {
            return property("cmkflow.intake.enabled", enabled);
        }

        /** The ARM simulator started with these options (default: resource groups made on the fly, 200 ms operations). */
        public Builder arm(ArmSimulatorOptions options) {
            this.armOptions = options;
            return this;
        }

        /** The role the simulator grants cmkflow's identity instead of {@link #LEAST_PRIVILEGE} (tests of the simulator itself). */
        public Builder callerRole(RoleDefinition role) {
            this.callerRole = role;
            return this;
        }

        /** cmkflow's polling of Azure operations, instead of {@link #SIMULATOR_PACING}. */
        public Builder polling(PollingPolicy policy) {
            this.polling = policy;
            return this;
        }

        /** The delay the Azure SDK's own long-running-operation polling waits between polls (10 ms). */
        public Builder sdkPollDelay(Duration delay) {
            this.sdkPollDelay = delay;
            return this;
        }

        /** The request queue's definition (duplicate detection 10 min, 5 deliveries by default). */
        public Builder requestQueue(QueueDefinition definition) {
            this.requestQueue = definition;
            return this;
        }

        /** Any application property, e.g. {@code cmkflow.temporal.address}. */
        public Builder property(String name, Object value) {
            properties.put(name, value);
            return this;
        }

        /** Something to create in the simulator once it runs (resource groups, registered providers, vaults). */
        public Builder seed(Consumer<ArmSimulator> seeding) {
            seed.add(seeding);
            return this;
        }

        /** A {@link Part} started once the stack is up and closed before it. */
        public Builder part(Part part) {
            parts.add(part);
            return this;
        }

        /** A resource group to create once the simulator runs. */
        public Builder resourceGroup(String subscription, String group, String location) {
            return seed(sim -> sim.state().resourceGroup(subscription, group, location));
        }

        /** {@link TestRequests}' resource group, with the providers a run needs registered in its subscription. */
        public Builder requestTarget() {
            return seed(sim -> {
                sim.state().resourceGroup(TestRequests.SUBSCRIPTION, TestRequests.GROUP, TestRequests.LOCATION);
                sim.state().registerProviders(TestRequests.SUBSCRIPTION,
                        io.cmkflow.azure.ProviderRegistrationStep.NAMESPACES.toArray(String[]::new));
            });
        }

        /** Clears the simulator's journal, faults, latency and throttling before each test. */
        public Builder resetBeforeEach() {
            this.resetBeforeEach = true;
            return this;
        }

        public CmkStack build() {
            return new CmkStack(this);
        }
    }
}
