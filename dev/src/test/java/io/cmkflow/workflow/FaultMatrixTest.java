package io.cmkflow.workflow;

import io.cmkflow.azure.AzureCompensationActivities;
import io.cmkflow.testing.TestPostureScheduling;
import io.cmkflow.testing.TestServerInFlightRuns;
import io.cmkflow.azure.AzurePostureActivities;
import io.cmkflow.azure.AzureProvisioningActivities;
import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkRunState.UndoRecord;
import io.cmkflow.workflow.CmkRunState.UndoResult;
import io.temporal.api.enums.v1.EventType;
import io.temporal.worker.WorkerOptions;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.history.v1.HistoryEvent;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowExecutionDescription;
import io.temporal.client.WorkflowFailedException;
import io.temporal.common.converter.DefaultDataConverter;
import io.temporal.testing.TestEnvironmentOptions;
import io.temporal.testing.TestWorkflowEnvironment;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The fault matrix of docs/reliability.md: each step of the procedure, and each undo of compensation, under each
 * fault, in a real run (the workflow on Temporal's test server, the real Azure activities against the ARM simulator).
 * {@link #MATRIX} is the design: what every cell must end as. The test drives every cell, asserts what the run did
 * against it, and writes what the runs did into the document between its markers: the test fails when the document
 * differs; {@code -Dcmkflow.docs.write=true} rewrites it.
 *
 * <p>Cells run in parallel, each in a subscription of its own (faults and latency are scoped to it, the journal is
 * read per subscription). Two Temporal test servers carry them. One runs in real time, for the cells whose run waits
 * for an operator's {@code abort} (a skipping clock would jump to their park timeout before the answer), whose pacing
 * by Retry-After is read from the journal's wall-clock times, or whose timed-out attempt goes on calling Azure in the
 * background (Temporal does not stop it): there the retry comes after the 5 s backoff, once that attempt is done, so
 * the calls a run makes are the same each time. The other skips time for Temporal's backoff and an unanswered park's
 * timeout; it skips only while no activity runs on it, so with cells in parallel it skips less than alone.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class FaultMatrixTest {

    static final Path DOCUMENT = Path.of("docs/reliability.md");
    static final String BEGIN = "<!-- fault-matrix:begin (generated: FaultMatrixTest) -->\n";
    static final String END = "<!-- fault-matrix:end -->";
    static final String REGENERATE = "mvn -B -q test -Dtest=FaultMatrixTest -Dcmkflow.docs.write=true";

    /** Every activity's start-to-close and heartbeat timeout in these runs. */
    static final Duration ACTIVITY_TIMEOUT = Duration.ofSeconds(3);
    /** A slow answer: well past the activity timeout, so the attempt that meets it times out. */
    static final Duration SLOW_ANSWER = ACTIVITY_TIMEOUT.plusMillis(1500);
    static final int RETRY_AFTER_SECONDS = 1;
    static final String GROUP = "rg-faults";

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().build();

    // --- the design --------------------------------------------------------------------------------------------

    /** Where the fault is put: a step, or the undo of a step while compensation runs. */
    enum Row {
        STEP_1("step 1 register resource providers", CmkStep.REGISTER_RESOURCE_PROVIDERS, false, "Providers_List"),
        STEP_2("step 2 create key vault", CmkStep.CREATE_KEY_VAULT, false, "Vaults_CreateOrUpdate"),
        STEP_3("step 3 create key", CmkStep.CREATE_KEY, false, "Keys_CreateIfNotExist"),
        STEP_4("step 4 grant Cosmos DB key access", CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, false, "Vaults_UpdateAccessPolicy"),
        STEP_5("step 5 create workspace", CmkStep.CREATE_WORKSPACE, false, "Workspaces_CreateOrUpdate"),
        STEP_6("step 6 verify managed resource group", CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, false, "Resources_ListByResourceGroup"),
        UNDO_5("undo 5: delete workspace", CmkStep.CREATE_WORKSPACE, true, "Workspaces_Delete"),
        UNDO_4("undo 4: remove Cosmos DB key access", CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, true, "Vaults_UpdateAccessPolicy"),
        UNDO_3("undo 3: delete key", CmkStep.CREATE_KEY, true, "DeleteKey"),
        UNDO_2("undo 2: delete key vault", CmkStep.CREATE_KEY_VAULT, true, "Vaults_Delete");

        final String title;
        final CmkStep step;
        final boolean undo;
        /** The ARM operation the fault is put on: one this step (or undo) calls before anything later could. */
        final String operation;

        Row(String title, CmkStep step, boolean undo, String operation) {
            this.title = title;
            this.step = step;
            this.undo = undo;
            this.operation = operation;
        }
    }

    /** How the run meets the fault; {@code realTime}: the cell runs on the real-time server. */
    enum Fault {
        THROTTLED("429 storm", "429 `TooManyRequests`, Retry-After 1 s, on 3 calls in a row", true),
        SERVER_ERRORS("5xx burst", "503 ×3 then 500 ×2 (the SDK retries each call twice itself)", false),
        SLOW("latency > activity timeout", "the first call answers 1.5 s after the 3 s activity timeout", true),
        LRO_FAILED("LRO Failed", "the long-running operation ends `Failed` (`InternalServerError`) once", false),
        AUTHORIZATION("authorization", "403 `AuthorizationFailed` on every call", true),
        // The other non-retryable families of AzureErrorClassifier, each at a step that meets it in Azure.
        AUTHENTICATION("authentication", "401 `InvalidAuthenticationToken`", true),
        POLICY("policy", "403 `RequestDisallowedByPolicy`", true),
        NAME_TAKEN("conflict", "409 `VaultAlreadyExists`", true),
        QUOTA("quota", "409 `QuotaExceeded`", true),
        LRO_QUOTA("quota, asynchronous", "the workspace operation ends `Failed` with `QuotaExceeded`", true),
        MISSING("missing resource", "404 `ResourceGroupNotFound`", true),
        INVALID("invalid request", "400 `BadRequest`", true),
        NEVER_CLEARS("5xx that never clears", "503 on every call", false);

        final String title;
        final String injected;
        final boolean realTime;

        Fault(String title, String injected, boolean realTime) {
            this.title = title;
            this.injected = injected;
            this.realTime = realTime;
        }
    }

    /**
     * What a cell must end as: the run's end status, the Temporal attempts of the faulted activity, the step the run
     * parked at first (null: never parked), the failure code the faulted activity finally failed with (null: it
     * succeeded), and the resource types compensation leaves in the resource group.
     */
    record Designed(CmkStatus end, int attempts, CmkStep parkedAt, String failure, List<String> left) {
    }

    /** What a run that succeeded made in the resource group (its managed group is a group of its own). */
    static final List<String> PROVISIONED = List.of("Microsoft.KeyVault/vaults", "Microsoft.MachineLearningServices/workspaces",
            "Microsoft.OperationalInsights/workspaces", "Microsoft.Storage/storageAccounts", "microsoft.insights/components");

    static Designed succeeded(int attempts) {
        return new Designed(CmkStatus.Succeeded, attempts, null, null, PROVISIONED);
    }

    /** Parked at {@code step} on {@code failure}, answered (abort) or not (park timeout), everything undone. */
    static Designed compensated(CmkStep step, String failure, int attempts) {
        return new Designed(CmkStatus.Compensated, attempts, step, failure, List.of());
    }

    /** Parked at step 6, compensation ran, the faulted undo was retried until it succeeded. */
    static Designed undone(int attempts) {
        return new Designed(CmkStatus.Compensated, attempts, CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, null, List.of());
    }

    /** Parked at step 6, the faulted undo failed for good: the run ends Failed with {@code left} in place. */
    static Designed undoFailed(String failure, String... left) {
        return new Designed(CmkStatus.Failed, 1, CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, failure, List.of(left));
    }

    record Cell(Row row, Fault fault, Designed designed) {
    }

    private static final String THROTTLE = "TooManyRequests";
    private static final String DENIED = "AuthorizationFailed";

    /** The design, one line per cell. */
    static final List<Cell> MATRIX = List.of(
            // Azure throttles: each retry waits for Retry-After (Temporal, not the SDK), never parks.
            new Cell(Row.STEP_1, Fault.THROTTLED, succeeded(4)),
            new Cell(Row.STEP_2, Fault.THROTTLED, succeeded(4)),
            new Cell(Row.STEP_3, Fault.THROTTLED, succeeded(4)),
            new Cell(Row.STEP_4, Fault.THROTTLED, succeeded(4)),
            new Cell(Row.STEP_5, Fault.THROTTLED, succeeded(4)),
            new Cell(Row.STEP_6, Fault.THROTTLED, succeeded(4)),
            new Cell(Row.UNDO_5, Fault.THROTTLED, undone(4)),
            new Cell(Row.UNDO_4, Fault.THROTTLED, undone(4)),
            new Cell(Row.UNDO_3, Fault.THROTTLED, undone(4)),
            new Cell(Row.UNDO_2, Fault.THROTTLED, undone(4)),
            // Transient server errors: the SDK's two quick retries absorb three, Temporal's second attempt the rest.
            new Cell(Row.STEP_1, Fault.SERVER_ERRORS, succeeded(2)),
            new Cell(Row.STEP_2, Fault.SERVER_ERRORS, succeeded(2)),
            new Cell(Row.STEP_3, Fault.SERVER_ERRORS, succeeded(2)),
            new Cell(Row.STEP_4, Fault.SERVER_ERRORS, succeeded(2)),
            new Cell(Row.STEP_5, Fault.SERVER_ERRORS, succeeded(2)),
            new Cell(Row.STEP_6, Fault.SERVER_ERRORS, succeeded(2)),
            // A call slower than the activity timeout: the attempt times out, Temporal's next one succeeds.
            new Cell(Row.STEP_1, Fault.SLOW, succeeded(2)),
            new Cell(Row.STEP_2, Fault.SLOW, succeeded(2)),
            new Cell(Row.STEP_3, Fault.SLOW, succeeded(2)),
            new Cell(Row.STEP_4, Fault.SLOW, succeeded(2)),
            new Cell(Row.STEP_5, Fault.SLOW, succeeded(2)),
            new Cell(Row.STEP_6, Fault.SLOW, succeeded(2)),
            // A failed long-running operation with a transient code is retried like any transient failure.
            new Cell(Row.STEP_5, Fault.LRO_FAILED, succeeded(2)),
            new Cell(Row.UNDO_5, Fault.LRO_FAILED, undone(2)),
            // Non-retryable: parked at the step on the first attempt; the operator's abort undoes everything.
            new Cell(Row.STEP_1, Fault.AUTHORIZATION, compensated(CmkStep.REGISTER_RESOURCE_PROVIDERS, DENIED, 1)),
            new Cell(Row.STEP_2, Fault.AUTHORIZATION, compensated(CmkStep.CREATE_KEY_VAULT, DENIED, 1)),
            new Cell(Row.STEP_3, Fault.AUTHORIZATION, compensated(CmkStep.CREATE_KEY, DENIED, 1)),
            new Cell(Row.STEP_4, Fault.AUTHORIZATION, compensated(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, DENIED, 1)),
            new Cell(Row.STEP_5, Fault.AUTHORIZATION, compensated(CmkStep.CREATE_WORKSPACE, DENIED, 1)),
            new Cell(Row.STEP_6, Fault.AUTHORIZATION, compensated(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, DENIED, 1)),
            // A failed undo is not retried when retrying cannot help; what it would have removed stays (and, for
            // the workspace, what the workspace still uses: compensation parks and the operator's abort leaves it).
            new Cell(Row.UNDO_5, Fault.AUTHORIZATION, undoFailed(DENIED, PROVISIONED.toArray(String[]::new))),
            new Cell(Row.UNDO_4, Fault.AUTHORIZATION, undoFailed(DENIED)),
            new Cell(Row.UNDO_3, Fault.AUTHORIZATION, undoFailed(DENIED)),
            new Cell(Row.UNDO_2, Fault.AUTHORIZATION, undoFailed(DENIED, "Microsoft.KeyVault/vaults")),
            // The other non-retryable families: the same design.
            new Cell(Row.STEP_1, Fault.AUTHENTICATION, compensated(CmkStep.REGISTER_RESOURCE_PROVIDERS, "InvalidAuthenticationToken", 1)),
            new Cell(Row.STEP_2, Fault.POLICY, compensated(CmkStep.CREATE_KEY_VAULT, "RequestDisallowedByPolicy", 1)),
            new Cell(Row.STEP_2, Fault.NAME_TAKEN, compensated(CmkStep.CREATE_KEY_VAULT, "VaultAlreadyExists", 1)),
            new Cell(Row.STEP_3, Fault.INVALID, compensated(CmkStep.CREATE_KEY, "BadRequest", 1)),
            new Cell(Row.STEP_4, Fault.MISSING, compensated(CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, "ResourceGroupNotFound", 1)),
            new Cell(Row.STEP_5, Fault.QUOTA, compensated(CmkStep.CREATE_WORKSPACE, "QuotaExceeded", 1)),
            new Cell(Row.STEP_5, Fault.LRO_QUOTA, compensated(CmkStep.CREATE_WORKSPACE, "QuotaExceeded", 1)),
            // Retryable but never clearing: Temporal's attempts run out, the run parks; unanswered, it is undone.
            new Cell(Row.STEP_2, Fault.NEVER_CLEARS, compensated(CmkStep.CREATE_KEY_VAULT, "ServiceUnavailable",
                    CmkActivityOptions.STEP_MAXIMUM_ATTEMPTS)));

    // --- the runs ----------------------------------------------------------------------------------------------

    /** One Temporal test server with the workflow and the real activities. */
    private record Temporal(TestWorkflowEnvironment env, WorkflowClient client, CmkWorkflowStarter starter,
                            RecordingStatusPublisher events) {
        static Temporal start(boolean skipTime, AzureProvisioningActivities provisioning) {
            TestWorkflowEnvironment env = TestWorkflowEnvironment.newInstance(
                    TestEnvironmentOptions.newBuilder().setUseTimeskipping(skipTime).build());
            CmkSearchAttributes.register(env.getOperatorServiceStubs(), env.getNamespace());
            RecordingStatusPublisher events = new RecordingStatusPublisher();
            var compensation = new AzureCompensationActivities(azure.clients(), CmkStack.FAST_POLLING,
                    AuthorizationScope.everything(), new TestServerInFlightRuns(env.getWorkflowClient()));
            CmkWorkflowWorker.register(env.getWorkerFactory(), WorkerOptions.getDefaultInstance(), provisioning, compensation, events, TestPostureScheduling.OFF,
                    new AzurePostureActivities(azure.clients(), CmkStack.FAST_POLLING, AuthorizationScope.everything()));
            env.start();
            return new Temporal(env, env.getWorkflowClient(),
                    new CmkWorkflowStarter(env.getWorkflowClient(), CmkWorkflowWorker.TASK_QUEUE), events);
        }
    }

    private static Temporal realTime;
    private static Temporal skipping;

    @BeforeAll
    static void startTemporal() {
        var provisioning = new AzureProvisioningActivities(azure.clients(), CmkStack.FAST_POLLING, AuthorizationScope.everything(),
                (vaultId, own) -> { throw new AssertionError("no decommission in the fault matrix"); });
        realTime = Temporal.start(false, provisioning);
        skipping = Temporal.start(true, provisioning);
        // The first calls through the SDK load and link its classes: seconds on a busy machine, which would time out
        // the first cells' attempts (3 s) for reasons no cell is about.
        Target warmUp = new Target(MATRIX.size());
        azure.arm().state().resourceGroup(warmUp.subscription(), GROUP, TestRequests.LOCATION);
        skipping.starter().start(new CmkWorkflowInput(warmUp.request()));
        skipping.client().newUntypedWorkflowStub(warmUp.workflowId()).getResult(CmkRunState.class);
    }

    @AfterAll
    static void stopTemporal() {
        if (realTime != null) {
            realTime.env().close();
        }
        if (skipping != null) {
            skipping.env().close();
        }
    }

    /** What a cell's run did. */
    record Observed(CmkStatus end, int attempts, CmkStep parkedAt, String failure, List<String> left,
                    List<String> answers, int armWrites, boolean pacedByRetryAfter, boolean managedGroupDeleteSent) {
    }

    @Test
    void everyCellEndsAsDesignedAndTheDocumentShowsWhatTheRunsDid() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        Map<Cell, Future<Observed>> running = new LinkedHashMap<>();
        for (int i = 0; i < MATRIX.size(); i++) {
            Cell cell = MATRIX.get(i);
            Target target = new Target(i);
            running.put(cell, pool.submit(() -> drive(cell, target)));
        }
        Map<Cell, Observed> observed = new LinkedHashMap<>();
        for (Map.Entry<Cell, Future<Observed>> run : running.entrySet()) {
            observed.put(run.getKey(), run.getValue().get(180, TimeUnit.SECONDS));
        }
        pool.shutdown();

        SoftAssertions softly = new SoftAssertions();
        observed.forEach((cell, seen) -> {
            String name = cell.row().title + " × " + cell.fault().title;
            Designed designed = cell.designed();
            softly.assertThat(seen.end()).as("%s: end", name).isEqualTo(designed.end());
            softly.assertThat(seen.attempts()).as("%s: attempts of the faulted activity", name).isEqualTo(designed.attempts());
            softly.assertThat(seen.parkedAt()).as("%s: parked at", name).isEqualTo(designed.parkedAt());
            softly.assertThat(seen.failure()).as("%s: final failure", name)
                    .satisfies(f -> assertThat(designed.failure() == null ? f == null : f != null && f.contains(designed.failure()))
                            .as("%s contains %s", f, designed.failure()).isTrue());
            softly.assertThat(seen.left()).as("%s: left in Azure", name).containsExactlyInAnyOrderElementsOf(designed.left());
            softly.assertThat(seen.managedGroupDeleteSent()).as("%s: a DELETE aimed at the managed group", name).isFalse();
            if (cell.fault() == Fault.THROTTLED) {
                softly.assertThat(seen.pacedByRetryAfter()).as("%s: every retry after a 429 waited Retry-After", name).isTrue();
            }
        });
        softly.assertThat(azure.arm().journal().unhandled()).as("requests the simulator has no route for").isEmpty();
        softly.assertThat(azure.arm().state().refusedDeletes()).as("deletes refused on managed groups").isEmpty();
        softly.assertAll();

        String document = Files.readString(DOCUMENT);
        int begin = document.indexOf(BEGIN);
        int end = document.indexOf(END);
        assertThat(begin).as(DOCUMENT + " marks its matrix with " + BEGIN.trim()).isNotNegative();
        assertThat(end).as(DOCUMENT + " ends its matrix with " + END).isGreaterThan(begin);
        String generated = FaultMatrixDocument.matrix(observed);
        if (Boolean.getBoolean("cmkflow.docs.write")) {
            Files.writeString(DOCUMENT, document.substring(0, begin + BEGIN.length()) + generated + document.substring(end));
            document = Files.readString(DOCUMENT);
        }
        assertThat(document.substring(document.indexOf(BEGIN) + BEGIN.length(), document.indexOf(END)))
                .as(DOCUMENT + "'s fault matrix; regenerate: " + REGENERATE).isEqualTo(generated);
    }

    /** A cell's own subscription and names. */
    record Target(String subscription, String name) {
        Target(int index) {
            this(String.format(Locale.ROOT, "fa017000-0000-4000-8000-%012d", index), String.format(Locale.ROOT, "fm%02d", index));
        }

        CmkRequest request() {
            return TestRequests.copy(TestRequests.request(name)).subscriptionId(subscription).resourceGroup(GROUP).build();
        }

        String workspace() {
            return "ws-" + name;
        }

        String vault() {
            return "kv-" + name;
        }

        String workflowId() {
            return WorkflowIds.forTarget(subscription, GROUP, workspace());
        }

        /** The cell's requests: ARM in its subscription, and its vault's data plane. */
        boolean owns(JournalEntry e) {
            return subscription.equalsIgnoreCase(e.subscription())
                    || e.path().toLowerCase(Locale.ROOT).startsWith("/kv/" + vault() + "/");
        }
    }

    private static Observed drive(Cell cell, Target target) {
        ArmSimulator sim = azure.arm();
        sim.state().resourceGroup(target.subscription(), GROUP, TestRequests.LOCATION);
        if (cell.row().undo) {
            // Compensation runs once the run parks at step 6 (unanswered or aborted).
            sim.faults().inject(rule(Row.STEP_6.operation, target).status(403).code(DENIED).message("no read on the managed group").always());
        }
        inject(cell, target, sim);
        Temporal temporal = cell.fault().realTime ? realTime : skipping;
        temporal.starter().start(new CmkWorkflowInput(target.request()).withActivityTimeoutCap(ACTIVITY_TIMEOUT));
        List<String> answers = cell.fault().realTime ? answerEveryParkWithAbort(temporal, target) : awaitEnd(temporal, target);

        CmkRunState state = temporal.client().newUntypedWorkflowStub(target.workflowId()).query("state", CmkRunState.class);
        List<JournalEntry> calls = sim.journal().where(target::owns);
        List<StatusEvent> parks = temporal.events().delivered.stream()
                .filter(e -> target.workflowId().equals(e.workflowId()) && e.type() == StatusEvent.Type.awaiting_operator)
                .toList();
        CmkStep parkedAt = parks.isEmpty() ? null : stepOfStage(parks.get(0).step());
        String failure = cell.row().undo ? undoFailure(state, cell.row()) : stepFailure(state, cell.row().step);
        List<String> left = sim.state().resourcesIn(target.subscription(), GROUP).stream().map(ArmState.ResourceView::type)
                .sorted().toList();
        return new Observed(state.status(), attempts(temporal, target, cell.row()), parkedAt, failure, left, answers,
                distinctWrites(calls), pacedByRetryAfter(calls, cell.row()),
                calls.stream().anyMatch(FaultMatrixTest::aimsAtManagedGroup));
    }

    private static FaultRule rule(String operation, Target target) {
        return FaultRule.forOperation(operation).subscription(target.subscription());
    }

    /** Puts the cell's fault on the row's operation, for this cell's subscription (or vault) only. */
    private static void inject(Cell cell, Target target, ArmSimulator sim) {
        Row row = cell.row();
        Consumer<FaultRule> add = r -> sim.faults().inject(scoped(r, row, target));
        switch (cell.fault()) {
            case THROTTLED -> add.accept(FaultRule.forOperation(row.operation).status(429).code(THROTTLE)
                    .message("Number of requests exceeded the limit.").retryAfterSeconds(RETRY_AFTER_SECONDS).times(3));
            case SERVER_ERRORS -> {
                add.accept(FaultRule.forOperation(row.operation).status(503).code("ServiceUnavailable").message("try again").times(3));
                add.accept(FaultRule.forOperation(row.operation).status(500).code("InternalServerError").message("try again").times(2));
            }
            case NEVER_CLEARS -> add.accept(FaultRule.forOperation(row.operation).status(503).code("ServiceUnavailable")
                    .message("try again").always());
            case SLOW -> sim.latency().spike(row.operation, target.subscription(), SLOW_ANSWER, 1);
            case LRO_FAILED -> {
                if (row.undo) {
                    sim.state().failNextWorkspaceDeletion(target.workspace(), "InternalServerError", "The delete failed; retry it.");
                } else {
                    sim.state().failNextWorkspaceProvisioning(target.workspace(), "InternalServerError", "Provisioning failed; retry it.");
                }
            }
            case LRO_QUOTA -> sim.state().failNextWorkspaceProvisioning(target.workspace(), "QuotaExceeded",
                    "The Azure Cosmos DB account cannot be created: the subscription's quota is exhausted.");
            case AUTHORIZATION -> add.accept(FaultRule.forOperation(row.operation).status(403).code(DENIED)
                    .message("The client does not have authorization to perform " + row.operation).always());
            case AUTHENTICATION -> add.accept(FaultRule.forOperation(row.operation).status(401).code("InvalidAuthenticationToken")
                    .message("The access token is invalid.").always());
            case POLICY -> add.accept(FaultRule.forOperation(row.operation).status(403).code("RequestDisallowedByPolicy")
                    .message("Resource was disallowed by policy.").always());
            case NAME_TAKEN -> add.accept(FaultRule.forOperation(row.operation).status(409).code("VaultAlreadyExists")
                    .message("The vault name is already in use.").always());
            case QUOTA -> add.accept(FaultRule.forOperation(row.operation).status(409).code("QuotaExceeded")
                    .message("Quota exceeded.").always());
            case MISSING -> add.accept(FaultRule.forOperation(row.operation).status(404).code("ResourceGroupNotFound")
                    .message("Resource group could not be found.").always());
            case INVALID -> add.accept(FaultRule.forOperation(row.operation).status(400).code("BadRequest")
                    .message("The request is invalid.").always());
        }
    }

    /**
     * Scopes a rule to the cell: its subscription, or its vault for the Key Vault data plane (whose paths name no
     * subscription); the undo of step 4 shares its operation with step 4, so only its {@code remove} calls.
     */
    private static FaultRule scoped(FaultRule rule, Row row, Target target) {
        if (row == Row.UNDO_3) {
            return rule.resourceName(target.vault());
        }
        FaultRule inSubscription = rule.subscription(target.subscription());
        return row == Row.UNDO_4 ? inSubscription.resourceName("remove") : inSubscription;
    }

    /** Real time: every park is answered with abort (a failed undo parks compensation too) until the run ends. */
    private static List<String> answerEveryParkWithAbort(Temporal temporal, Target target) {
        List<String> answers = new ArrayList<>();
        while (true) {
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(50))
                    .until(() -> closed(temporal, target) || waitsForAnswer(temporal, target, answers.size()));
            if (closed(temporal, target)) {
                return answers;
            }
            temporal.client().newWorkflowStub(CmkWorkspaceWorkflow.class, target.workflowId()).abort("fault matrix");
            answers.add("abort");
        }
    }

    /** Skipped time: the run ends on its own; a park nobody answers times out into compensation. */
    private static List<String> awaitEnd(Temporal temporal, Target target) {
        try {
            temporal.client().newUntypedWorkflowStub(target.workflowId()).getResult(CmkRunState.class);
        } catch (WorkflowFailedException compensatedOrFailed) {
            // The state query says how it ended.
        }
        long parks = temporal.events().delivered.stream()
                .filter(e -> target.workflowId().equals(e.workflowId()) && e.type() == StatusEvent.Type.awaiting_operator)
                .count();
        List<String> answers = new ArrayList<>();
        for (long i = 0; i < parks; i++) {
            answers.add("park timeout");
        }
        return answers;
    }

    private static WorkflowExecutionDescription describe(Temporal temporal, Target target) {
        return temporal.client().newUntypedWorkflowStub(target.workflowId()).describe();
    }

    private static boolean closed(Temporal temporal, Target target) {
        return describe(temporal, target).getStatus() != WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING;
    }

    /** Parked with its awaiting_operator event out (nothing in flight) and fewer answers given than parks announced. */
    private static boolean waitsForAnswer(Temporal temporal, Target target, int answered) {
        long parks = temporal.events().delivered.stream()
                .filter(e -> target.workflowId().equals(e.workflowId()) && e.type() == StatusEvent.Type.awaiting_operator)
                .count();
        if (parks <= answered) {
            return false;
        }
        WorkflowExecutionDescription run = describe(temporal, target);
        return CmkStatus.AwaitingOperator.name().equals(run.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS))
                && run.getRawDescription().getPendingActivitiesCount() == 0;
    }

    private static CmkStep stepOfStage(String stage) {
        for (CmkStep step : CmkStep.values()) {
            if (step.stage().equals(stage)) {
                return step;
            }
        }
        throw new IllegalArgumentException("no step has stage " + stage);
    }

    private static final Pattern FAILURE = Pattern.compile("\\b((?:NON_)?RETRYABLE|THROTTLED) (\\S+)(?: \\(HTTP (\\d+)\\))?");

    /** The failure's class and Azure code, e.g. {@code NON_RETRYABLE AuthorizationFailed (HTTP 403)}; else its text. */
    static String shortFailure(String text) {
        if (text == null) {
            return null;
        }
        Matcher m = FAILURE.matcher(text);
        return m.find() ? m.group() : text.split(":", 2)[0];
    }

    private static String stepFailure(CmkRunState state, CmkStep step) {
        CmkRunState.StepState s = state.steps().get(step.ordinal());
        return s.phase() == CmkRunState.Phase.DONE ? null : shortFailure(s.error());
    }

    private static String undoFailure(CmkRunState state, Row row) {
        return state.compensation().stream().filter(u -> u.step() == row.step && u.result() == UndoResult.FAILED)
                .map(UndoRecord::detail).map(FaultMatrixTest::shortFailure).findFirst().orElse(null);
    }

    /** Temporal's attempt number of the last scheduling of the row's activity (its summary names the step). */
    private static int attempts(Temporal temporal, Target target, Row row) {
        String prefix = (row.undo ? "Undo step " : "Step ") + row.step.number() + ":";
        List<HistoryEvent> events = temporal.client().fetchHistory(target.workflowId()).getEvents();
        long scheduled = events.stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED && e.hasUserMetadata())
                .filter(e -> DefaultDataConverter.STANDARD_INSTANCE.fromPayload(e.getUserMetadata().getSummary(),
                        String.class, String.class).startsWith(prefix))
                .mapToLong(HistoryEvent::getEventId).max().orElseThrow();
        return events.stream()
                .filter(e -> e.getEventType() == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED
                        && e.getActivityTaskStartedEventAttributes().getScheduledEventId() == scheduled)
                .mapToInt(e -> e.getActivityTaskStartedEventAttributes().getAttempt()).findFirst().orElseThrow();
    }

    /** Every call after a 429 on the row's operation came at least Retry-After after it (journal, wall clock). */
    private static boolean pacedByRetryAfter(List<JournalEntry> calls, Row row) {
        List<JournalEntry> ofOperation = calls.stream().filter(e -> e.operation().equalsIgnoreCase(row.operation))
                .sorted(Comparator.comparing(JournalEntry::receivedAt)).toList();
        for (int i = 0; i + 1 < ofOperation.size(); i++) {
            if (ofOperation.get(i).status() == 429 && Duration.between(ofOperation.get(i).receivedAt(),
                    ofOperation.get(i + 1).receivedAt()).compareTo(Duration.ofSeconds(RETRY_AFTER_SECONDS)) < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * Distinct writes (method, path): how many reads a run makes (polls), how often an attempt that timed out on a busy
     * machine repeats a write, and what a repeated write is answered (a 202 that a retry finds done: 200) all depend
     * on timing, not on the design.
     */
    static int distinctWrites(List<JournalEntry> calls) {
        return (int) calls.stream().filter(JournalEntry::isWrite)
                .map(e -> e.method() + " " + e.path().toLowerCase(Locale.ROOT)).distinct().count();
    }

    private static boolean aimsAtManagedGroup(JournalEntry e) {
        return "DELETE".equals(e.method()) && e.path().toLowerCase(Locale.ROOT).contains("/resourcegroups/azureml-rg-");
    }
}
