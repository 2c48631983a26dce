package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

import javax.net.ssl.SSLSocket;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;

/** What the simulator answers on the wire, checked with a plain HTTP client (no SDK retries in the way). */
class WireContractTest {
    static ArmSimulator sim;
    static HttpClient http;
    static final ObjectMapper JSON = new ObjectMapper();

    @BeforeAll
    static void start() {
        sim = ArmSimulator.start(ArmSimulatorOptions.defaults());
        sim.state().resourceGroup(SUBSCRIPTION, "rg-wire", "westeurope");
        sim.state().registerProviders(SUBSCRIPTION, "microsoft.insights");
        http = HttpClient.newBuilder().sslContext(sim.sslContext()).version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void reset() {
        sim.journal().clear();
        sim.throttling().disable();
        sim.faults().clear();
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String body, boolean bearer)
            throws Exception {
        HttpRequest.Builder builder = HttpRequest.newBuilder(URI.create(sim.endpoint() + pathAndQuery.substring(1)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        if (bearer) {
            builder.header("Authorization", "Bearer " + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT, SimulatedDirectory.CALLER_OBJECT_ID));
        }
        return http.send(builder.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static JsonNode json(HttpResponse<String> response) throws IOException {
        return JSON.readTree(response.body());
    }

    @Test
    void everyAnswerCarriesRequestIdAndRateLimitHeaders() throws Exception {
        HttpResponse<String> read = send("GET", "/subscriptions/" + SUBSCRIPTION + "/resourcegroups/rg-wire"
                + "?api-version=2025-04-01", null, true);
        HttpResponse<String> write = send("PUT", "/subscriptions/" + SUBSCRIPTION + "/resourcegroups/rg-wire2"
                + "?api-version=2025-04-01", "{\"location\":\"westeurope\"}", true);

        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.headers().firstValue("x-ms-request-id")).isPresent();
        assertThat(read.headers().firstValue("x-ms-ratelimit-remaining-subscription-reads")).isPresent();
        assertThat(write.statusCode()).isEqualTo(201);
        assertThat(write.headers().firstValue("x-ms-ratelimit-remaining-subscription-writes")).isPresent();
        assertThat(json(read).path("id").asText()).isEqualTo("/subscriptions/" + SUBSCRIPTION
                + "/resourceGroups/rg-wire");
    }

    @Test
    void aStorageAccountCreateIsLongRunningAsInAzure() throws Exception {
        sim.state().registerProviders(SUBSCRIPTION, "Microsoft.Storage");
        HttpResponse<String> accepted = send("PUT", "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-wire/providers"
                + "/Microsoft.Storage/storageAccounts/stwirelro?api-version=2023-05-01", "{\"location\":\"westeurope\","
                + "\"kind\":\"StorageV2\",\"sku\":{\"name\":\"Standard_LRS\"}}", true);

        assertThat(accepted.statusCode()).isEqualTo(202);
        String location = accepted.headers().firstValue("Location").orElseThrow();
        assertThat(location).contains("/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.Storage/locations/westeurope/asyncoperations/");
        String poll = location.substring(sim.endpoint().toString().length() - 1);
        HttpResponse<String> creating = send("GET", poll, null, true);
        HttpResponse<String> done = send("GET", poll, null, true);

        assertThat(creating.statusCode()).isEqualTo(202);
        assertThat(done.statusCode()).isEqualTo(200);
        assertThat(json(done).path("name").asText()).isEqualTo("stwirelro");
        assertThat(sim.journal().byOperation("StorageAccounts_GetCreateOperation"))
                .allSatisfy(call -> assertThat(call.actions()).containsExactly("Microsoft.Storage/locations/asyncoperations/read"));
    }

    @Test
    void requestsWithoutBearerTokenAreInvalidAuthentication() throws Exception {
        HttpResponse<String> response = send("GET", "/subscriptions/" + SUBSCRIPTION + "/resourcegroups/rg-wire"
                + "?api-version=2025-04-01", null, false);

        assertThat(response.statusCode()).isEqualTo(401);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("AuthenticationFailed");
        assertThat(response.headers().firstValue("WWW-Authenticate")).get().asString().startsWith("Bearer ");
        assertThat(sim.journal().entries()).singleElement()
                .satisfies(e -> assertThat(e.errorCode()).isEqualTo("AuthenticationFailed"));
    }

    @Test
    void doubleSlashesAndLowerCaseKeywordsAreNormalised() throws Exception {
        // java.net.http refuses "//" at the start of a path, so the request line is written by hand.
        String target = "//subscriptions/" + SUBSCRIPTION + "/resourcegroups/rg-wire/providers/"
                + "microsoft.insights//components/ai-wire?api-version=2020-02-02";
        String body = "{\"location\":\"westeurope\",\"kind\":\"web\",\"properties\":{\"Application_Type\":\"web\"}}";
        int status = rawRequest("PUT", target, body);

        assertThat(status).isEqualTo(201);
        JournalEntry entry = sim.journal().entries().get(0);
        assertThat(entry.path()).isEqualTo("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-wire/providers/"
                + "microsoft.insights/components/ai-wire");
        assertThat(entry.operation()).isEqualTo("Components_CreateOrUpdate");
        assertThat(sim.state().applicationInsights()).singleElement().satisfies(c -> {
            assertThat(c.name()).isEqualTo("ai-wire");
            assertThat(c.document().path("properties").path("InstrumentationKey").asText()).isNotBlank();
        });
    }

    @Test
    void writesIntoAnUnregisteredNamespaceAreMissingSubscriptionRegistration() throws Exception {
        sim.state().unregisterProvider(SUBSCRIPTION, "Microsoft.Storage");
        HttpResponse<String> response = send("PUT", "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-wire"
                + "/providers/Microsoft.Storage/storageAccounts/stunregistered?api-version=2025-01-01",
                "{\"location\":\"westeurope\"}", true);

        assertThat(response.statusCode()).isEqualTo(409);
        assertThat(json(response).path("error").path("code").asText()).isEqualTo("MissingSubscriptionRegistration");
        assertThat(json(response).path("error").path("message").asText()).contains("'Microsoft.Storage'");
        assertThat(sim.state().storageAccounts()).isEmpty();
    }

    private static int rawRequest(String method, String target, String body) throws IOException {
        try (Socket plain = new Socket("localhost", sim.endpoint().getPort());
             SSLSocket socket = (SSLSocket) sim.sslContext().getSocketFactory()
                     .createSocket(plain, "localhost", sim.endpoint().getPort(), true)) {
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            String head = method + " " + target + " HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer "
                    + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT, SimulatedDirectory.CALLER_OBJECT_ID) + "\r\n"
                    + "Content-Type: application/json\r\nContent-Length: " + bytes.length + "\r\nConnection: close\r\n\r\n";
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = socket.getInputStream();
            String statusLine = new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().findFirst().orElseThrow();
            return Integer.parseInt(statusLine.split(" ")[1]);
        }
    }

    @Test
    void unknownRoutesAreAnsweredWithAnErrorAndJournaledAsUnhandled() throws Exception {
        HttpResponse<String> response = send("GET", "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.Compute"
                + "/locations/westeurope/usages?api-version=2024-01-01", null, true);

        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(json(response).path("error").path("code").asText()).isNotBlank();
        assertThat(sim.journal().unhandled()).singleElement()
                .satisfies(e -> assertThat(e.path()).endsWith("/usages"));
    }

    @Test
    void throttledRequestsGet429WithRetryAfter() throws Exception {
        sim.throttling().enable(new Throttling.Limits(2, 0.2, 100, 10));
        String path = "/subscriptions/" + SUBSCRIPTION + "/resourcegroups/rg-throttled?api-version=2025-04-01";

        int first = send("PUT", path, "{\"location\":\"westeurope\"}", true).statusCode();
        HttpResponse<String> second = send("PUT", path, "{\"location\":\"westeurope\"}", true);
        HttpResponse<String> third = send("PUT", path, "{\"location\":\"westeurope\"}", true);
        HttpResponse<String> read = send("GET", path, null, true);

        assertThat(first).isEqualTo(201);
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("x-ms-ratelimit-remaining-subscription-writes")).contains("0");
        assertThat(third.statusCode()).isEqualTo(429);
        assertThat(third.headers().firstValue("Retry-After")).get().satisfies(
                v -> assertThat(Integer.parseInt(v)).isBetween(1, 5));
        assertThat(json(third).path("error").path("code").asText()).isEqualTo("TooManyRequests");
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(sim.journal().byOperation("ResourceGroups_CreateOrUpdate")).extracting(JournalEntry::status)
                .containsExactly(201, 200, 429);
    }

    @Test
    void faultsAnswerInPlaceOfTheOperationForTheGivenNumberOfTimes() throws Exception {
        sim.faults().inject(FaultRule.forOperation("ResourceGroups_Get").resourceName("rg-wire").status(503)
                .code("ServiceUnavailable").message("try later").times(2).retryAfterSeconds(7));
        String path = "/subscriptions/" + SUBSCRIPTION + "/resourcegroups/rg-wire?api-version=2025-04-01";
        String otherPath = "/subscriptions/" + SUBSCRIPTION + "/resourcegroups/rg-wire2?api-version=2025-04-01";

        HttpResponse<String> first = send("GET", path, null, true);
        int other = send("GET", otherPath, null, true).statusCode();
        int second = send("GET", path, null, true).statusCode();
        int third = send("GET", path, null, true).statusCode();

        assertThat(first.statusCode()).isEqualTo(503);
        assertThat(first.headers().firstValue("Retry-After")).contains("7");
        assertThat(json(first).path("error").path("message").asText()).isEqualTo("try later");
        assertThat(other).isNotEqualTo(503);
        assertThat(second).isEqualTo(503);
        assertThat(third).isEqualTo(200);
        assertThat(sim.faults().pending()).isZero();
    }
}
