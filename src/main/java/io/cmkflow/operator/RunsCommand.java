package io.cmkflow.operator;

import io.cmkflow.workflow.CmkStatus;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.util.concurrent.Callable;

/**
 * {@code cmkflow runs list [FILTERS]} (and {@code cmkflow runs [FILTERS]}, the same): runs from the server's
 * visibility store ({@link RunQuery}); with no filter the runs waiting for an operator, {@code --all} every run.
 */
@Command(name = "runs", description = "List runs (the same as `runs list`)", subcommands = RunsCommand.ListCommand.class)
public final class RunsCommand implements Callable<Integer> {
    @Mixin
    Listing listing;

    @Override
    public Integer call() {
        return listing.print();
    }

    @Command(name = "list", description = "List runs, newest first: by default the ones waiting for an operator")
    static final class ListCommand implements Callable<Integer> {
        @Mixin
        Listing listing;

        @Override
        public Integer call() {
            return listing.print();
        }
    }

    /** The filters, the target and the output of a listing. */
    static final class Listing {
        static final int DEFAULT_LIMIT = 100;

        @Spec(Spec.Target.MIXEE)
        CommandSpec spec;

        @Option(names = "--status", paramLabel = "STATUS", description = "runs with this status: ${COMPLETION-CANDIDATES}")
        CmkStatus status;

        @Option(names = "--request-id", paramLabel = "ID", description = "the run of this request")
        String requestId;

        @Option(names = "--subscription", paramLabel = "ID", description = "runs in this subscription")
        String subscription;

        @Option(names = "--workspace", paramLabel = "NAME", description = "runs of this workspace")
        String workspace;

        @Option(names = "--open", description = "only runs that have not ended")
        boolean open;

        @Option(names = "--all", description = "every run (does not combine with filters)")
        boolean all;

        @Option(names = "--limit", paramLabel = "N", defaultValue = "" + DEFAULT_LIMIT, description = "at most N runs (default ${DEFAULT-VALUE})")
        int limit;

        @Mixin
        RunTarget target;

        @Mixin
        RunOutput output;

        int print() {
            RunQuery query = query();
            output.runs(spec.commandLine().getOut(), target.apply(runs -> runs.list(query, limit)), query, limit);
            return 0;
        }

        private RunQuery query() {
            if (limit < 1) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--limit needs a positive number, not " + limit);
            }
            RunQuery query = RunQuery.all().openOnly(open);
            if (status != null) {
                query = query.withStatus(status);
            }
            if (requestId != null) {
                query = query.withRequestId(requestId);
            }
            if (subscription != null) {
                query = query.withSubscriptionId(subscription);
            }
            if (workspace != null) {
                query = query.withWorkspace(workspace);
            }
            boolean filtered = !query.equals(RunQuery.all());
            if (all && filtered) {
                throw new CommandLine.ParameterException(spec.commandLine(), "--all lists every run; it does not combine with filters");
            }
            return all || filtered ? query : RunQuery.parked();
        }
    }
}
