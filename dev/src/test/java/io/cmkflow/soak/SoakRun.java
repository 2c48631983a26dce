package io.cmkflow.soak;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.azure.ProviderRegistrationStep;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.arm.Throttling;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.request.RejectionReason;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.JournalBudget;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.temporal.client.WorkflowExecutionDescription;
import org.awaitility.core.ConditionTimeoutException;

import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import java.util.UUID;

import static org.awaitility.Awaitility.await;

/**
 * The load and soak run, one code path for {@code SoakTest} (small, in the suite) and {@code bench/SoakBench} (1 000
 * requests): valid requests and a few poison messages through the real intake (Service Bus stand-in), the worker and
 * the ARM simulator with ARM-like throttling at the client's budget and faults injected per request, decided up front
 * from the seed so each request's outcome is known: transient 5xx and 429 end Succeeded, a non-retryable answer parks
 * AwaitingOperator, the same answered with an operator's abort ends Compensated, a poison message is dead-lettered.
 * It then checks every invariant ({@link Result#violations()}): each message is a run or a dead-letter, each run ends as
 * planned, no DELETE touches a resource group other than the request's own (so never a managed one), no 429 but the
 * injected ones, and in every window a subscription's writes and reads stay within the budget.
 */
public final class SoakRun {

    /** The budget per subscription, given to the worker ({@code cmkflow.azure.budget.*}) and to the simulator's throttling alike. */
    public record Budget(int writeBurst, double writesPerSecond, int readBurst, double readsPerSecond) {
        /** ARM's documented subscription limits. */
        public static Budget arm() {
            Throttling.Limits arm = Throttling.Limits.armDefaults();
            return new Budget(arm.writeBurst(), arm.writeRefillPerSecond(), arm.readBurst(), arm.readRefillPerSecond());
        }

        /** The stack this run needs: the application with intake and worker, the budget configured. */
        public CmkStack.Builder stack() {
            return CmkStack.builder()
                    .property("cmkflow.azure.budget.write-burst", writeBurst)
                    .property("cmkflow.azure.budget.writes-per-second", writesPerSecond)
                    .property("cmkflow.azure.budget.read-burst", readBurst)
                    .property("cmkflow.azure.budget.reads-per-second", readsPerSecond);
        }
    }

    /**
     * @param requests      valid requests in the load
     * @param faultRate     the share of them given an injected fault (rounded to a whole number of requests)
     * @param seed          decides which requests get which fault, and the subscriptions' ids
     * @param subscriptions how many subscriptions the requests share (round robin)
     * @param poison        messages that are no request (not JSON), each to be dead-lettered
     * @param calibration   fault-free requests run first, each alone in a subscription of its own, to count the ARM
     *                      requests one provisioning makes
     * @param timeout       how long the load may take to settle
     */
    public record Options(int requests, double faultRate, long seed, int subscriptions, int poison, int calibration, Duration timeout) {
    }

    /** What a request's injected fault makes of it. */
    public enum Fault {
        NONE(CmkStatus.Succeeded), TRANSIENT(CmkStatus.Succeeded), THROTTLED(CmkStatus.Succeeded),
        PARK(CmkStatus.AwaitingOperator), ABORT(CmkStatus.Compensated);

        final CmkStatus expected;

        Fault(CmkStatus expected) {
            this.expected = expected;
        }
    }

    /** One planned request: its JSON, its fault and the rule that injects it (null for none). */
    record Planned(ObjectNode json, String requestId, String workflowId, Fault fault, FaultRule rule) {
    }

    /** ARM requests of one provisioning (a calibration run). */
    public record Provisioning(int reads, int writes) {
        public int total() {
            return reads + writes;
        }
    }

    /** The outcome: counts, figures and every invariant that did not hold. */
    public record Result(Options options, Budget budget, Map<Fault, Integer> planned, Map<CmkStatus, Integer> outcomes,
                         int runs, int deadLetters, int lost, List<Provisioning> provisionings,
                         Map<String, Integer> busiestWriteSecond, Map<String, JournalBudget.Window> worstWrites,
                         Map<String, JournalBudget.Window> worstReads, int armRequests, int writes, int injected429, int answered429,
                         int managedGroupDeletes, Duration wallTime, Duration processCpu, List<String> violations) {

        /** A Markdown table of the figures, for docs/benchmarks.md. */
        public String summary() {
            StringBuilder out = new StringBuilder();
            out.append(String.format(Locale.ROOT, "| figure | value |%n|---|---|%n"));
            row(out, "requests / fault rate / seed / subscriptions", options.requests() + " / " + options.faultRate() + " / "
                    + options.seed() + " / " + options.subscriptions());
            row(out, "budget per subscription (writes, reads)", budget.writeBurst() + " burst + " + budget.writesPerSecond()
                    + "/s, " + budget.readBurst() + " burst + " + budget.readsPerSecond() + "/s");
            row(out, "planned faults", planned.toString());
            row(out, "outcomes", outcomes.toString());
            row(out, "messages: runs + dead-letters = sent (lost)", runs + " + " + deadLetters + " = "
                    + (options.requests() + options.poison()) + " (" + lost + ")");
            if (!provisionings.isEmpty()) {
                List<Provisioning> sorted = provisionings.stream()
                        .sorted(Comparator.comparingInt(Provisioning::total)).toList();
                Provisioning min = sorted.get(0);
                Provisioning median = sorted.get(sorted.size() / 2);
                row(out, "ARM requests per provisioning, min / median (reads + writes)", min.total() + " (" + min.reads()
                        + " + " + min.writes() + ") / " + median.total() + " (" + median.reads() + " + " + median.writes() + ")");
            }
            row(out, "ARM requests in the load, per valid request", String.format(Locale.ROOT, "%.1f",
                    armRequests / (double) Math.max(1, options.requests())));
            row(out, "writes in the busiest second, per subscription (max)", busiestWriteSecond.values().stream()
                    .mapToInt(Integer::intValue).max().orElse(0) + " (budget " + budget.writeBurst() + " burst, "
                    + budget.writesPerSecond() + "/s)");
            row(out, "worst write window against the budget", worstWrites.values().stream().map(SoakRun::window).findFirst().orElse("-"));
            row(out, "429 answered (injected)", answered429 + " (" + injected429 + ")");
            row(out, "managed-group deletes", Integer.toString(managedGroupDeletes));
            row(out, "wall time", String.format(Locale.ROOT, "%.1f s", wallTime.toMillis() / 1000.0));
            row(out, "process CPU", String.format(Locale.ROOT, "%.1f s (%d ms per request)", processCpu.toMillis() / 1000.0,
                    processCpu.toMillis() / Math.max(1, options.requests())));
            row(out, "violations", violations.isEmpty() ? "none" : violations.size() + ": " + violations.get(0));
            return out.toString();
        }

        private static void row(StringBuilder out, String figure, String value) {
            out.append("| ").append(figure).append(" | ").append(value).append(" |").append(System.lineSeparator());
        }
    }

    private static final String GROUP = "rg-soak";
    private static final String LOCATION = "eastus2";
    private static final String ABORT_REASON = "soak: abort after the planned non-retryable fault";
    /** Operations a transient fault or a 429 hits, and whose name (vault or workspace) picks the request's call. */
    private static final List<String[]> RETRYABLE_TARGETS = List.of(new String[] {"Vaults_CreateOrUpdate", "vault"},
            new String[] {"Keys_CreateIfNotExist", "vault"}, new String[] {"Workspaces_CreateOrUpdate", "workspace"},
            new String[] {"Vaults_Get", "vault"});

    private final CmkStack stack;
    private final Options options;
    private final Budget budget;

    private SoakRun(CmkStack stack, Options options, Budget budget) {
        this.stack = stack;
        this.options = options;
        this.budget = budget;
    }

    /** Runs the load on a stack built from {@link Budget#stack()} with the same budget. */
    public static Result run(CmkStack stack, Options options, Budget budget) {
        return new SoakRun(stack, options, budget).run();
    }

    private Result run() {
        List<String> violations = new ArrayList<>();
        stack.arm().throttling().enable(new Throttling.Limits(budget.writeBurst(), budget.writesPerSecond(),
                budget.readBurst(), budget.readsPerSecond()));
        List<Provisioning> provisionings = calibrate(violations);

        Random random = new Random(options.seed());
        List<String> subscriptions = new ArrayList<>();
        for (int s = 0; s < options.subscriptions(); s++) {
            subscriptions.add(subscription("load-" + s));
        }
        subscriptions.forEach(this::prepare);
        List<Planned> plan = plan(random, subscriptions);
        plan.stream().filter(p -> p.rule() != null).forEach(p -> stack.arm().faults().inject(p.rule()));
        List<String> poison = new ArrayList<>();
        for (int i = 0; i < options.poison(); i++) {
            poison.add("soak-" + options.seed() + "-poison-" + i);
        }

        long cpuBefore = processCpuNanos();
        Instant start = Instant.now();
        for (Planned p : plan) {
            stack.send(p.json());
        }
        for (String id : poison) {
            stack.send(new ServiceBusMessage(BinaryData.fromString("{ this is no request")).setMessageId(id)
                    .setContentType("application/json"));
        }
        Settling settling = new Settling(plan);
        try {
            await().atMost(options.timeout()).pollInterval(Duration.ofMillis(200))
                    .until(() -> settling.step() && deadLetters(poison).size() == poison.size());
        } catch (ConditionTimeoutException timedOut) {
            violations.add("the load did not settle within " + options.timeout() + ": " + settling.unsettled() + " runs open, "
                    + deadLetters(poison).size() + " of " + poison.size() + " dead-letters");
        }
        Duration wall = Duration.between(start, Instant.now());
        Duration cpu = Duration.ofNanos(processCpuNanos() - cpuBefore);

        Map<CmkStatus, Integer> outcomes = new EnumMap<>(CmkStatus.class);
        int runs = 0;
        Set<String> seen = new HashSet<>();
        for (Planned p : plan) {
            Optional<WorkflowExecutionDescription> run = stack.run(p.workflowId());
            if (run.isEmpty()) {
                continue;
            }
            runs++;
            seen.add(p.requestId());
            String status = run.get().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS);
            CmkStatus actual = status == null ? CmkStatus.Running : CmkStatus.valueOf(status);
            outcomes.merge(actual, 1, Integer::sum);
            if (actual != p.fault().expected) {
                violations.add(p.requestId() + " (" + p.fault() + ") ended " + actual + ", expected " + p.fault().expected);
            }
        }
        List<QueuedMessage> dead = stack.requestQueue().deadLetters();
        Set<String> poisonIds = Set.copyOf(poison);
        int deadPoison = 0;
        for (QueuedMessage m : dead) {
            if (poisonIds.contains(m.messageId())) {
                deadPoison++;
                if (!RejectionReason.MalformedJson.name().equals(m.deadLetterReason())) {
                    violations.add("poison " + m.messageId() + " dead-lettered " + m.deadLetterReason());
                }
            } else if (plan.stream().anyMatch(p -> p.requestId().equals(m.messageId()))) {
                violations.add("valid request " + m.messageId() + " dead-lettered " + m.deadLetterReason());
                seen.add(m.messageId());
            }
        }
        int lost = (int) plan.stream().filter(p -> !seen.contains(p.requestId())).count() + (poison.size() - deadPoison);
        if (lost > 0) {
            violations.add(lost + " messages are neither a run nor a dead-letter");
        }

        Set<String> loadSubscriptions = Set.copyOf(subscriptions);
        List<JournalEntry> journal = stack.arm().journal().where(e -> e.subscription() != null
                && loadSubscriptions.contains(e.subscription().toLowerCase(Locale.ROOT)));
        List<JournalEntry> writes = journal.stream().filter(JournalEntry::isWrite).toList();
        List<JournalEntry> reads = journal.stream().filter(e -> !e.isWrite()).toList();
        Map<String, JournalBudget.Window> worstWrites = JournalBudget.worstWindows(writes, budget.writeBurst(), budget.writesPerSecond());
        Map<String, JournalBudget.Window> worstReads = JournalBudget.worstWindows(reads, budget.readBurst(), budget.readsPerSecond());
        worstWrites.values().stream().filter(w -> !w.withinBudget()).forEach(w -> violations.add("writes over budget: " + window(w)));
        worstReads.values().stream().filter(w -> !w.withinBudget()).forEach(w -> violations.add("reads over budget: " + window(w)));
        int injected429 = (int) plan.stream().filter(p -> p.fault() == Fault.THROTTLED).count();
        int answered429 = (int) journal.stream().filter(e -> e.status() == 429).count();
        if (answered429 != injected429) {
            violations.add("the simulator answered " + answered429 + " 429s, " + injected429 + " of them injected");
        }
        List<JournalEntry> groupDeletes = stack.arm().journal().where(SoakRun::deletesAnotherGroup);
        if (!groupDeletes.isEmpty() || !stack.arm().state().refusedDeletes().isEmpty()) {
            violations.add("DELETEs on a resource group not the request's own: " + groupDeletes.stream()
                    .map(JournalEntry::path).limit(3).toList() + ", refused by the simulator: " + stack.arm().state().refusedDeletes());
        }
        if (stack.arm().faults().pending() > 0) {
            violations.add(stack.arm().faults().pending() + " injected faults never fired");
        }
        Map<Fault, Integer> planned = new EnumMap<>(Fault.class);
        plan.forEach(p -> planned.merge(p.fault(), 1, Integer::sum));
        return new Result(options, budget, planned, outcomes, runs, deadPoison, lost, provisionings,
                JournalBudget.busiestSecond(writes), worstWrites, worstReads, journal.size(), writes.size(), injected429, answered429,
                groupDeletes.size(), wall, cpu, violations);
    }

    /** Fault-free requests, each alone in a fresh subscription: the ARM requests of one provisioning. */
    private List<Provisioning> calibrate(List<String> violations) {
        Map<String, Planned> runs = new LinkedHashMap<>();
        for (int i = 0; i < options.calibration(); i++) {
            String subscription = subscription("calibration-" + i);
            prepare(subscription);
            Planned p = planned("c" + i, subscription, Fault.NONE, null);
            runs.put(subscription, p);
            stack.send(p.json());
        }
        if (runs.isEmpty()) {
            return List.of();
        }
        Settling settling = new Settling(List.copyOf(runs.values()));
        try {
            await().atMost(options.timeout()).pollInterval(Duration.ofMillis(100)).until(settling::step);
        } catch (ConditionTimeoutException timedOut) {
            violations.add("calibration runs did not end within " + options.timeout());
        }
        List<Provisioning> counted = new ArrayList<>();
        for (String subscription : runs.keySet()) {
            List<JournalEntry> calls = stack.arm().journal().where(e -> subscription.equalsIgnoreCase(e.subscription()));
            int writes = (int) calls.stream().filter(JournalEntry::isWrite).count();
            counted.add(new Provisioning(calls.size() - writes, writes));
        }
        return counted;
    }

    private List<Planned> plan(Random random, List<String> subscriptions) {
        List<Planned> plan = new ArrayList<>();
        Fault[] kinds = {Fault.TRANSIENT, Fault.THROTTLED, Fault.PARK, Fault.ABORT};
        // Exactly round(requests x faultRate) requests get a fault, which ones drawn from the seed.
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < options.requests(); i++) {
            order.add(i);
        }
        Collections.shuffle(order, random);
        Set<Integer> withFault = Set.copyOf(order.subList(0, (int) Math.round(options.requests() * options.faultRate())));
        int faulted = 0;
        for (int i = 0; i < options.requests(); i++) {
            String subscription = subscriptions.get(i % subscriptions.size());
            String name = Integer.toString(i);
            if (!withFault.contains(i)) {
                plan.add(planned(name, subscription, Fault.NONE, null));
                continue;
            }
            // Kinds in turn, so even a small run has each; the operation hit is drawn.
            Fault fault = kinds[faulted++ % kinds.length];
            String workspace = workspace(name);
            String vault = vault(workspace);
            FaultRule rule = switch (fault) {
                case TRANSIENT, THROTTLED -> {
                    String[] target = RETRYABLE_TARGETS.get(random.nextInt(RETRYABLE_TARGETS.size()));
                    FaultRule base = FaultRule.forOperation(target[0]).resourceName("vault".equals(target[1]) ? vault : workspace);
                    yield fault == Fault.TRANSIENT
                            ? base.status(503).code("ServiceUnavailable").message("soak: injected transient fault")
                            : base.status(429).code("TooManyRequests").message("soak: injected throttling").retryAfterSeconds(1);
                }
                default -> random.nextBoolean()
                        ? FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName(workspace).status(403)
                                .code("AuthorizationFailed").message("soak: the worker may not create this workspace")
                        : FaultRule.forOperation("Vaults_CreateOrUpdate").resourceName(vault).status(409)
                                .code("VaultAlreadyExists").message("soak: the vault name is taken");
            };
            plan.add(planned(name, subscription, fault, rule));
        }
        return plan;
    }

    private Planned planned(String name, String subscription, Fault fault, FaultRule rule) {
        String requestId = "req-soak-" + options.seed() + "-" + name;
        ObjectNode json = TestRequests.json(requestId, workspace(name));
        json.put("subscriptionId", subscription);
        json.put("resourceGroup", GROUP);
        json.put("location", LOCATION);
        return new Planned(json, requestId, TestRequests.workflowId(json), fault, rule);
    }

    private String workspace(String name) {
        return "mlw-s" + options.seed() + "-" + name;
    }

    /** The vault name TestRequests.json gives the workspace. */
    private static String vault(String workspace) {
        return ("kv-" + workspace).substring(0, Math.min(24, workspace.length() + 3));
    }

    private String subscription(String name) {
        return UUID.nameUUIDFromBytes(("soak-" + options.seed() + "-" + name).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private void prepare(String subscription) {
        stack.arm().state().resourceGroup(subscription, GROUP, LOCATION);
        stack.arm().state().registerProviders(subscription, ProviderRegistrationStep.NAMESPACES.toArray(String[]::new));
    }

    private List<QueuedMessage> deadLetters(List<String> ids) {
        Set<String> wanted = Set.copyOf(ids);
        return stack.requestQueue().deadLetters().stream().filter(m -> wanted.contains(m.messageId())).toList();
    }

    /** A DELETE of a resource group, or of anything in a group other than the soak's own. */
    private static boolean deletesAnotherGroup(JournalEntry e) {
        if (!"DELETE".equalsIgnoreCase(e.method()) || e.subscription() == null) {
            return false;
        }
        String[] segments = e.path().split("/");
        // "", subscriptions, {id}, resourceGroups, {group}[, ...]
        return segments.length >= 5 && "resourceGroups".equalsIgnoreCase(segments[3])
                && (segments.length == 5 || !GROUP.equalsIgnoreCase(segments[4]));
    }

    private static String window(JournalBudget.Window w) {
        return String.format(Locale.ROOT, "%d requests in %.3f s (allowed %.1f) in %s", w.requests(),
                w.length().toNanos() / 1e9, w.allowed(), w.subscription());
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /**
     * Follows the runs by their status events: a run is settled once it reached an end (or parked, unless its plan
     * is an abort, which is then sent once the run is parked with nothing in flight).
     */
    private final class Settling {
        private static final Set<StatusEvent.Type> SETTLED = Set.of(StatusEvent.Type.awaiting_operator,
                StatusEvent.Type.succeeded, StatusEvent.Type.failed, StatusEvent.Type.compensated, StatusEvent.Type.cancelled);
        private final Map<String, Planned> open = new HashMap<>();
        private final Map<String, Planned> parkedToAbort = new HashMap<>();
        private int read;

        Settling(List<Planned> plan) {
            plan.forEach(p -> open.put(p.requestId(), p));
        }

        /** Reads the events that came since the last step, sends due aborts; true once every run is settled. */
        boolean step() {
            List<ReceivedEvent> events = stack.status().all();
            for (; read < events.size(); read++) {
                ReceivedEvent e = events.get(read);
                Planned p = open.get(e.correlationId());
                if (p == null) {
                    continue;
                }
                StatusEvent.Type type = e.event().type();
                if (!SETTLED.contains(type)) {
                    continue;
                }
                if (type == StatusEvent.Type.awaiting_operator && p.fault() == Fault.ABORT) {
                    parkedToAbort.put(p.requestId(), p);
                } else {
                    open.remove(p.requestId());
                }
            }
            parkedToAbort.values().removeIf(this::abortIfParked);
            return open.isEmpty();
        }

        /** Sends the abort once the run is parked with no activity pending (its awaiting_operator event is out). */
        private boolean abortIfParked(Planned p) {
            boolean parked = stack.run(p.workflowId()).map(run ->
                    CmkStatus.AwaitingOperator.name().equals(run.getTypedSearchAttributes().get(CmkSearchAttributes.STATUS))
                            && run.getRawDescription().getPendingActivitiesCount() == 0).orElse(false);
            if (parked) {
                stack.client().newUntypedWorkflowStub(p.workflowId()).update("abort", String.class, ABORT_REASON);
            }
            return parked;
        }

        int unsettled() {
            return open.size();
        }
    }
}
