package io.cmkflow.operator;

import io.cmkflow.workflow.CmkRunState;
import io.micronaut.context.ApplicationContext;
import io.temporal.client.WorkflowClient;

import java.io.PrintStream;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * `cmkflow runs | show ID | retry ID [REASON] | abort ID [REASON] | cancel ID`: on-call actions against the Temporal
 * the configuration names (TEMPORAL_ADDRESS, namespace, TLS or API key), or dev mode's Temporal serving on localhost:7233.
 */
public final class OperatorCli {
    public static final Set<String> COMMANDS = Set.of("runs", "show", "retry", "abort", "cancel");

    private OperatorCli() {
    }

    public static int run(String command, List<String> args, PrintStream out) {
        if (!command.equals("runs") && args.isEmpty()) {
            out.println("usage: cmkflow " + command + " WORKFLOW_ID" + (command.equals("retry") || command.equals("abort") ? " [REASON]" : ""));
            return 2;
        }
        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(clientOnly()).start()) {
            RunControl control = new RunControl(context.getBean(WorkflowClient.class));
            String reason = args.size() > 1 ? String.join(" ", args.subList(1, args.size())) : "by " + System.getProperty("user.name");
            switch (command) {
                case "runs" -> printParked(control.parked(), out);
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

    private static void printParked(List<RunControl.RunSummary> parked, PrintStream out) {
        if (parked.isEmpty()) {
            out.println("no run is waiting for an operator");
            return;
        }
        out.printf("%-70s %-20s %s%n", "WORKFLOW ID", "REQUEST", "PARKED AT STEP");
        parked.forEach(run -> out.printf("%-70s %-20s %s%n", run.workflowId(), run.requestId(), run.stage()));
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
