package io.cmkflow.local.arm;

import io.cmkflow.contract.KeyVaultRoles;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.authorization.models.BuiltInRole;
import com.azure.resourcemanager.authorization.models.RoleAssignment;
import com.azure.resourcemanager.authorization.models.RoleDefinition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.UUID;

import static io.cmkflow.local.arm.SimulatorSession.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RoleAssignmentTest {
    static SimulatorSession session;
    static ArmState.VaultView vault;

    @BeforeAll
    static void start() {
        session = new SimulatorSession(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true));
        vault = session.sim.state().vault(VaultSeed.of(SUBSCRIPTION, "rg-rbac", "kvrbac01").rbacAuthorization(true));
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
    void builtInRoleIsFoundByNameAndById() {
        RoleDefinition byName = session.azure.accessManagement().roleDefinitions()
                .getByScopeAndRoleName(vault.id(), KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME);
        RoleDefinition byId = session.azure.accessManagement().roleDefinitions().getById(byName.id());

        assertThat(byName.name()).isEqualTo(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
        assertThat(byName.roleName()).isEqualTo(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME);
        assertThat(byId.roleName()).isEqualTo(byName.roleName());
        assertThat(session.sim.journal().byOperation("RoleDefinitions_List")).singleElement()
                .satisfies(e -> assertThat(e.query().get("$filter")).contains("roleName eq"));
    }

    @Test
    void assignmentIsCreatedListedByPrincipalRefusedTwiceAndDeleted() {
        String principal = UUID.randomUUID().toString();
        RoleAssignment created = session.azure.accessManagement().roleAssignments()
                .define(UUID.randomUUID().toString()).forObjectId(principal)
                .withBuiltInRole(BuiltInRole.fromString(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME))
                .withScope(vault.id()).create();

        assertThat(created.scope()).isEqualTo(vault.id());
        assertThat(created.principalId()).isEqualTo(principal);
        assertThat(session.azure.accessManagement().roleAssignments().listByScope(vault.id()).stream()
                .map(RoleAssignment::principalId)).contains(principal);
        assertThat(session.azure.accessManagement().roleAssignments().getById(created.id()).roleDefinitionId())
                .endsWith(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);

        assertThatThrownBy(() -> session.azure.accessManagement().roleAssignments()
                .define(UUID.randomUUID().toString()).forObjectId(principal)
                .withBuiltInRole(BuiltInRole.fromString(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER_NAME))
                .withScope(vault.id()).create())
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getCode()).isEqualTo("RoleAssignmentExists"));

        session.azure.accessManagement().roleAssignments().deleteById(created.id());
        assertThat(session.sim.state().roleAssignments()).noneMatch(a -> a.principalId().equals(principal));
        assertThat(session.sim.journal().byOperation("RoleAssignments_Delete")).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(200));
    }
}
