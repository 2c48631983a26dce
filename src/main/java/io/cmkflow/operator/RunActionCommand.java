package io.cmkflow.operator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code cmkflow retry|abort|cancel WORKFLOW_ID [REASON...]}: the workflow's {@code retry} and {@code abort} updates
 * (refused unless the run waits for an operator) and cancellation (refused for a run that has ended). The reason is
 * recorded in the run; without one, who ran the command.
 */
public abstract class RunActionCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(index = "0", paramLabel = "WORKFLOW_ID", description = "the run, e.g. cmk-workspace/SUBSCRIPTION/GROUP/WORKSPACE")
    String workflowId;

    @Parameters(index = "1..*", paramLabel = "REASON", description = "why (recorded in the run; default: by USER)")
    List<String> reason;

    @Mixin
    RunTarget target;

    @Mixin
    RunOutput output;

    abstract String act(RunOperations runs, String workflowId, String reason);

    @Override
    public Integer call() {
        String why = reason == null || reason.isEmpty() ? "by " + System.getProperty("user.name") : String.join(" ", reason);
        String result = target.apply(runs -> act(runs, workflowId, why));
        output.action(spec.commandLine().getOut(), workflowId, spec.name(), result);
        return 0;
    }

    @Command(name = "retry", description = "Re-run the step a parked run (AwaitingOperator) failed on")
    public static final class Retry extends RunActionCommand {
        @Override
        String act(RunOperations runs, String workflowId, String reason) {
            return runs.retry(workflowId, reason);
        }
    }

    @Command(name = "abort", description = "Give up a parked run: undo what it created and end it")
    public static final class Abort extends RunActionCommand {
        @Override
        String act(RunOperations runs, String workflowId, String reason) {
            return runs.abort(workflowId, reason);
        }
    }

    @Command(name = "cancel", description = "Cancel a running run: it undoes what it created and ends Cancelled")
    public static final class Cancel extends RunActionCommand {
        @Override
        String act(RunOperations runs, String workflowId, String reason) {
            return runs.cancel(workflowId, reason);
        }
    }
}
