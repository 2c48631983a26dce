package io.cmkflow.local.arm;

import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.resources.models.Provider;
import com.azure.resourcemanager.resources.models.ResourceGroup;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceGroupAndProviderTest {
    static SimulatorSession session;

    @BeforeAll
    static void start() {
        session = SimulatorSession.start();
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
    void resourceGroupRoundTripThroughTheSdk() {
        ResourceGroup created = session.azure.resourceGroups().define("rg-round-trip")
                .withRegion(Region.EUROPE_WEST).withTag("team", "ml").create();

        assertThat(created.id()).isEqualTo("/subscriptions/" + SimulatorSession.SUBSCRIPTION
                + "/resourceGroups/rg-round-trip");
        assertThat(session.azure.resourceGroups().contain("rg-round-trip")).isTrue();
        assertThat(session.azure.resourceGroups().contain("rg-missing")).isFalse();
        assertThat(session.azure.resourceGroups().getByName("RG-ROUND-TRIP").tags()).containsEntry("team", "ml");
        assertThat(session.sim.state().resourceGroup(SimulatorSession.SUBSCRIPTION, "rg-round-trip"))
                .get().extracting(ArmState.ResourceGroupView::location).isEqualTo("westeurope");

        assertThat(session.sim.journal().entries()).extracting(JournalEntry::operation).containsSubsequence(
                "ResourceGroups_CreateOrUpdate", "ResourceGroups_CheckExistence", "ResourceGroups_CheckExistence",
                "ResourceGroups_Get");
        JournalEntry put = session.sim.journal().byOperation("ResourceGroups_CreateOrUpdate").get(0);
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.requestBody()).contains("\"westeurope\"");
        assertThat(put.query()).containsKey("api-version");
        assertThat(put.subscription()).isEqualTo(SimulatorSession.SUBSCRIPTION);
        assertThat(session.sim.journal().unhandled()).isEmpty();

        session.azure.resourceGroups().deleteByName("rg-round-trip");
        assertThat(session.sim.state().resourceGroup(SimulatorSession.SUBSCRIPTION, "rg-round-trip")).isEmpty();
    }

    @Test
    void missingResourceGroupIsResourceGroupNotFound() {
        assertThatThrownBy(() -> session.azure.resourceGroups().getByName("rg-nowhere"))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(404);
                    assertThat(e.getValue().getCode()).isEqualTo("ResourceGroupNotFound");
                });
    }

    @Test
    void providerMovesFromRegisteringToRegistered() {
        String sub = SimulatorSession.SUBSCRIPTION;
        assertThat(session.sim.state().providerState(sub, "Microsoft.Search").registrationState())
                .isEqualTo("NotRegistered");

        Provider registering = session.azure.providers().register("Microsoft.Search");
        assertThat(registering.registrationState()).isEqualTo("Registering");
        assertThat(session.azure.providers().getByName("Microsoft.Search").registrationState())
                .isEqualTo("Registering");
        Provider registered = session.azure.providers().getByName("Microsoft.Search");

        assertThat(registered.registrationState()).isEqualTo("Registered");
        assertThat(registered.resourceTypes()).anySatisfy(t -> {
            assertThat(t.resourceType()).isEqualTo("searchServices");
            assertThat(t.apiVersions()).isNotEmpty();
        });
        assertThat(session.sim.journal().byOperation("Providers_Register")).hasSize(1);
        assertThat(session.sim.journal().byOperation("Providers_Get")).hasSize(2);
    }

    @Test
    void unknownNamespaceIsInvalidResourceNamespace() {
        assertThatThrownBy(() -> session.azure.providers().getByName("Microsoft.Nothing"))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("InvalidResourceNamespace"));
    }
}
