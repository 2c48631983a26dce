package io.cmkflow.dev;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The Temporal CLI run as a child process against one server ({@code --address} appended); {@link DevTemporal#temporalCli()}. */
public final class TemporalCliRunner {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path binary;
    private final String address;

    public TemporalCliRunner(Path binary, String address) {
        this.binary = binary;
        this.address = address;
    }

    /** What {@code temporal ARGS --address <server>} printed (stdout, stderr), and its exit code. */
    public record CliResult(int exitCode, String stdout, String stderr) {
        public JsonNode json() {
            try {
                return JSON.readTree(stdout);
            } catch (IOException e) {
                throw new AssertionError("not JSON (exit " + exitCode + ", stderr " + stderr + "): " + stdout, e);
            }
        }
    }

    /** Runs {@code temporal ARGS --address <server>}, waiting up to 60 s. */
    public CliResult run(String... args) {
        List<String> command = new ArrayList<>();
        command.add(binary.toString());
        command.addAll(List.of(args));
        command.addAll(List.of("--address", address));
        try {
            Path out = Files.createTempFile("temporal-cli", ".out");
            Path err = Files.createTempFile("temporal-cli", ".err");
            Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
            process.getOutputStream().close();
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + command);
            }
            CliResult result = new CliResult(process.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                    Files.readString(err, StandardCharsets.UTF_8));
            Files.deleteIfExists(out);
            Files.deleteIfExists(err);
            return result;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + command, e);
        }
    }
}
