package io.cmkflow.local.arm;

import com.azure.core.management.Region;
import com.azure.resourcemanager.resources.models.GenericResource;
import com.azure.resourcemanager.storage.models.StorageAccount;
import com.azure.resourcemanager.storage.models.StorageAccountSkuType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.cmkflow.local.arm.SimulatorSession.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;

class StorageAndInsightsTest {
    static SimulatorSession session;

    @BeforeAll
    static void start() {
        session = new SimulatorSession(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true));
        session.sim.state().resourceGroup(SUBSCRIPTION, "rg-assoc", "westeurope");
    }

    @AfterAll
    static void stop() {
        session.close();
    }

    @BeforeEach
    void clearJournal() {
        session.sim.journal().clear();
    }

    @Test
    void storageAccountRoundTripThroughTheStorageModule() {
        boolean available = session.azure.storageAccounts().checkNameAvailability("stcmkflow01").isAvailable();
        StorageAccount account = session.azure.storageAccounts().define("stcmkflow01")
                .withRegion(Region.EUROPE_WEST).withExistingResourceGroup("rg-assoc")
                .withSku(StorageAccountSkuType.STANDARD_LRS).withGeneralPurposeAccountKindV2()
                .withOnlyHttpsTraffic().withTag("cmkflow-request-id", "r-9").create();

        assertThat(available).isTrue();
        assertThat(account.id()).isEqualTo("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-assoc/providers/"
                + "Microsoft.Storage/storageAccounts/stcmkflow01");
        assertThat(account.tags()).containsEntry("cmkflow-request-id", "r-9");
        assertThat(session.azure.storageAccounts().checkNameAvailability("stcmkflow01").isAvailable()).isFalse();
        assertThat(session.azure.storageAccounts().getById(account.id()).name()).isEqualTo("stcmkflow01");
        assertThat(session.sim.state().storageAccounts()).extracting(ArmState.ResourceView::name)
                .contains("stcmkflow01");

        session.azure.storageAccounts().deleteById(account.id());
        assertThat(session.sim.state().storageAccounts()).extracting(ArmState.ResourceView::name)
                .doesNotContain("stcmkflow01");
        assertThat(session.sim.journal().unhandled()).isEmpty();
        assertThat(session.sim.journal().byOperation("StorageAccounts_Create")).isNotEmpty();
    }

    @Test
    void applicationInsightsThroughGenericResources() {
        GenericResource component = session.azure.genericResources().define("ai-cmkflow")
                .withRegion(Region.EUROPE_WEST).withExistingResourceGroup("rg-assoc")
                .withResourceType("components").withProviderNamespace("microsoft.insights")
                .withoutPlan().withApiVersion("2020-02-02").withKind("web")
                .withProperties(Map.of("Application_Type", "web")).create();

        assertThat(component.id()).isEqualTo("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-assoc/providers/"
                + "microsoft.insights/components/ai-cmkflow");
        @SuppressWarnings("unchecked")
        Map<String, Object> props = (Map<String, Object>) component.properties();
        assertThat(props).containsKey("InstrumentationKey");
        assertThat(session.azure.genericResources().getById(component.id()).name()).isEqualTo("ai-cmkflow");
        assertThat(session.sim.state().applicationInsights()).extracting(ArmState.ResourceView::name)
                .contains("ai-cmkflow");
        assertThat(session.sim.journal().byOperation("Components_CreateOrUpdate")).isNotEmpty();
        assertThat(session.sim.journal().byOperation("Providers_Get")).as("api-version looked up for getById")
                .isNotEmpty();

        session.azure.genericResources().deleteById(component.id(), "2020-02-02");
        assertThat(session.sim.state().applicationInsights()).extracting(ArmState.ResourceView::name)
                .doesNotContain("ai-cmkflow");
        assertThat(session.sim.journal().unhandled()).isEmpty();
    }
}
