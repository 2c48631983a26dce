package io.cmkflow.cluster;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Compose's {@code postgresql} service from Debian's PostgreSQL packages: a fresh cluster whose superuser and password
 * are the service's {@code POSTGRES_USER} and {@code POSTGRES_PASSWORD} (as the postgres image's entrypoint makes
 * them), listening on loopback only. PostgreSQL refuses to run as root, so as root it runs as Debian's {@code postgres}
 * user ({@code setpriv}, which execs: the process the harness holds is the postmaster itself).
 */
final class PostgresServer implements AutoCloseable {
    private static final Path DEBIAN_VERSIONS = Path.of("/usr/lib/postgresql");

    private final Path bin;
    private final Path data;
    private final int port;
    private final LocalProcess postmaster;

    private PostgresServer(Path bin, Path data, int port, LocalProcess postmaster) {
        this.bin = bin;
        this.data = data;
        this.port = port;
        this.postmaster = postmaster;
    }

    static PostgresServer start(ComposeFile.Service service, Path dir, int port) {
        Path bin = binaries();
        String user = service.environment().get("POSTGRES_USER");
        String password = service.environment().get("POSTGRES_PASSWORD");
        try {
            Files.createDirectories(dir);
            Path passwordFile = Files.writeString(dir.resolve("password"), password);
            Path data = dir.resolve("data");
            runAsOwner(dir);
            LocalProcess.run("initdb", asPostgres(List.of(bin.resolve("initdb").toString(), "-D", data.toString(),
                            "-U", user, "--pwfile=" + passwordFile, "--auth-local=trust", "--auth-host=scram-sha-256",
                            "--encoding=UTF8", "--no-instructions")),
                    Map.of("PATH", System.getenv("PATH"), "LANG", "C.UTF-8"), dir, dir.resolve("initdb.log"),
                    Duration.ofMinutes(2));
            // Temporal's services each open up to 20 + 10 connections (SQL_MAX_CONNS, SQL_VIS_MAX_CONNS).
            LocalProcess postmaster = LocalProcess.start("postgresql", asPostgres(List.of(bin.resolve("postgres").toString(),
                            "-D", data.toString(), "-p", String.valueOf(port),
                            // TCP on loopback only; no Unix socket (its path under target/ would be too long).
                            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", "max_connections=300")),
                    Map.of("PATH", System.getenv("PATH"), "LANG", "C.UTF-8"), dir, dir.resolve("postgresql.log"));
            PostgresServer server = new PostgresServer(bin, data, port, postmaster);
            // Compose's health check for the service: pg_isready -U <user>.
            postmaster.awaitReady("pg_isready", Duration.ofSeconds(60), () -> server.isReady(user));
            return server;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    int port() {
        return port;
    }

    private boolean isReady(String user) {
        try {
            Process check = new ProcessBuilder(bin.resolve("pg_isready").toString(), "-h", "127.0.0.1",
                    "-p", String.valueOf(port), "-U", user).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return check.waitFor() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The newest PostgreSQL Debian installed ({@code /usr/lib/postgresql/<major>/bin}). */
    private static Path binaries() {
        try (Stream<Path> versions = Files.list(DEBIAN_VERSIONS)) {
            return versions.filter(v -> Files.isExecutable(v.resolve("bin").resolve("postgres")))
                    .max(Comparator.comparingInt(v -> Integer.parseInt(v.getFileName().toString())))
                    .map(v -> v.resolve("bin"))
                    .orElseThrow(() -> new AssertionError("no PostgreSQL under " + DEBIAN_VERSIONS + " (./test installs Debian's postgresql)"));
        } catch (IOException e) {
            throw new AssertionError("no PostgreSQL under " + DEBIAN_VERSIONS + " (./test installs Debian's postgresql)", e);
        }
    }

    private static boolean root() {
        return "root".equals(System.getProperty("user.name"));
    }

    private static List<String> asPostgres(List<String> command) {
        if (!root()) {
            return command;
        }
        List<String> wrapped = new ArrayList<>(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
        wrapped.addAll(command);
        return wrapped;
    }

    private static void runAsOwner(Path dir) {
        if (root()) {
            LocalProcess.run("chown", List.of("chown", "-R", "postgres:postgres", dir.toString()),
                    Map.of("PATH", System.getenv("PATH")), dir, dir.resolve("chown.log"), Duration.ofSeconds(30));
        }
    }

    /** A fast shutdown (rolls back open transactions, as {@code docker compose down} stops the container). */
    @Override
    public void close() {
        if (postmaster.alive()) {
            try {
                LocalProcess.run("pg_ctl stop", asPostgres(List.of(bin.resolve("pg_ctl").toString(), "stop", "-D",
                                data.toString(), "-m", "fast", "-w")), Map.of("PATH", System.getenv("PATH")),
                        data.getParent(), data.getParent().resolve("pg_ctl.log"), Duration.ofSeconds(60));
            } finally {
                postmaster.close();
            }
        }
    }
}
