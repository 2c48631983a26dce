package io.cmkflow.operator;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/** {@code cmkflow show WORKFLOW_ID}: the run's state query (steps, compensation, last error); ended runs answer too. */
@Command(name = "show", description = "Show a run's steps, compensation and last error")
public final class ShowCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(paramLabel = "WORKFLOW_ID", description = "the run, e.g. cmk-workspace/SUBSCRIPTION/GROUP/WORKSPACE")
    String workflowId;

    @Mixin
    RunTarget target;

    @Mixin
    RunOutput output;

    @Override
    public Integer call() {
        output.state(spec.commandLine().getOut(), target.apply(runs -> runs.state(workflowId)));
        return 0;
    }
}
