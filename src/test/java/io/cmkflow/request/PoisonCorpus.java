package io.cmkflow.request;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The poison corpus of src/test/resources/poison: one bad message body per file, and manifest.tsv saying for each what
 * it exercises, the dead-letter reason and the field and rule the description names.
 */
final class PoisonCorpus {
    static final Path DIRECTORY = Path.of("src/test/resources/poison");
    static final Path MANIFEST = DIRECTORY.resolve("manifest.tsv");

    /** One line of the manifest. {@code field} is a JSON pointer, or {@code (message)} when no field is at fault. */
    record Entry(String file, String category, RejectionReason reason, String field, String rule, String exercises) {

        byte[] body() {
            try {
                return Files.readAllBytes(DIRECTORY.resolve(file));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        /** How the dead-letter description and the `rejected` event name the field and rule: "/key/size: enum: ...". */
        String fieldAndRule() {
            return field + ": " + rule + ": ";
        }

        @Override
        public String toString() {
            return file;
        }
    }

    private PoisonCorpus() {
    }

    static List<Entry> entries() {
        try {
            return Files.readAllLines(MANIFEST).stream().filter(line -> !line.startsWith("#") && !line.isBlank())
                    .map(line -> line.split("\t", -1))
                    .map(c -> new Entry(c[0], c[1], RejectionReason.valueOf(c[2]), c[3], c[4], c[5]))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
