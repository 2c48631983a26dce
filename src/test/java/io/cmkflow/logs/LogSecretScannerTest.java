package io.cmkflow.logs;

import io.cmkflow.testing.TestSecrets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The log secret scan's detection, on synthetic lines and folders. */
class LogSecretScannerTest {
    private static final Path LOG = Path.of("target/surefire-reports/Some-output.txt");
    private final LogSecretScanner scanner = new LogSecretScanner(TestSecrets.all());

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "SHARED_ACCESS_KEY|connection string: Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=k3y+Value/x=;UseDevelopmentEmulator=true;|k3y+Value/x=",
            "SAS_TOKEN|put-token SharedAccessSignature sr=amqp%3A%2F%2Flocalhost%2Fcmk-requests&sig=Zm9vYmFyYmF6%3D&se=1700000000&skn=Root|Zm9vYmFyYmF6%3D",
            "BEARER_TOKEN|> Authorization: Bearer 0123456789abcdefABCDEF.xyz|0123456789abcdefABCDEF.xyz",
            "JWT|token eyJhbGciOiJub25lIn0.eyJvaWQiOiIxMjM0NTYifQ. for the simulator|eyJhbGciOiJub25lIn0.eyJvaWQiOiIxMjM0NTYifQ.",
            "CLIENT_SECRET|env AZURE_CLIENT_SECRET=Q~abc.def-ghi|Q~abc.def-ghi",
            "CLIENT_SECRET|POST /token client_secret=xyz123abc&grant_type=client_credentials|xyz123abc",
            "API_KEY|TEMPORAL_API_KEY=tmprl_abcdefgh12345|tmprl_abcdefgh12345",
            "literal secret|calling the API with token operator-token-7f3a9c as alice|operator-token-7f3a9c",
            "literal secret|the stand-in's key SAS_KEY_VALUE in a line|SAS_KEY_VALUE"})
    void aSecretIsFoundAndMaskedInTheReport(String kind, String line, String secret) {
        List<LogSecretScanner.Hit> hits = scanner.scan(LOG, 7, line);

        assertThat(hits).extracting(LogSecretScanner.Hit::kind).contains(kind);
        assertThat(hits).allSatisfy(hit -> {
            assertThat(hit.toString()).startsWith(LOG + ":7: ").doesNotContain(secret).contains("***");
            assertThat(scanner.scan(LOG, 7, hit.maskedLine())).as("the report itself").isEmpty();
        });
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(strings = {
            "Service Bus: Endpoint=sb://localhost:5672;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=***;UseDevelopmentEmulator=true;",
            "Authorization: REDACTED",
            "> Authorization: Bearer ***",
            "401: Bearer token missing",
            "WWW-Authenticate: Bearer realm=\"cmkflow\"",
            "clientSecret=null",
            "  API token:             cmkflow-dev   <-- DEV ONLY: dev mode's fixed token, printed on purpose",
            "the AZURE_CLIENT_SECRET variable is not set",
            "message poison-binary-connection-string.txt rejected: MalformedJson: (message): json: not valid JSON: Unrecognized token 'Endpoint'"})
    void aLineWithoutASecretOrWithItMaskedPasses(String line) {
        assertThat(scanner.scan(LOG, 1, line)).isEmpty();
    }

    @Test
    void aFolderWithoutLogFilesFailsTheScan(@TempDir Path target) throws IOException {
        Files.createDirectories(target.resolve("classes"));
        Files.writeString(target.resolve("classes/application.yml"), "x: 1");

        assertThatThrownBy(() -> scanner.assertNoSecretIn(target)).isInstanceOf(AssertionError.class).hasMessageContaining("no log files");
        assertThatThrownBy(() -> scanner.assertNoSecretIn(target.resolve("missing"))).isInstanceOf(AssertionError.class);
    }

    @Test
    void theScanNamesEachHitByFileAndLineAndPassesCleanLogs(@TempDir Path target) throws IOException {
        Path reports = Files.createDirectories(target.resolve("surefire-reports"));
        Files.writeString(reports.resolve("io.cmkflow.SomeTest-output.txt"), "started\nAuthorization: REDACTED\n");
        Path devServer = Files.createDirectories(target.resolve("temporal-dev-server/1"));
        Files.writeString(devServer.resolve("temporal-server.log"), "ready\n");

        scanner.assertNoSecretIn(target);

        Files.writeString(devServer.resolve("temporal-server.log"), "ready\nkey SharedAccessKey=s3cr3tKeyValue;\n");
        assertThatThrownBy(() -> scanner.assertNoSecretIn(target)).isInstanceOf(AssertionError.class)
                .hasMessageContaining(devServer.resolve("temporal-server.log") + ":2: SHARED_ACCESS_KEY: key SharedAccessKey=***;")
                .hasMessageNotContaining("s3cr3tKeyValue");
    }
}
