package io.cmkflow.workflow;

import io.cmkflow.workflow.CmkRunState.StepState;
import io.cmkflow.workflow.CmkRunState.UndoRecord;

import java.time.Duration;

/** Renders a run's state as the Markdown "current details" the Temporal UI shows on the run's page. */
final class CurrentDetailsMarkdown {

    private CurrentDetailsMarkdown() {
    }

    static String render(CmkRunState state, Duration parkTimeout) {
        StringBuilder md = new StringBuilder();
        md.append("**Status:** ").append(state.status());
        if (state.currentStep() != null) {
            md.append(" at step ").append(state.currentStep().label());
        }
        md.append("\n\n| # | Step | State | Result | Attempts | Resource |\n|---|---|---|---|---|---|\n");
        for (StepState step : state.steps()) {
            md.append("| ").append(step.number())
                    .append(" | ").append(step.step().title())
                    .append(" | ").append(step.phase())
                    .append(" | ").append(step.result() == null ? "" : step.result())
                    .append(" | ").append(step.attempts())
                    .append(" | ").append(step.resourceId() == null ? "" : cell(step.resourceId()))
                    .append(" |\n");
        }
        if (!state.compensation().isEmpty()) {
            md.append("\n**Compensation**\n\n| Undo | Result | Detail |\n|---|---|---|\n");
            for (UndoRecord undo : state.compensation()) {
                md.append("| ").append(undo.action()).append(" | ").append(undo.result())
                        .append(" | ").append(undo.detail() == null ? "" : cell(undo.detail())).append(" |\n");
            }
        }
        if (state.lastError() != null) {
            md.append("\n**Last error:** ").append(cell(state.lastError())).append('\n');
        }
        if (state.status() == CmkStatus.AwaitingOperator) {
            md.append("\n**Waiting for an operator** since ").append(state.parkedAt()).append(" (compensates after ")
                    .append(parkTimeout).append("): send update `retry` to re-run the step, `abort` to undo and fail, or cancel the run.\n");
        }
        return md.toString();
    }

    /** Keeps a value inside its table cell. */
    private static String cell(String value) {
        return value.replace("|", "\\|").replace("\n", " ");
    }
}
