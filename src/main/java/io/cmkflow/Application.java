package io.cmkflow;

import io.cmkflow.operator.RunActionCommand;
import io.cmkflow.operator.RunsCommand;
import io.cmkflow.operator.ShowCommand;
import io.cmkflow.operator.WorkspacesCommand;
import io.micronaut.context.ApplicationContext;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.runtime.server.EmbeddedServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * cmkflow's command line (picocli). {@code serve} runs the configured roles against a real Temporal cluster, Service Bus
 * and Azure, refusing to start while a setting is missing ({@link ServeSettingsCheck}); {@code submit FILE...}
 * publishes request files ({@link SubmitCommand}); {@code runs}, {@code show}, {@code retry}, {@code abort},
 * {@code cancel} are the on-call actions (io.cmkflow.operator). The dev module's command line adds {@code dev},
 * {@code demo} and {@code arm-simulator} to these. Exit codes: {@link #DONE}, {@link #REFUSED}, {@link #USAGE},
 * {@link #UNREACHABLE}, {@link #UNAUTHORIZED}, mapped from exceptions by {@link CliErrors}.
 */
@Command(name = "cmkflow", mixinStandardHelpOptions = true, scope = ScopeType.INHERIT, versionProvider = Application.Version.class,
        description = "Customer-managed-key Azure Machine Learning workspaces, run as Temporal workflows.",
        subcommands = {CommandLine.HelpCommand.class, SubmitCommand.class, RunsCommand.class, ShowCommand.class, WorkspacesCommand.class, RunActionCommand.Retry.class,
                RunActionCommand.Abort.class, RunActionCommand.Cancel.class},
        footerHeading = "%nExit codes:%n",
        footer = {"  0  done", "  1  refused (invalid request, a run refused the action, a run failed)", "  2  usage (unknown command or option, missing argument)",
                "  3  unreachable (Temporal, Service Bus or the operator API did not answer)", "  4  unauthorized (the operator API refused the token: HTTP 401/403; Temporal or Service Bus refused the credentials)",
                "Add --verbose to see the stack trace of an error."})
public class Application implements Callable<Integer> {
    public static final int DONE = 0;
    public static final int REFUSED = 1;
    public static final int USAGE = 2;
    public static final int UNREACHABLE = 3;
    public static final int UNAUTHORIZED = 4;

    /** The official Service Bus emulator's connection string (its key is public): {@code submit}'s default. */
    static final String EMULATOR_CONNECTION_STRING =
            "Endpoint=sb://localhost;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

    @Spec
    CommandSpec spec;

    @Option(names = "--verbose", scope = ScopeType.INHERIT, description = "print the stack trace of an error")
    boolean verbose;

    /** The variables commands read their connections from (the process's; a test's own in-process). */
    final Map<String, String> environment;

    private Application(Map<String, String> environment) {
        this.environment = environment;
    }

    public static void main(String[] args) {
        CommonPool.atLeastTwoThreads();
        System.exit(commandLine(System.getenv()).execute(args));
    }

    /** The command line with cmkflow's exit codes and one-line errors, reading {@code environment}, ready to {@code execute}. */
    public static CommandLine commandLine(Map<String, String> environment) {
        return new CommandLine(new Application(environment)).setExecutionExceptionHandler(new CliErrors());
    }

    /** A bare {@code cmkflow}: the commands, on stderr, as a usage error. */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return USAGE;
    }

    @Command(name = "serve", description = "Run the configured roles against your Temporal, Service Bus and Azure (production)")
    int serveCommand() throws InterruptedException {
        return serve();
    }

    /** The jar's version (Implementation-Version), or "dev" when running from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Application.class.getPackage().getImplementationVersion();
            return new String[] {"cmkflow " + (version == null ? "dev" : version)};
        }
    }

    private static int serve() throws InterruptedException {
        ApplicationContext context;
        try {
            context = ApplicationContext.builder().deduceEnvironment(false).build();
            // Micronaut adds the environments MICRONAUT_ENVIRONMENTS / micronaut.environments name to any context: one
            // such as dev or test would load their configuration (scope *, the public dev token) and skip the checks.
            Set<String> environments = context.getEnvironment().getActiveNames();
            if (!environments.isEmpty()) {
                System.err.println("cmkflow serve runs in no Micronaut environment, but MICRONAUT_ENVIRONMENTS (or the"
                        + " system property micronaut.environments) activates " + new TreeSet<>(environments)
                        + ": unset it (dev mode is `cmkflow dev`, from the dev jar)");
                return REFUSED;
            }
            context.start();
            // The operator API and the management port (health probes); a plain context does not start a server itself.
            context.getBean(EmbeddedServer.class).start();
        } catch (RuntimeException refused) {
            return refusedToStart(refused);
        }
        System.out.println("cmkflow serving; stop with Ctrl-C");
        return runUntilStopped(context::close);
    }

    /** Blocks until the JVM is asked to stop (Ctrl-C, SIGTERM), then runs {@code stop}; answers {@link #DONE}. */
    public static int runUntilStopped(Runnable stop) throws InterruptedException {
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            stop.run();
            stopped.countDown();
        }, "cmkflow-shutdown"));
        stopped.await();
        return 0;
    }

    /** One clear message for a setting that is missing or wrong, instead of a stack trace. */
    public static int refusedToStart(RuntimeException refused) {
        Throwable cause = refused;
        while (cause.getCause() != null && !(cause instanceof ConfigurationException)) {
            cause = cause.getCause();
        }
        System.err.println(cause.getMessage());
        return REFUSED;
    }
}
