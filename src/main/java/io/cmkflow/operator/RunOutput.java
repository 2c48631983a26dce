package io.cmkflow.operator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cmkflow.workflow.CmkRunState;
import picocli.CommandLine.Option;

import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.util.List;

/** How a command prints its answer: aligned tables for people (the default), {@code --json} for scripts. */
public final class RunOutput {
    private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules()
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT).build();

    @Option(names = "--json", description = "print JSON instead of a table")
    boolean json;

    public boolean json() {
        return json;
    }

    /** {@code value} as indented JSON on one document. */
    public static void printJson(PrintWriter out, Object value) {
        try {
            out.println(JSON.writeValueAsString(value));
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
        out.flush();
    }

    void runs(PrintWriter out, List<RunControl.RunSummary> runs, RunQuery query, int limit) {
        if (json) {
            printJson(out, runs);
            return;
        }
        if (runs.isEmpty()) {
            out.println("no run matches " + query.visibilityQuery());
            out.flush();
            return;
        }
        Table table = new Table("WORKFLOW ID", "REQUEST", "STATUS", "STAGE", "STARTED");
        runs.forEach(run -> table.row(run.workflowId(), run.requestId(), run.status(), run.stage(), run.startTime()));
        table.print(out);
        if (runs.size() == limit) {
            out.println("(first " + limit + " shown; --limit N for more)");
        }
        out.flush();
    }

    void state(PrintWriter out, CmkRunState state) {
        if (json) {
            printJson(out, state);
            return;
        }
        out.printf("%s  request %s  status %s%s%n", state.workflowId(), state.request().requestId(), state.status(),
                state.currentStep() == null ? "" : "  step " + state.currentStep().label());
        Table steps = new Table("STEP", "TITLE", "PHASE", "RESULT", "ATTEMPTS", "RESOURCE");
        state.steps().forEach(step -> steps.row(step.number(), step.step().title(), step.phase(), step.result(),
                step.attempts(), step.resourceId()));
        steps.print(out);
        if (!state.compensation().isEmpty()) {
            Table undo = new Table("UNDO", "RESULT", "RESOURCE", "DETAIL");
            state.compensation().forEach(action -> {
                undo.row(action.action(), action.result(), "", action.detail());
                action.outcomes().forEach(outcome -> undo.row("", outcome.result(), outcome.resourceId(),
                        outcome.recoverableUntil() == null ? "" : "soft-deleted, recoverable until " + outcome.recoverableUntil()));
            });
            undo.print(out);
        }
        if (state.lastError() != null) {
            out.println("last error: " + state.lastError());
        }
        out.flush();
    }

    /** What an accepted action did: the workflow's answer, or as JSON with the run and the action. */
    void action(PrintWriter out, String workflowId, String action, String result) {
        if (json) {
            printJson(out, new ActionResult(workflowId, action, result));
        } else {
            out.println(result);
            out.flush();
        }
    }

    /** An action's JSON answer. */
    public record ActionResult(String workflowId, String action, String result) {
    }
}
