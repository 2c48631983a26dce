package io.cmkflow.azure;

import io.cmkflow.testing.TestRequests;
import io.cmkflow.contract.AzureCloud;
import com.azure.resourcemanager.AzureResourceManager;
import io.cmkflow.contract.CmkRequest;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Cloud selection and client caching; building a client sends nothing, so the real clouds can be checked offline. */
class AzureClientsTest {

    private final AzureClients real = new AzureClients(ArmConnection.publicClouds());

    @Test
    void theRequestsCloudChoosesTheArmEndpoint() {
        CmkRequest publicCloud = TestRequests.request("pub");
        CmkRequest government = TestRequests.copy(TestRequests.request("gov")).cloud(CmkRequest.AZURE_US_GOVERNMENT).build();

        assertThat(endpoint(real.forRequest(publicCloud))).isEqualTo("https://management.azure.com/");
        assertThat(endpoint(real.forRequest(government))).isEqualTo("https://management.usgovcloudapi.net/");
    }

    @Test
    void clientsAreCachedPerCloudTenantAndSubscription() {
        AzureResourceManager first = real.resourceManager(AzureCloud.PUBLIC, TestRequests.TENANT, TestRequests.SUBSCRIPTION);

        assertThat(real.resourceManager(AzureCloud.PUBLIC, TestRequests.TENANT, TestRequests.SUBSCRIPTION)).isSameAs(first);
        assertThat(real.resourceManager(AzureCloud.PUBLIC, TestRequests.TENANT, TestRequests.OTHER_SUBSCRIPTION)).isNotSameAs(first);
        assertThat(real.resourceManager(AzureCloud.US_GOVERNMENT, TestRequests.TENANT, TestRequests.SUBSCRIPTION)).isNotSameAs(first);
        assertThat(real.resourceManager(AzureCloud.PUBLIC, TestRequests.TENANT, TestRequests.OTHER_SUBSCRIPTION).subscriptionId())
                .isEqualTo(TestRequests.OTHER_SUBSCRIPTION);
    }

    @Test
    void theCosmosDbApplicationAndGraphFollowTheCloud() {
        assertThat(AzureCloud.byName(CmkRequest.AZURE_CLOUD).cosmosDbApplicationId()).isEqualTo("a232010e-820c-4083-83bb-3ace5fc29d0b");
        assertThat(AzureCloud.byName(CmkRequest.AZURE_US_GOVERNMENT).cosmosDbApplicationId()).isEqualTo("57506a73-e302-42a9-b869-6f12d9ec29e9");
        assertThat(AzureCloud.byName(null)).isEqualTo(AzureCloud.PUBLIC);
        // The SDK's Graph client (Cosmos DB's service principal lookup) uses the environment's Graph endpoint.
        for (AzureCloud cloud : AzureCloud.values()) {
            assertThat(cloud.environment().getMicrosoftGraphEndpoint()).isEqualTo(cloud.graphEndpoint() + "/");
        }
        assertThat(AzureCloud.US_GOVERNMENT.graphEndpoint()).isEqualTo("https://graph.microsoft.us");
    }

    private static String endpoint(AzureResourceManager arm) {
        return arm.genericResources().manager().environment().getResourceManagerEndpoint();
    }
}
