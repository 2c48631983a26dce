package io.cmkflow.dev;

import io.cmkflow.testing.FreePorts;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * `cmkflow dev` serves the operator API on this machine's loopback, with a dev token of role operator that its banner
 * prints (as Vault's dev mode prints its root token), and without a token the API refuses.
 */
class DevModeApiTest {

    @TempDir
    Path state;

    @Test
    void devModeServesTheApiOnLoopbackWithThePrintedDevToken() throws Exception {
        int apiPort = FreePorts.next();
        Map<String, Object> ports = Map.of(
                "cmkflow.dev.service-bus-port", FreePorts.next(),
                "micronaut.server.port", apiPort,
                "endpoints.all.port", FreePorts.next());
        ByteArrayOutputStream printed = new ByteArrayOutputStream();
        PrintStream out = new PrintStream(printed, true, StandardCharsets.UTF_8);

        try (DevMode dev = DevMode.start(state, false, FreePorts.next(), FreePorts.next(), ports, out)) {
            URI api = dev.serveApi();
            dev.printBanner(out);

            assertThat(api).isEqualTo(URI.create("http://127.0.0.1:" + apiPort + "/api/"));
            assertThat(printed.toString(StandardCharsets.UTF_8)).contains(
                    "Operator API:          http://127.0.0.1:" + apiPort + "/api/runs",
                    "API token:             " + DevMode.DEV_TOKEN + "   <-- DEV ONLY: role operator");
            assertThat(status(api.resolve("runs?status=AwaitingOperator"), "GET", null)).isEqualTo(401);
            assertThat(status(api.resolve("runs?status=AwaitingOperator"), "GET", DevMode.DEV_TOKEN)).isEqualTo(200);
            // Role operator: an action reaches the run lookup (404 for a run that never existed), not 403.
            assertThat(status(api.resolve("runs/cmk-workspace/00000000-0000-4000-8000-000000000001/rg/ws/retry"), "POST",
                    DevMode.DEV_TOKEN)).isEqualTo(404);
        }
    }

    private static int status(URI uri, String method, String token) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).method(method, HttpRequest.BodyPublishers.noBody());
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return HttpClient.newHttpClient().send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
