package io.cmkflow.logs;

import io.cmkflow.testing.TestSecrets;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * Issue 12: no secret (SAS key, connection string, bearer token, JWT, API key, client secret, or a value the tests
 * configure, {@link TestSecrets}) in any log line of the test run. pom.xml's surefire execution {@code log-secret-scan}
 * runs this class alone after every other class of {@code mvn test}; a run with {@code -Dtest=...} skips it unless it
 * names it. See {@link LogSecretScanner} for what is scanned.
 */
class LogSecretScanTest {

    @Test
    void noLogLineOfTheTestRunHoldsASecret() {
        new LogSecretScanner(TestSecrets.all()).assertNoSecretIn(Path.of("target"));
    }
}
