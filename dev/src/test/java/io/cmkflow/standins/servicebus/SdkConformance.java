package io.cmkflow.standins.servicebus;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the official-SDK conformance suites share: the queues their scripts use, the stand-in they run against, the
 * one-time SDK install ({@code dev/src/test/sdk-setup.sh}) and running a script as a child process whose
 * {@code CASE <name> PASS|FAIL [detail]} lines are the per-case results.
 *
 * <p>{@link #main} serves the same queues on a fixed port, to run a script by hand:
 * {@code SB_CONNECTION_STRING='Endpoint=sb://localhost:5673;...' node dev/src/test/node/servicebus-conformance/conformance.js}.
 */
final class SdkConformance {

    private static final Logger LOG = LoggerFactory.getLogger(SdkConformance.class);
    private static final Pattern CASE_LINE = Pattern.compile("^CASE (\\S+) (PASS|FAIL)(?: (.*))?$");
    static final Path PROJECT = Path.of("").toAbsolutePath();
    static final Duration SETUP_TIMEOUT = Duration.ofMinutes(8);
    static final Duration SCRIPT_TIMEOUT = Duration.ofMinutes(4);

    /** The cases every SDK script runs, in the order it runs them; the JUnit tests require each by name. */
    static final List<String> CASES = List.of("send-single", "send-batch", "abandon-until-dead-lettered",
            "dead-letter-explicit", "defer-and-receive-deferred", "renew-lock", "peek", "scheduled",
            "duplicate-detection", "receive-and-delete", "amqp-body-types", "unknown-entity");

    private SdkConformance() {
    }

    /** The queues the scripts use; the scripts rely on these settings (MaxDeliveryCount 3, a 3 s lock on renew). */
    static StandInOptions options(int port) {
        return StandInOptions.builder().port(port)
                .config(EmulatorConfig.of(
                        QueueDefinition.withDefaults("single"),
                        QueueDefinition.withDefaults("batch"),
                        QueueDefinition.withDefaults("abandon").withMaxDeliveryCount(3),
                        QueueDefinition.withDefaults("dead-letter"),
                        QueueDefinition.withDefaults("defer"),
                        QueueDefinition.withDefaults("renew").withLockDuration(Duration.ofSeconds(3)),
                        QueueDefinition.withDefaults("peek"),
                        QueueDefinition.withDefaults("scheduled"),
                        QueueDefinition.withDefaults("dedup").withDuplicateDetection(Duration.ofMinutes(1)),
                        QueueDefinition.withDefaults("receive-and-delete"),
                        QueueDefinition.withDefaults("body-types")))
                .build();
    }

    /**
     * Runs {@code dev/src/test/sdk-setup.sh WHAT}: it installs the SDK when it is missing or its pinned versions changed,
     * and returns at once when it is installed.
     */
    static void ensureInstalled(String what, Path installed) throws IOException, InterruptedException {
        Result setup = run(List.of("bash", PROJECT.resolve("dev/src/test/sdk-setup.sh").toString(), what), Map.of(),
                SETUP_TIMEOUT, "sdk-setup");
        if (setup.exitCode() != 0 || !Files.exists(installed)) {
            throw new IllegalStateException("dev/src/test/sdk-setup.sh " + what + " failed (exit " + setup.exitCode()
                    + ", " + installed + (Files.exists(installed) ? " present" : " missing")
                    + "); its output is in the test log above");
        }
    }

    /**
     * Runs an SDK script against a fresh stand-in and checks both sides: the script exited 0 having passed every
     * case of {@link #CASES} by name (a script that skips one fails), and the stand-in holds what the exchanges leave:
     * nothing, except the three peeked messages, unlocked, and the explicit lock renewals counted.
     */
    static void runSuite(String label, List<String> command) throws IOException, InterruptedException {
        StandInOptions options = options(0);
        try (ServiceBusStandIn standIn = ServiceBusStandIn.start(options)) {
            Result result = run(command, Map.of("SB_CONNECTION_STRING", standIn.connectionString()), SCRIPT_TIMEOUT,
                    label);

            SoftAssertions softly = new SoftAssertions();
            softly.assertThat(result.cases().keySet()).as("cases the %s script reported", label)
                    .containsExactlyInAnyOrderElementsOf(CASES);
            softly.assertThat(result.failed()).as("failed cases (details in the test log)").isEmpty();
            softly.assertThat(result.exitCode()).as("exit code of the %s script", label).isZero();
            for (QueueDefinition queue : options.config().queues()) {
                QueueView view = standIn.queue(queue.name());
                softly.assertThat(view.activeCount()).as("active messages left on %s", queue.name())
                        .isEqualTo(queue.name().equals("peek") ? 3 : 0);
                softly.assertThat(view.lockedCount()).as("locks held on %s", queue.name()).isZero();
                softly.assertThat(view.deferredCount()).as("deferred messages left on %s", queue.name()).isZero();
                softly.assertThat(view.scheduledCount()).as("scheduled messages left on %s", queue.name()).isZero();
                softly.assertThat(view.deadLetterCount()).as("dead letters left on %s", queue.name()).isZero();
            }
            softly.assertThat(standIn.queue("peek").activeMessages()).extracting(QueuedMessage::deliveryCount)
                    .as("peeked messages were never delivered").containsOnly(0);
            softly.assertThat(standIn.queue("renew").lockRenewals()).as("explicit lock renewals").isEqualTo(2);
            softly.assertThat(standIn.refusedTokens()).as("CBS tokens refused").isZero();
            softly.assertAll();
        }
    }

    /** What a script run gave: its exit code and its cases by name (PASS, or FAIL with the detail). */
    record Result(int exitCode, Map<String, String> cases, List<String> output) {

        List<String> failed() {
            return cases.entrySet().stream().filter(e -> !e.getValue().equals("PASS")).map(Map.Entry::getKey)
                    .toList();
        }
    }

    /** Runs a child process, streaming its merged output line by line into the test log. */
    static Result run(List<String> command, Map<String, String> environment, Duration timeout, String label)
            throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(PROJECT.toFile()).redirectErrorStream(true);
        builder.environment().putAll(environment);
        Process process = builder.start();
        Map<String, String> cases = new LinkedHashMap<>();
        List<String> output = new ArrayList<>();
        Thread reader = new Thread(() -> {
            try (BufferedReader lines = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = lines.readLine()) != null) {
                    LOG.info("[{}] {}", label, line);
                    synchronized (output) {
                        output.add(line);
                    }
                    Matcher matcher = CASE_LINE.matcher(line.strip());
                    if (matcher.matches()) {
                        synchronized (cases) {
                            cases.put(matcher.group(1), matcher.group(2).equals("PASS") ? "PASS"
                                    : "FAIL " + (matcher.group(3) == null ? "" : matcher.group(3)));
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }, label + "-output");
        reader.setDaemon(true);
        reader.start();
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
            reader.join(TimeUnit.SECONDS.toMillis(5));
            throw new IllegalStateException(label + " did not finish within " + timeout + "; killed");
        }
        reader.join(TimeUnit.SECONDS.toMillis(10));
        synchronized (cases) {
            synchronized (output) {
                return new Result(process.exitValue(), Collections.unmodifiableMap(new LinkedHashMap<>(cases)),
                        List.copyOf(output));
            }
        }
    }

    /** Serves the conformance queues on {@code args[0]} (default 5673) until killed. */
    public static void main(String[] args) {
        ServiceBusStandIn standIn = ServiceBusStandIn.start(options(args.length > 0 ? Integer.parseInt(args[0]) : 5673));
        System.out.println(standIn.connectionString());
        Runtime.getRuntime().addShutdownHook(new Thread(standIn::close));
    }
}
