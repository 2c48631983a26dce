package io.cmkflow;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `cmkflow serve` from the built production jar cannot be switched into another mode by Micronaut's environment
 * variable: with MICRONAUT_ENVIRONMENTS naming dev or test (and every setting serve needs given, so only the
 * environment can stop it) it exits 1 naming the variable before any bean starts: no server, no role, no stand-in.
 */
class ServeEnvironmentIT {
    private static final Path JAR = Path.of("product", "target", "cmkflow.jar");

    @ParameterizedTest
    @ValueSource(strings = {"dev", "test", "dev,test"})
    void serveRefusesAMicronautEnvironmentAndStartsNothing(String environments) throws Exception {
        ProcessBuilder serve = new ProcessBuilder(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", JAR.toString(), "serve")).redirectErrorStream(true);
        serve.environment().putAll(Map.of(
                "MICRONAUT_ENVIRONMENTS", environments,
                "TEMPORAL_ADDRESS", "127.0.0.1:1",
                "SERVICEBUS_FULLY_QUALIFIED_NAMESPACE", "cmk-prod.servicebus.windows.net",
                "CMKFLOW_AZURE_SCOPE", "AzureCloud/72f988bf-86f1-41af-91ab-2d7cd011db47/00000000-1111-2222-3333-444444444444/rg-ml-*"));
        Process process = serve.start();
        String output;
        try {
            assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("serve exits").isTrue();
            output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            process.destroyForcibly();
        }

        assertThat(process.exitValue()).as(output).isEqualTo(Application.REFUSED);
        assertThat(output).contains("MICRONAUT_ENVIRONMENTS")
                .doesNotContain("cmkflow serving", "Startup completed", "stand-in", "ARM simulator", "Intake");
        for (String name : environments.split(",")) {
            assertThat(output).contains(name);
        }
    }
}
