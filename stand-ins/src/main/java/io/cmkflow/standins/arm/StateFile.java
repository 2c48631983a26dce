package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The file a simulator keeps its state in. A snapshot is written to a temporary file in the same folder and moved
 * over the old one atomically, so a process killed at any moment leaves the old snapshot or the new one, never half
 * of one. Nothing is synced to the disk: a killed process loses nothing the kernel has, a lost machine may.
 * <pre>{@code
 * {"format": "cmkflow-arm-simulator-state", "formatVersion": 1,
 *  "listeners": {"arm": PORT, "vaults": {"name": PORT}},   // ports preferred at the next start, nothing else
 *  "state": {...}}                                         // ArmState.export(), URLs as placeholders
 * }</pre>
 */
final class StateFile {
    static final String FORMAT = "cmkflow-arm-simulator-state";
    static final int FORMAT_VERSION = 1;

    private final Path file;
    private String lastWritten;

    StateFile(Path file) {
        this.file = file.toAbsolutePath();
    }

    Path path() {
        return file;
    }

    /** The snapshot in the file, or null when there is no file yet; refuses what it cannot read or another version. */
    ObjectNode read() {
        if (!Files.exists(file)) {
            return null;
        }
        JsonNode snapshot;
        try {
            snapshot = JsonDocuments.MAPPER.readTree(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            throw new IllegalStateException("cannot read the ARM simulator state file " + file + ": " + e.getMessage(),
                    e);
        }
        if (!(snapshot instanceof ObjectNode object) || !FORMAT.equals(JsonDocuments.text(snapshot, "format"))) {
            throw new IllegalStateException("the ARM simulator state file " + file + " is not one (no \"format\": \""
                    + FORMAT + "\"); move it away or delete it");
        }
        int version = snapshot.path("formatVersion").asInt(-1);
        if (version != FORMAT_VERSION) {
            throw new IllegalStateException("the ARM simulator state file " + file + " has format version " + version
                    + ", this simulator reads version " + FORMAT_VERSION + " only; move it away or delete it");
        }
        lastWritten = null;
        return object;
    }

    /** Writes {@code snapshot} unless it is what was last written; answers whether it wrote. */
    boolean write(String snapshot) throws IOException {
        if (snapshot.equals(lastWritten)) {
            return false;
        }
        Path folder = file.getParent();
        Files.createDirectories(folder);
        Path temp = Files.createTempFile(folder, file.getFileName() + ".", ".tmp");
        try {
            Files.writeString(temp, snapshot, StandardCharsets.UTF_8);
            Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(temp);
        }
        lastWritten = snapshot;
        return true;
    }
}
