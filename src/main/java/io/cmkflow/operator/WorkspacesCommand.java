package io.cmkflow.operator;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * {@code cmkflow workspaces}: the workspaces cmkflow created and watches (their posture schedules), each with its last
 * CMK posture check and what it found.
 */
@Command(name = "workspaces", description = "List the workspaces cmkflow watches, with their last CMK posture check")
public final class WorkspacesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--limit", paramLabel = "N", defaultValue = "" + RunControl.PAGE_SIZE, description = "at most N workspaces (default ${DEFAULT-VALUE})")
    int limit;

    @Mixin
    RunTarget target;

    @Mixin
    RunOutput output;

    @Override
    public Integer call() {
        if (limit < 1) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--limit needs a positive number, not " + limit);
        }
        List<RunControl.WorkspacePosture> workspaces = target.apply(runs -> runs.workspaces(limit));
        PrintWriter out = spec.commandLine().getOut();
        if (output.json()) {
            RunOutput.printJson(out, workspaces);
            return 0;
        }
        if (workspaces.isEmpty()) {
            out.println("no workspace is under a posture schedule");
            out.flush();
            return 0;
        }
        Table table = new Table("WORKSPACE", "POSTURE", "CHECKED", "NEXT CHECK", "FINDINGS");
        workspaces.forEach(w -> table.row(w.workspaceId(), w.posture() == null ? (w.lastCheck() == null ? "not checked yet" : "checking")
                : w.posture(), w.checkedAt(), w.nextCheckAt(), String.join("; ", w.problems())));
        table.print(out);
        return 0;
    }
}
