package io.cmkflow.standins.arm;

import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.azure.core.management.Region;
import com.azure.resourcemanager.resources.models.GenericResource;
import com.azure.resourcemanager.storage.models.StorageAccount;
import com.azure.resourcemanager.storage.models.StorageAccountSkuType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;

class StorageAndInsightsTest {
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();

    @BeforeAll
    static void seed() {
        session.arm().state().resourceGroup(SUBSCRIPTION, "rg-assoc", "westeurope");
    }

    @Test
    void storageAccountRoundTripThroughTheStorageModule() {
        boolean available = session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().checkNameAvailability("stcmkflow01").isAvailable();
        StorageAccount account = session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().define("stcmkflow01")
                .withRegion(Region.EUROPE_WEST).withExistingResourceGroup("rg-assoc")
                .withSku(StorageAccountSkuType.STANDARD_LRS).withGeneralPurposeAccountKindV2()
                .withOnlyHttpsTraffic().withTag("cmkflow-request-id", "r-9").create();

        assertThat(available).isTrue();
        assertThat(account.id()).isEqualTo("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-assoc/providers/"
                + "Microsoft.Storage/storageAccounts/stcmkflow01");
        assertThat(account.tags()).containsEntry("cmkflow-request-id", "r-9");
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().checkNameAvailability("stcmkflow01").isAvailable()).isFalse();
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().getById(account.id()).name()).isEqualTo("stcmkflow01");
        assertThat(session.arm().state().storageAccounts()).extracting(ArmState.ResourceView::name)
                .contains("stcmkflow01");

        session.resourceManager(TestRequests.SUBSCRIPTION).storageAccounts().deleteById(account.id());
        assertThat(session.arm().state().storageAccounts()).extracting(ArmState.ResourceView::name)
                .doesNotContain("stcmkflow01");
        assertThat(session.arm().journal().unhandled()).isEmpty();
        assertThat(session.arm().journal().byOperation("StorageAccounts_Create")).isNotEmpty();
    }

    @Test
    void applicationInsightsThroughGenericResources() {
        GenericResource component = session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().define("ai-cmkflow")
                .withRegion(Region.EUROPE_WEST).withExistingResourceGroup("rg-assoc")
                .withResourceType("components").withProviderNamespace("microsoft.insights")
                .withoutPlan().withApiVersion("2020-02-02").withKind("web")
                .withProperties(Map.of("Application_Type", "web")).create();

        assertThat(component.id()).isEqualTo("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-assoc/providers/"
                + "microsoft.insights/components/ai-cmkflow");
        @SuppressWarnings("unchecked")
        Map<String, Object> props = (Map<String, Object>) component.properties();
        assertThat(props).containsKey("InstrumentationKey");
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().getById(component.id()).name()).isEqualTo("ai-cmkflow");
        assertThat(session.arm().state().applicationInsights()).extracting(ArmState.ResourceView::name)
                .contains("ai-cmkflow");
        assertThat(session.arm().journal().byOperation("Components_CreateOrUpdate")).isNotEmpty();
        assertThat(session.arm().journal().byOperation("Providers_Get")).as("api-version looked up for getById")
                .isNotEmpty();

        session.resourceManager(TestRequests.SUBSCRIPTION).genericResources().deleteById(component.id(), "2020-02-02");
        assertThat(session.arm().state().applicationInsights()).extracting(ArmState.ResourceView::name)
                .doesNotContain("ai-cmkflow");
        assertThat(session.arm().journal().unhandled()).isEmpty();
    }
}
