package io.cmkflow.standins.arm;

import java.time.Duration;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.contract.KeyVaultRoles;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.authorization.models.BuiltInRole;
import com.azure.resourcemanager.authorization.models.RoleAssignment;
import com.azure.resourcemanager.authorization.models.RoleDefinition;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoleAssignmentTest {
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();
    static ArmState.VaultView vault;

    @BeforeAll
    static void seed() {
        vault = session.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-rbac", "kvrbac01").rbacAuthorization(true));
    }

    @Test
    void builtInRoleIsFoundByNameAndById() {
        RoleDefinition byName = session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleDefinitions()
                .getByScopeAndRoleName(vault.id(), KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME);
        RoleDefinition byId = session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleDefinitions().getById(byName.id());

        assertThat(byName.name()).isEqualTo(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
        assertThat(byName.roleName()).isEqualTo(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME);
        assertThat(byId.roleName()).isEqualTo(byName.roleName());
        assertThat(session.arm().journal().byOperation("RoleDefinitions_List")).singleElement()
                .satisfies(e -> assertThat(e.query().get("$filter")).contains("roleName eq"));
    }

    @Test
    void assignmentIsCreatedListedByPrincipalRefusedTwiceAndDeleted() {
        String principal = UUID.randomUUID().toString();
        RoleAssignment created = session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleAssignments()
                .define(UUID.randomUUID().toString()).forObjectId(principal)
                .withBuiltInRole(BuiltInRole.fromString(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME))
                .withScope(vault.id()).create();

        assertThat(created.scope()).isEqualTo(vault.id());
        assertThat(created.principalId()).isEqualTo(principal);
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleAssignments().listByScope(vault.id()).stream()
                .map(RoleAssignment::principalId)).contains(principal);
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleAssignments().getById(created.id()).roleDefinitionId())
                .endsWith(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);

        assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleAssignments()
                .define(UUID.randomUUID().toString()).forObjectId(principal)
                .withBuiltInRole(BuiltInRole.fromString(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME))
                .withScope(vault.id()).create())
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("RoleAssignmentExists"));

        session.resourceManager(TestRequests.SUBSCRIPTION).accessManagement().roleAssignments().deleteById(created.id());
        assertThat(session.arm().state().roleAssignments()).noneMatch(a -> a.principalId().equals(principal));
        assertThat(session.arm().journal().byOperation("RoleAssignments_Delete")).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(200));
    }
}
