package io.cmkflow.operator;

import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;
import io.micronaut.context.ApplicationContext;
import io.temporal.client.WorkflowClient;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `cmkflow runs [FILTERS] | show ID | retry ID [REASON] | abort ID [REASON] | cancel ID`: on-call actions against the Temporal
 * the configuration names (TEMPORAL_ADDRESS, namespace, TLS or API key), or dev mode's Temporal on localhost:7233.
 * `runs` asks the server's visibility store ({@link RunQuery}): `--status S` (one of {@link CmkStatus}),
 * `--request-id R`, `--subscription S`, `--workspace W`, `--open`, `--limit N` (default 100); with no filter it lists
 * the runs waiting for an operator, `--all` lists every run.
 */
public final class OperatorCli {
    public static final Set<String> COMMANDS = Set.of("runs", "show", "retry", "abort", "cancel");

    private OperatorCli() {
    }

    static final String RUNS_USAGE = "usage: cmkflow runs [--status STATUS] [--request-id ID] [--subscription ID]"
            + " [--workspace NAME] [--open] [--all] [--limit N]   (STATUS: one of " + Arrays.toString(CmkStatus.values()) + ")";

    public static int run(String command, List<String> args, PrintStream out) {
        if (!argumentsValid(command, args, out)) {
            return 2;
        }
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(clientOnly()).start()) {
            return run(command, args, new RunControl(context.getBean(WorkflowClient.class)), out);
        }
    }

    /** Runs {@code command} through {@code control} (the Temporal it holds), as {@link #run(String, List, PrintStream)}. */
    public static int run(String command, List<String> args, RunControl control, PrintStream out) {
        if (!argumentsValid(command, args, out)) {
            return 2;
        }
        try {
            String reason = args.size() > 1 ? String.join(" ", args.subList(1, args.size())) : "by " + System.getProperty("user.name");
            switch (command) {
                case "runs" -> {
                    RunsArguments runs = RunsArguments.parse(args);
                    printRuns(control.list(runs.query(), runs.limit()), runs, out);
                }
                case "show" -> printState(control.state(args.get(0)), out);
                case "retry" -> out.println(control.retry(args.get(0), reason));
                case "abort" -> out.println(control.abort(args.get(0), reason));
                case "cancel" -> {
                    control.cancel(args.get(0));
                    out.println("cancellation requested: the run compensates what it created and ends Cancelled");
                }
                default -> throw new IllegalArgumentException(command);
            }
            return 0;
        } catch (RunControlException refused) {
            out.println("refused: " + refused.getMessage());
            return 1;
        }
    }

    /** Prints the usage (and why) and answers false when the arguments do not fit the command. */
    private static boolean argumentsValid(String command, List<String> args, PrintStream out) {
        if (command.equals("runs")) {
            try {
                RunsArguments.parse(args);
                return true;
            } catch (RunControlException | IllegalArgumentException bad) {
                out.println("refused: " + bad.getMessage());
                out.println(RUNS_USAGE);
                return false;
            }
        }
        if (args.isEmpty()) {
            out.println("usage: cmkflow " + command + " WORKFLOW_ID" + (command.equals("retry") || command.equals("abort") ? " [REASON]" : ""));
            return false;
        }
        return true;
    }

    /** Only the Temporal client: no worker, no intake, and no embedded server (the one to talk to is already running). */
    private static Map<String, Object> clientOnly() {
        Map<String, Object> properties = new HashMap<>();
        properties.put("cmkflow.worker.enabled", "false");
        properties.put("cmkflow.intake.enabled", "false");
        String address = System.getenv("TEMPORAL_ADDRESS");
        if (address == null || address.isBlank()) {
            properties.put("cmkflow.temporal.address", "localhost:7233");
        }
        return properties;
    }

    /** `runs`' options: the filter, and how many runs to print at most. */
    record RunsArguments(RunQuery query, int limit) {
        static final int DEFAULT_LIMIT = 100;

        static RunsArguments parse(List<String> args) {
            RunQuery query = RunQuery.all();
            boolean filtered = false;
            boolean all = false;
            int limit = DEFAULT_LIMIT;
            for (int i = 0; i < args.size(); i++) {
                String option = args.get(i);
                if (option.equals("--open")) {
                    query = query.openOnly(true);
                    filtered = true;
                    continue;
                }
                if (option.equals("--all")) {
                    all = true;
                    continue;
                }
                if (i + 1 >= args.size()) {
                    throw new IllegalArgumentException(option.startsWith("--") ? option + " needs a value" : "unexpected argument " + option);
                }
                String value = args.get(++i);
                switch (option) {
                    case "--status" -> query = query.withStatus(value);
                    case "--request-id" -> query = query.withRequestId(value);
                    case "--subscription" -> query = query.withSubscriptionId(value);
                    case "--workspace" -> query = query.withWorkspace(value);
                    case "--limit" -> limit = positive(value);
                    default -> throw new IllegalArgumentException("unknown option " + option);
                }
                filtered |= !option.equals("--limit");
            }
            if (all && filtered) {
                throw new IllegalArgumentException("--all lists every run; it does not combine with filters");
            }
            return new RunsArguments(all || filtered ? query : RunQuery.parked(), limit);
        }

        private static int positive(String value) {
            try {
                int n = Integer.parseInt(value);
                if (n > 0) {
                    return n;
                }
            } catch (NumberFormatException ignored) {
                // refused below
            }
            throw new IllegalArgumentException("--limit needs a positive number, not " + value);
        }
    }

    private static void printRuns(List<RunControl.RunSummary> runs, RunsArguments arguments, PrintStream out) {
        if (runs.isEmpty()) {
            out.println("no run matches " + arguments.query().visibilityQuery());
            return;
        }
        out.printf("%-70s %-20s %-17s %-18s %s%n", "WORKFLOW ID", "REQUEST", "STATUS", "STAGE", "STARTED");
        runs.forEach(run -> out.printf("%-70s %-20s %-17s %-18s %s%n", run.workflowId(), run.requestId(), run.status(),
                run.stage(), run.startTime()));
        if (runs.size() == arguments.limit()) {
            out.println("(first " + arguments.limit() + " shown; --limit N for more)");
        }
    }

    private static void printState(CmkRunState state, PrintStream out) {
        out.printf("%s  request %s  status %s%s%n", state.workflowId(), state.request().requestId(), state.status(),
                state.currentStep() == null ? "" : "  step " + state.currentStep().number() + " (" + state.currentStep().title() + ")");
        state.steps().forEach(step -> out.printf("  %d %-22s %-8s %-10s attempts %d  %s%n", step.number(), step.step().title(),
                step.phase(), step.result() == null ? "" : step.result(), step.attempts(),
                step.resourceId() == null ? "" : step.resourceId()));
        state.compensation().forEach(undo -> {
            out.printf("  undo %-18s %-8s %s%n", undo.action(), undo.result(), undo.detail() == null ? "" : undo.detail());
            undo.outcomes().forEach(outcome -> out.printf("       %-12s %s%s%n", outcome.result(), outcome.resourceId(),
                    outcome.recoverableUntil() == null ? "" : " (soft-deleted, recoverable until " + outcome.recoverableUntil() + ")"));
        });
        if (state.lastError() != null) {
            out.println("  last error: " + state.lastError());
        }
    }
}
