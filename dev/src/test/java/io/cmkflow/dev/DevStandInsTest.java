package io.cmkflow.dev;

import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.JournalEntry;
import org.junit.jupiter.api.Test;

import com.azure.core.credential.TokenRequestContext;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/** Dev mode's simulator makes a missing resource group on the first write, so a submitted request runs. */
class DevStandInsTest {
    private static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";

    @Test
    void devModeSimulatorCreatesMissingResourceGroupsOnWrite() throws IOException, InterruptedException {
        DevSettings settings = new DevSettings(0, 0, Duration.ofMillis(50), null);
        try (ArmSimulator sim = new DevStandIns().armSimulator(settings)) {
            HttpClient http = HttpClient.newBuilder().sslContext(sim.sslContext()).build();
            assertThat(send(http, sim, "POST", "/subscriptions/" + SUBSCRIPTION
                    + "/providers/Microsoft.Storage/register?api-version=2025-04-01", null)).isEqualTo(200);
            // The provider answers one Registering read before it is Registered and accepts writes.
            send(http, sim, "GET", "/subscriptions/" + SUBSCRIPTION
                    + "/providers/Microsoft.Storage?api-version=2025-04-01", null);

            int status = send(http, sim, "PUT", "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-submitted"
                    + "/providers/Microsoft.Storage/storageAccounts/stsubmitted01?api-version=2025-01-01",
                    "{\"location\":\"westeurope\",\"sku\":{\"name\":\"Standard_LRS\"},\"kind\":\"StorageV2\"}");

            assertThat(status).isBetween(200, 202);
            assertThat(sim.state().resourceGroup(SUBSCRIPTION, "rg-submitted"))
                    .hasValueSatisfying(g -> assertThat(g.location()).isEqualTo("westeurope"));
            assertThat(sim.journal().writes()).extracting(JournalEntry::operation)
                    .containsSubsequence("ResourceGroups_AutoCreate", "StorageAccounts_Create");
        }
    }

    private static int send(HttpClient http, ArmSimulator sim, String method, String pathAndQuery, String body)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sim.endpoint() + pathAndQuery.substring(1)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body))
                .header("Authorization", "Bearer " + sim.credential().getTokenSync(
                        new TokenRequestContext().addScopes("https://management.azure.com/.default")).getToken())
                .header("Content-Type", "application/json")
                .build();
        return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
    }
}
