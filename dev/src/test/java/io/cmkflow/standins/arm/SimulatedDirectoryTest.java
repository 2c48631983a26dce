package io.cmkflow.standins.arm;

import io.cmkflow.contract.AzureCloud;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.authorization.models.ServicePrincipal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Microsoft Graph's service principals as the SDK reads them from the simulator: per tenant, never the app id. */
class SimulatedDirectoryTest {
    private static final String OTHER_TENANT = "3c4d5e6f-7081-4293-a4b5-c6d7e8f90a1b";
    private static final String EMPTY_TENANT = "4d5e6f70-8192-43a4-b5c6-d7e8f90a1b2c";
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner())
            .arm(ArmSimulatorOptions.defaults().withoutCosmosDbPrincipalIn(EMPTY_TENANT)).resetBeforeEach().build();

    private static AzureResourceManager signedInTo(String tenant) {
        return AzureResourceManager.configure().withHttpClient(session.arm().httpClient())
                .authenticate(SimulatedDirectory.credential(tenant), session.arm().profile(tenant, SUBSCRIPTION))
                .withSubscription(SUBSCRIPTION);
    }

    private static List<ServicePrincipal> cosmosDbIn(String tenant, AzureCloud cloud) {
        return signedInTo(tenant).accessManagement().servicePrincipals()
                .listByFilter("appId eq '" + cloud.cosmosDbApplicationId() + "'").stream().toList();
    }

    @Test
    void cosmosDbsServicePrincipalHasAnObjectIdOfItsOwnInEachTenant() {
        ServicePrincipal home = cosmosDbIn(TestRequests.TENANT, AzureCloud.PUBLIC).get(0);
        ServicePrincipal other = cosmosDbIn(OTHER_TENANT, AzureCloud.PUBLIC).get(0);
        ServicePrincipal government = cosmosDbIn(TestRequests.TENANT, AzureCloud.US_GOVERNMENT).get(0);

        assertThat(home.applicationId()).isEqualTo(AzureCloud.PUBLIC.cosmosDbApplicationId());
        assertThat(home.id()).isEqualTo(SimulatedDirectory.cosmosDbObjectId(TestRequests.TENANT))
                .isNotEqualTo(home.applicationId()).isNotEqualTo(other.id()).isNotEqualTo(government.id());
        assertThat(home.name()).isEqualTo("Azure Cosmos DB");
        assertThat(session.arm().journal().byOperation("Graph_ListServicePrincipals")).hasSize(3)
                .allSatisfy(e -> assertThat(e.path()).isEqualTo("/v1.0/servicePrincipals"));
    }

    @Test
    void aTenantWithoutCosmosDbListsNothing_andAnUnknownApplicationIsNotFound() {
        assertThat(cosmosDbIn(EMPTY_TENANT, AzureCloud.PUBLIC)).isEmpty();
        assertThat(signedInTo(TestRequests.TENANT).accessManagement().servicePrincipals()
                .listByFilter("appId eq '00000000-1111-2222-3333-444444444444'").stream().toList()).isEmpty();
        assertThatThrownBy(() -> signedInTo(TestRequests.TENANT).accessManagement().servicePrincipals()
                .getById(AzureCloud.PUBLIC.cosmosDbApplicationId()))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(404));
    }

    @Test
    void graphsAppIdKeyAnswersTheSamePrincipal_andATokenWithoutTenantIsRefused() throws Exception {
        HttpClient http = HttpClient.newBuilder().sslContext(session.arm().sslContext()).build();
        URI byAppId = URI.create(session.arm().endpoint() + "v1.0/servicePrincipals(appId='"
                + AzureCloud.PUBLIC.cosmosDbApplicationId() + "')");

        HttpResponse<String> found = http.send(HttpRequest.newBuilder(byAppId).header("Authorization", "Bearer "
                + SimulatedDirectory.token(OTHER_TENANT, SimulatedDirectory.CALLER_OBJECT_ID)).build(),
                HttpResponse.BodyHandlers.ofString());
        HttpResponse<String> anonymousTenant = http.send(HttpRequest.newBuilder(byAppId).header("Authorization",
                "Bearer " + SimulatedDirectory.token(null, SimulatedDirectory.CALLER_OBJECT_ID)).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(found.statusCode()).isEqualTo(200);
        assertThat(JsonDocuments.MAPPER.readTree(found.body()).path("id").asText())
                .isEqualTo(SimulatedDirectory.cosmosDbObjectId(OTHER_TENANT));
        assertThat(anonymousTenant.statusCode()).isEqualTo(401);
        assertThat(anonymousTenant.body()).contains("InvalidAuthenticationToken");
    }
}
