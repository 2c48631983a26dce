package io.cmkflow.standins.arm;

import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.resources.models.Provider;
import com.azure.resourcemanager.resources.models.ResourceGroup;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ResourceGroupAndProviderTest {
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();

    @Test
    void resourceGroupRoundTripThroughTheSdk() {
        ResourceGroup created = session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().define("rg-round-trip")
                .withRegion(Region.EUROPE_WEST).withTag("team", "ml").create();

        assertThat(created.id()).isEqualTo("/subscriptions/" + TestRequests.SUBSCRIPTION
                + "/resourceGroups/rg-round-trip");
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().contain("rg-round-trip")).isTrue();
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().contain("rg-missing")).isFalse();
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().getByName("RG-ROUND-TRIP").tags()).containsEntry("team", "ml");
        assertThat(session.arm().state().resourceGroup(TestRequests.SUBSCRIPTION, "rg-round-trip"))
                .get().extracting(ArmState.ResourceGroupView::location).isEqualTo("westeurope");

        assertThat(session.arm().journal().entries()).extracting(JournalEntry::operation).containsSubsequence(
                "ResourceGroups_CreateOrUpdate", "ResourceGroups_CheckExistence", "ResourceGroups_CheckExistence",
                "ResourceGroups_Get");
        JournalEntry put = session.arm().journal().byOperation("ResourceGroups_CreateOrUpdate").get(0);
        assertThat(put.status()).isEqualTo(201);
        assertThat(put.requestBody()).contains("\"westeurope\"");
        assertThat(put.query()).containsKey("api-version");
        assertThat(put.subscription()).isEqualTo(TestRequests.SUBSCRIPTION);
        assertThat(session.arm().journal().unhandled()).isEmpty();

        session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().deleteByName("rg-round-trip");
        assertThat(session.arm().state().resourceGroup(TestRequests.SUBSCRIPTION, "rg-round-trip")).isEmpty();
    }

    @Test
    void missingResourceGroupIsResourceGroupNotFound() {
        assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().getByName("rg-nowhere"))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(404);
                    assertThat(e.getValue().getCode()).isEqualTo("ResourceGroupNotFound");
                });
    }

    @Test
    void providerMovesFromRegisteringToRegistered() {
        String sub = TestRequests.SUBSCRIPTION;
        assertThat(session.arm().state().providerState(sub, "Microsoft.Search").registrationState())
                .isEqualTo("NotRegistered");

        Provider registering = session.resourceManager(TestRequests.SUBSCRIPTION).providers().register("Microsoft.Search");
        assertThat(registering.registrationState()).isEqualTo("Registering");
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).providers().getByName("Microsoft.Search").registrationState())
                .isEqualTo("Registering");
        Provider registered = session.resourceManager(TestRequests.SUBSCRIPTION).providers().getByName("Microsoft.Search");

        assertThat(registered.registrationState()).isEqualTo("Registered");
        assertThat(registered.resourceTypes()).anySatisfy(t -> {
            assertThat(t.resourceType()).isEqualTo("searchServices");
            assertThat(t.apiVersions()).isNotEmpty();
        });
        assertThat(session.arm().journal().byOperation("Providers_Register")).hasSize(1);
        assertThat(session.arm().journal().byOperation("Providers_Get")).hasSize(2);
    }

    @Test
    void unknownNamespaceIsInvalidResourceNamespace() {
        assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).providers().getByName("Microsoft.Nothing"))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("InvalidResourceNamespace"));
    }
}
