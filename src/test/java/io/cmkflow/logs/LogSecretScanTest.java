package io.cmkflow.logs;

import io.cmkflow.testing.TestSecrets;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;

/**
 * Issue 12: no secret (SAS key, connection string, bearer token, JWT, API key, client secret, or a value the tests
 * configure, {@link TestSecrets}) in any log line of the test run: the root's target/ (where every module's tests
 * write, running in the root) and each module's (its surefire reports). The product's and the dev module's surefire
 * execution {@code log-secret-scan} runs this class alone after every other class of their {@code mvn test}, the dev
 * module's last of all; a run with {@code -Dtest=...} skips it unless it names it. See {@link LogSecretScanner} for
 * what is scanned.
 */
class LogSecretScanTest {

    @Test
    void noLogLineOfTheTestRunHoldsASecret() {
        new LogSecretScanner(TestSecrets.all()).assertNoSecretIn(Path.of("target"), Path.of("stand-ins", "target"),
                Path.of("product", "target"), Path.of("dev", "target"));
    }
}
