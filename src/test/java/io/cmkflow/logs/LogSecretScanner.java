package io.cmkflow.logs;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds secrets in log lines: by shape (a connection string's or SAS token's key, a bearer token, a JWT, a client
 * secret, an API key) and by the literal values the tests use. A value already masked ({@code ***}, {@code REDACTED},
 * {@code <redacted>}) is no hit. Each hit is reported with the secret masked as {@code ***}, so the report leaks nothing
 * itself.
 */
final class LogSecretScanner {
    // A value that is a mask, not a secret: what cmkflow and the Azure SDK write in place of one.
    private static final String NOT_MASKED = "(?!\\*|REDACTED|<redacted>)";

    /** The kinds of secret found by their shape; group "secret" is the part that is masked in a report. */
    enum Shape {
        SHARED_ACCESS_KEY("SharedAccessKey=" + NOT_MASKED + "(?<secret>[^;\\s\"']+)"),
        SAS_TOKEN("SharedAccessSignature\\s+\\S*?sig=" + NOT_MASKED + "(?<secret>[^&\\s\"';]+)"),
        BEARER_TOKEN("(?i)\\bBearer\\s+" + NOT_MASKED + "(?<secret>[A-Za-z0-9\\-._~+/]{16,}=*)"),
        JWT("(?<secret>eyJ[A-Za-z0-9_-]{8,}\\.eyJ[A-Za-z0-9_-]{8,}\\.[A-Za-z0-9_-]*)"),
        CLIENT_SECRET("(?i)client[_-]?secret[\"']?\\s*[=:]\\s*[\"']?" + NOT_MASKED + "(?!null\\b)(?<secret>[^\\s\"',;&}]{4,})"),
        API_KEY("(?i)api[_-]?key[\"']?\\s*[=:]\\s*[\"']?" + NOT_MASKED + "(?!null\\b)(?<secret>[^\\s\"',;&}]{8,})");

        private final Pattern pattern;

        Shape(String regex) {
            this.pattern = Pattern.compile(regex);
        }
    }

    /** One secret in one line: where, of what kind, and the line with the secret masked. */
    record Hit(Path file, int line, String kind, String maskedLine) {
        @Override
        public String toString() {
            return file + ":" + line + ": " + kind + ": " + maskedLine;
        }
    }

    private static final int MAX_SHOWN_LINE = 240;
    /** The scan's own reports: they hold its (masked) findings of an earlier run. */
    private static final String OWN_REPORTS = LogSecretScanTest.class.getName();

    private final List<String> literals;

    /** A scanner that also looks for each of {@code literals} (values the tests configure) anywhere in a line. */
    LogSecretScanner(Collection<String> literals) {
        this.literals = List.copyOf(literals);
    }

    /**
     * Fails unless the {@code targets} hold log files, listing every hit in them (file:line, kind, the line masked): what
     * each test class printed (surefire-reports: {@code *-output.txt}, the summaries, the forked JVMs' dumps) and every
     * {@code *.log} below it (child JVMs, {@code cmkflow dev} and demo logs, the Temporal dev servers' logs).
     */
    void assertNoSecretIn(Path... targets) {
        List<Path> files = Stream.of(targets).flatMap(target -> logFiles(target).stream()).toList();
        if (files.isEmpty()) {
            throw new AssertionError("no log files under " + Stream.of(targets).map(Path::toAbsolutePath).toList()
                    + ": a scan of nothing proves nothing");
        }
        List<Hit> hits = files.stream().flatMap(file -> scan(file).stream()).toList();
        if (!hits.isEmpty()) {
            throw new AssertionError(hits.size() + " secrets in the logs of " + files.size() + " files:\n"
                    + String.join("\n", hits.stream().map(Hit::toString).toList()));
        }
    }

    static List<Path> logFiles(Path target) {
        if (!Files.isDirectory(target)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(target)) {
            return all.filter(Files::isRegularFile).filter(LogSecretScanner::isLog).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isLog(Path file) {
        String name = file.getFileName().toString();
        Path parent = file.getParent();
        boolean report = parent != null && parent.getFileName().toString().equals("surefire-reports")
                && (name.endsWith(".txt") || name.endsWith(".dumpstream") || name.endsWith(".dump"));
        return (report && !name.startsWith(OWN_REPORTS)) || name.endsWith(".log");
    }

    /** The hits of one line of {@code file}. */
    List<Hit> scan(Path file, int lineNumber, String line) {
        List<Hit> hits = new ArrayList<>();
        for (Shape shape : Shape.values()) {
            Matcher m = shape.pattern.matcher(line);
            if (m.find()) {
                hits.add(new Hit(file, lineNumber, shape.name(), mask(line, m.start("secret"), m.end("secret"))));
            }
        }
        for (String literal : literals) {
            int at = line.indexOf(literal);
            if (at >= 0) {
                hits.add(new Hit(file, lineNumber, "literal secret", mask(line, at, at + literal.length())));
            }
        }
        return hits;
    }

    /** The hits of every line of {@code file}; bytes that are not UTF-8 are read as replacement characters. */
    List<Hit> scan(Path file) {
        List<Hit> hits = new ArrayList<>();
        try (Stream<String> lines = new BufferedReader(new InputStreamReader(Files.newInputStream(file),
                StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                        .onUnmappableCharacter(CodingErrorAction.REPLACE))).lines()) {
            int[] number = {0};
            lines.forEach(line -> hits.addAll(scan(file, ++number[0], line)));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return hits;
    }

    /** The line with {@code [from, to)} replaced by {@code ***} (which this scanner passes), cut to a readable length. */
    private static String mask(String line, int from, int to) {
        String masked = line.substring(0, from) + "***" + line.substring(to);
        int start = Math.max(0, from - MAX_SHOWN_LINE / 2);
        String shown = masked.substring(start, Math.min(masked.length(), start + MAX_SHOWN_LINE));
        return (start > 0 ? "..." : "") + shown + (start + MAX_SHOWN_LINE < masked.length() ? "..." : "");
    }
}
