package io.cmkflow.health;

import io.cmkflow.dev.DevTemporal;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.testing.CmkStack;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The management port's health endpoints on the application's own wiring and the real Temporal server (the CLI's dev
 * server): readiness is UP with Temporal, Service Bus and the Azure side answering, turns DOWN naming Temporal once
 * the server is killed, while liveness (the process itself) stays UP, and is UP again once the server is back.
 */
class HealthEndpointTest {
    private static final int MANAGEMENT_PORT = FreePorts.next();

    @RegisterExtension
    static CmkStack stack = CmkStack.builder().temporalServer(DevTemporal::start)
            .property("micronaut.server.port", FreePorts.next())
            .property("endpoints.all.port", MANAGEMENT_PORT)
            .build();

    private final HttpClient http = HttpClient.newHttpClient();
    private final ObjectMapper json = new ObjectMapper();

    @Test
    void readinessFollowsTemporalWhileLivenessStaysUp() throws Exception {
        stack.app().getBean(EmbeddedServer.class).start();

        Probe ready = await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/readiness"), probe -> probe.status() == 200);
        assertThat(ready.body().path("status").asText()).isEqualTo("UP");
        JsonNode details = ready.body().path("details");
        assertThat(details.path("temporal").path("status").asText()).isEqualTo("UP");
        assertThat(details.path("temporal").path("details").path("address").asText()).isEqualTo(DevTemporal.devServer(stack).target());
        assertThat(details.path("serviceBus").path("status").asText()).isEqualTo("UP");
        assertThat(details.path("serviceBus").path("details").path("queue").asText()).isEqualTo(CmkStack.REQUESTS);
        // The configured credential got its token from the simulator's Entra-like token endpoint, as from Entra ID.
        assertThat(details.path("azureCredential").path("status").asText()).isEqualTo("UP");
        assertThat(details.path("azureCredential").path("details").path("tokenExpiresAt").asText()).isNotBlank();
        assertThat(details.path("azureCredential").path("details").path("resourceManager").asText())
                .isEqualTo(stack.arm().endpoint().toString());
        assertThat(get("/health").status()).isEqualTo(200);

        DevTemporal.devServer(stack).kill();

        Probe unready = await().atMost(Duration.ofSeconds(30)).until(() -> get("/health/readiness"), probe -> probe.status() == 503);
        assertThat(unready.body().path("status").asText()).isEqualTo("DOWN");
        assertThat(unready.body().path("details").path("temporal").path("status").asText()).isEqualTo("DOWN");
        assertThat(unready.body().path("details").path("temporal").path("details").path("error").asText()).startsWith("UNAVAILABLE");
        assertThat(unready.body().path("details").path("serviceBus").path("status").asText()).isEqualTo("UP");
        Probe live = get("/health/liveness");
        assertThat(live.status()).isEqualTo(200);
        assertThat(live.body().path("status").asText()).isEqualTo("UP");

        DevTemporal.devServer(stack).restart();

        Probe recovered = await().atMost(Duration.ofSeconds(60)).until(() -> get("/health/readiness"), probe -> probe.status() == 200);
        assertThat(recovered.body().path("details").path("temporal").path("status").asText()).isEqualTo("UP");
        assertThat(recovered.body().path("details").path("intake").path("details").path("circuit").asText()).isEqualTo("closed");
    }

    private Probe get(String path) throws IOException, InterruptedException {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + MANAGEMENT_PORT + path))
                .timeout(Duration.ofSeconds(20)).build(), HttpResponse.BodyHandlers.ofString());
        return new Probe(response.statusCode(), json.readTree(response.body()));
    }

    private record Probe(int status, JsonNode body) {
    }
}
