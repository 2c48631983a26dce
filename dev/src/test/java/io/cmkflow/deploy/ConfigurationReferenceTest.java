package io.cmkflow.deploy;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * README's configuration table is the one {@link ConfigurationReference} generates from the code. Regenerate it with
 * {@code mvn -B -q test -Dtest=ConfigurationReferenceTest -Dcmkflow.docs.write=true}.
 */
class ConfigurationReferenceTest {
    private static final Path README = Path.of("README.md");
    private static final String START = "<!-- configuration-reference:start (generated: ConfigurationReferenceTest) -->\n";
    private static final String END = "<!-- configuration-reference:end -->";

    @Test
    void readmeListsEverySettingTheCodeReads() throws IOException {
        String readme = Files.readString(README);
        int start = readme.indexOf(START);
        int end = readme.indexOf(END);
        assertThat(start).as("README marks its configuration table with " + START.trim()).isNotNegative();
        String generated = ConfigurationReference.table();
        if (Boolean.getBoolean("cmkflow.docs.write")) {
            Files.writeString(README, readme.substring(0, start + START.length()) + generated + readme.substring(end));
            readme = Files.readString(README);
        }
        assertThat(readme.substring(start + START.length(), readme.indexOf(END)))
                .as("README's configuration table; regenerate: mvn -B -q test -Dtest=ConfigurationReferenceTest -Dcmkflow.docs.write=true")
                .isEqualTo(generated);
        assertThat(ConfigurationReference.settings()).containsKeys("cmkflow.temporal.address", "cmkflow.servicebus.connection-string",
                "cmkflow.azure.arm-endpoint", "cmkflow.dev.arm-port", "cmkflow.worker.enabled", "cmkflow.intake.enabled", "endpoints.all.port");
    }
}
