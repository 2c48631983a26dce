package io.cmkflow.azure;

import io.cmkflow.standins.arm.SimulatedDirectory;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.KeyVaultRoles;
import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.VaultSeed;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.cmkflow.testing.TestRequests.GROUP;
import static io.cmkflow.testing.CmkStack.NO_HEARTBEAT;
import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static io.cmkflow.testing.TestRequests.TENANT;
import static io.cmkflow.testing.TestRequests.owner;
import static io.cmkflow.testing.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KeyAccessStepTest {

    private static final String PUBLIC_COSMOS = SimulatedDirectory.cosmosDbObjectId(TENANT);
    private static final String GOV_COSMOS = SimulatedDirectory.servicePrincipalObjectId(TENANT, SimulatedDirectory.COSMOS_DB_US_GOVERNMENT);
    private static final String CLIENT_ID = "3c9b1f2e-7a4d-4b8e-9f01-23456789abcd";
    /** A tenant whose directory has no Azure Cosmos DB service principal. */
    private static final String TENANT_WITHOUT_COSMOS_DB = "0d1e2f3a-4b5c-4d6e-8f70-8192a3b4c5d6";
    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly()
            .arm(ArmSimulatorOptions.defaults().withoutCosmosDbPrincipalIn(TENANT_WITHOUT_COSMOS_DB))
            .requestTarget().build();
    private static KeyVaultStep vaults;
    private static KeyAccessStep step;

    @BeforeAll
    static void steps() {
        vaults = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING);
        step = new KeyAccessStep(azure.clients());
    }

    @Test
    void addsAnAccessPolicyEntryThroughAdd_andARerunWritesNothing() {
        CmkRequest request = request("grant");
        VaultOutcome vault = vaults.ensure(request, owner("grant"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.mode()).isEqualTo(KeyAccessOutcome.Mode.ACCESS_POLICY);
        assertThat(grant.alreadyPresent()).isFalse();
        assertThat(grant.principalObjectId()).isEqualTo(PUBLIC_COSMOS);
        assertThat(cosmosEntry(vault, PUBLIC_COSMOS).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
        assertThat(azure.arm().journal().writes()).singleElement().satisfies(w -> {
            assertThat(w.operation()).isEqualTo("Vaults_UpdateAccessPolicy");
            assertThat(w.path()).endsWith("/accessPolicies/add");
        });

        azure.arm().journal().clear();
        KeyAccessOutcome rerun = step.grant(request, vault, step.accessBefore(request, vault));
        assertThat(rerun.alreadyPresent()).isTrue();
        assertThat(azure.arm().journal().writes()).isEmpty();
        // A grant that was already there is not this run's to remove.
        assertThat(step.undo(request, rerun).result()).isEqualTo(UndoOutcome.Result.NOT_OURS);
        assertThat(cosmosEntry(vault, PUBLIC_COSMOS).keys()).hasSize(3);
    }

    @Test
    void anAccessPolicyEntryWrittenByAGrantWhoseReportWasLostIsThisRunsOnTheRetry_andUndoRemovesIt() {
        CmkRequest request = request("lostgrant");
        VaultOutcome vault = vaults.ensure(request, owner("lostgrant"), new PreexistingResources(), NO_HEARTBEAT);
        KeyAccessOutcome before = step.accessBefore(request, vault);
        assertThat(before.alreadyPresent()).isFalse();
        step.grant(request, vault, before);
        // The worker died before reporting; a read now would take the entry for one that was there before the run.
        assertThat(step.accessBefore(request, vault).alreadyPresent()).isTrue();
        azure.arm().journal().clear();

        KeyAccessOutcome retried = step.grant(request, vault, before);

        assertThat(retried.alreadyPresent()).isFalse();
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(step.undo(request, retried).result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(azure.arm().state().accessPolicies(vault.vaultId()))
                .noneMatch(p -> p.objectId().equalsIgnoreCase(PUBLIC_COSMOS));
    }

    @Test
    void aRoleAssignmentMadeByAGrantWhoseReportWasLostIsThisRunsOnTheRetry_andUndoRemovesIt() {
        CmkRequest request = TestRequests.copy(request("lostrole"))
                .vault(new CmkRequest.KeyVault("kv-lostrole", null, "standard", 7, true)).build();
        VaultOutcome vault = vaults.ensure(request, owner("lostrole"), new PreexistingResources(), NO_HEARTBEAT);
        KeyAccessOutcome before = step.accessBefore(request, vault);
        KeyAccessOutcome first = step.grant(request, vault, before);
        azure.arm().journal().clear();

        KeyAccessOutcome retried = step.grant(request, vault, before);

        assertThat(retried.alreadyPresent()).isFalse();
        assertThat(retried.roleAssignmentId()).isEqualToIgnoringCase(first.roleAssignmentId());
        assertThat(azure.arm().journal().writes()).isEmpty();
        // Undo from the read alone (the grant never reported): the deterministic name finds the assignment.
        assertThat(step.undo(request, before).result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(rolesAt(vault)).isEmpty();
    }

    @Test
    void grantsCosmosDbsObjectIdReadFromGraph_notItsApplicationId_andReadsGraphOncePerTenant() {
        CmkRequest request = request("graph");
        VaultOutcome vault = vaults.ensure(request, owner("graph"), new PreexistingResources(), NO_HEARTBEAT);
        VaultOutcome second = vaults.ensure(request("graph2"), owner("graph2"), new PreexistingResources(), NO_HEARTBEAT);

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));
        azure.arm().journal().clear();
        KeyAccessOutcome secondGrant = step.grant(request("graph2"), second, step.accessBefore(request("graph2"), second));

        assertThat(grant.principalObjectId()).isEqualTo(PUBLIC_COSMOS)
                .isNotEqualTo(AzureCloud.PUBLIC.cosmosDbApplicationId());
        assertThat(azure.arm().state().accessPolicies(vault.vaultId())).extracting(ArmState.AccessPolicyView::objectId)
                .contains(PUBLIC_COSMOS).doesNotContain(AzureCloud.PUBLIC.cosmosDbApplicationId());
        assertThat(secondGrant.principalObjectId()).isEqualTo(PUBLIC_COSMOS);
        assertThat(azure.arm().journal().byOperation("Graph_ListServicePrincipals")).isEmpty();
    }

    @Test
    void readsCosmosDbsServicePrincipalThroughGraphsAppIdFilter() {
        AzureClients fresh = new AzureClients(azure.connection());
        azure.arm().journal().clear();

        String objectId = fresh.principals().cosmosDbObjectId(request("lookup"));

        assertThat(objectId).isEqualTo(PUBLIC_COSMOS);
        assertThat(azure.arm().journal().byOperation("Graph_ListServicePrincipals")).singleElement().satisfies(e -> {
            assertThat(e.path()).isEqualTo("/v1.0/servicePrincipals");
            assertThat(e.query().get("$filter")).isEqualTo("appId eq '" + AzureCloud.PUBLIC.cosmosDbApplicationId() + "'");
            assertThat(e.status()).isEqualTo(200);
        });
    }

    @Test
    void aConfiguredObjectIdForTheTenantIsUsedWithoutAskingGraph() {
        String configured = UUID.randomUUID().toString();
        AzureClients configuredClients = new AzureClients(azure.connection(),
                PrincipalSettings.of(List.of(TENANT.toUpperCase() + "=" + configured), null, Duration.ofMinutes(10)));
        CmkRequest request = request("configured");
        VaultOutcome vault = new KeyVaultStep(configuredClients, CmkStack.FAST_POLLING)
                .ensure(request, owner("configured"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        KeyAccessStep access = new KeyAccessStep(configuredClients);
        KeyAccessOutcome grant = access.grant(request, vault, access.accessBefore(request, vault));

        assertThat(grant.principalObjectId()).isEqualTo(configured);
        assertThat(cosmosEntry(vault, configured).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
        assertThat(azure.arm().journal().byOperation("Graph_ListServicePrincipals")).isEmpty();
    }

    @Test
    void aTenantWithoutCosmosDbsServicePrincipalIsNonRetryableAndSaysToRegisterDocumentDb() {
        CmkRequest request = TestRequests.copy(request("nocosmos")).tenantId(TENANT_WITHOUT_COSMOS_DB).build();
        VaultOutcome vault = vaults.ensure(request, owner("nocosmos"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class, () -> step.grant(request, vault, step.accessBefore(request, vault)));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("CosmosDbPrincipalNotFound");
        assertThat(e.getMessage()).contains(TENANT_WITHOUT_COSMOS_DB).contains("Microsoft.DocumentDB")
                .contains(AzureCloud.PUBLIC.cosmosDbApplicationId());
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void usesTheGovernmentPrincipalInAzureUSGovernment() {
        CmkRequest request = TestRequests.copy(request("gov")).cloud(CmkRequest.AZURE_US_GOVERNMENT).build();
        VaultOutcome vault = vaults.ensure(request, owner("gov"), new PreexistingResources(), NO_HEARTBEAT);

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.principalObjectId()).isEqualTo(GOV_COSMOS);
        assertThat(cosmosEntry(vault, GOV_COSMOS).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
    }

    @Test
    void reportsAPreExistingEntryAsAlreadyPresent() {
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-pre").tenantId(TENANT)
                .accessPolicy(PUBLIC_COSMOS, List.of("get", "wrapKey", "unwrapKey")));
        CmkRequest request = existingVault(request("pre"));
        VaultOutcome vault = vaults.ensure(request, owner("pre"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.alreadyPresent()).isTrue();
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void completesAPreExistingPartialEntryButLeavesItInPlaceOnUndo() {
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-partial").tenantId(TENANT)
                .accessPolicy(PUBLIC_COSMOS, List.of("get")));
        CmkRequest request = existingVault(request("partial"));
        VaultOutcome vault = vaults.ensure(request, owner("partial"), new PreexistingResources(), NO_HEARTBEAT);

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.alreadyPresent()).isTrue();
        assertThat(cosmosEntry(vault, PUBLIC_COSMOS).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
        assertThat(step.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.NOT_OURS);
        assertThat(cosmosEntry(vault, PUBLIC_COSMOS).keys()).contains("get");
    }

    @Test
    void undoRemovesTheEntryThisRunAdded_andIsIdempotent() {
        CmkRequest request = request("revoke");
        VaultOutcome vault = vaults.ensure(request, owner("revoke"), new PreexistingResources(), NO_HEARTBEAT);
        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        UndoOutcome undo = step.undo(request, grant);

        assertThat(undo.result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(azure.arm().state().accessPolicies(vault.vaultId())).noneMatch(p -> p.objectId().equals(PUBLIC_COSMOS));
        assertThat(step.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.ALREADY_GONE);
    }

    @Test
    void anRbacVaultGetsTheCryptoServiceEncryptionUserRole() {
        CmkRequest request = TestRequests.copy(request("rbac"))
                .vault(new CmkRequest.KeyVault("kv-rbac", null, "standard", 7, true)).build();
        VaultOutcome vault = vaults.ensure(request, owner("rbac"), new PreexistingResources(), NO_HEARTBEAT);
        assertThat(vault.rbacAuthorization()).isTrue();
        azure.arm().journal().clear();

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.mode()).isEqualTo(KeyAccessOutcome.Mode.RBAC);
        assertThat(grant.alreadyPresent()).isFalse();
        assertThat(azure.arm().state().roleAssignments()).anySatisfy(a -> {
            assertThat(a.principalId()).isEqualTo(PUBLIC_COSMOS);
            assertThat(a.scope()).isEqualToIgnoringCase(vault.vaultId());
            assertThat(a.roleDefinitionId()).endsWith(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
        });
        assertThat(azure.arm().state().accessPolicies(vault.vaultId())).isEmpty();

        KeyAccessOutcome rerun = step.grant(request, vault, step.accessBefore(request, vault));
        assertThat(rerun.alreadyPresent()).isTrue();
        assertThat(rerun.roleAssignmentId()).isEqualToIgnoringCase(grant.roleAssignmentId());

        assertThat(step.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(rolesAt(vault)).isEmpty();
        assertThat(step.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.ALREADY_GONE);
    }

    @Test
    void grantsTheUserAssignedIdentityWithCosmosDbInOneAdd_andARerunWritesNothing_andUndoRemovesBoth() {
        CmkRequest request = withIdentity(request("uaigrant"), "uai-grant");
        String principal = seedIdentity("uai-grant");
        VaultOutcome vault = vaults.ensure(request, owner("uaigrant"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.identityPrincipalId()).isEqualTo(principal);
        assertThat(grant.identityAlreadyPresent()).isFalse();
        assertThat(grant.alreadyPresent()).isFalse();
        assertThat(cosmosEntry(vault, PUBLIC_COSMOS).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
        // The least a CMK identity needs: what Cosmos DB gets, and no role on the vault (no Contributor).
        assertThat(cosmosEntry(vault, principal).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
        assertThat(azure.arm().journal().entries()).anySatisfy(e -> {
            assertThat(e.operation()).isEqualTo("UserAssignedIdentities_Get");
            assertThat(e.method()).isEqualTo("GET");
        });
        assertThat(rolesAt(vault)).isEmpty();
        assertThat(azure.arm().journal().writes()).extracting(w -> w.operation()).containsExactly("Vaults_UpdateAccessPolicy");

        azure.arm().journal().clear();
        KeyAccessOutcome rerun = step.grant(request, vault, step.accessBefore(request, vault));
        assertThat(rerun.alreadyPresent()).isTrue();
        assertThat(rerun.identityAlreadyPresent()).isTrue();
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(step.undo(request, rerun).result()).isEqualTo(UndoOutcome.Result.NOT_OURS);

        UndoOutcome undo = step.undo(request, grant);
        assertThat(undo.result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(undo.detail()).contains("Cosmos DB").contains("identity");
        assertThat(azure.arm().state().accessPolicies(vault.vaultId()))
                .noneMatch(p -> p.objectId().equals(PUBLIC_COSMOS) || p.objectId().equals(principal));
        assertThat(rolesAt(vault)).isEmpty();
        assertThat(step.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.ALREADY_GONE);
    }

    @Test
    void undoRemovesOnlyTheIdentityWhenCosmosDbHadAccessBefore() {
        CmkRequest request = existingVault(withIdentity(request("uaihalf"), "uai-half"));
        String principal = seedIdentity("uai-half");
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-uaihalf").tenantId(TENANT)
                .accessPolicy(PUBLIC_COSMOS, List.of("get", "wrapKey", "unwrapKey")));
        VaultOutcome vault = vaults.ensure(request, owner("uaihalf"), new PreexistingResources(), NO_HEARTBEAT);
        // An adopted vault whose identity grants the operators allowed.
        KeyAccessStep allowing = new KeyAccessStep(new AzureClients(azure.connection(), PrincipalSettings.lookedUp()
                .withIdentityGrantScopes(List.of(vault.vaultId()))));

        KeyAccessOutcome grant = allowing.grant(request, vault, allowing.accessBefore(request, vault));
        assertThat(grant.alreadyPresent()).isTrue();
        assertThat(grant.identityAlreadyPresent()).isFalse();

        assertThat(allowing.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(azure.arm().state().accessPolicies(vault.vaultId())).extracting(ArmState.AccessPolicyView::objectId)
                .contains(PUBLIC_COSMOS).doesNotContain(principal);
    }

    @Test
    void aMissingUserAssignedIdentityIsNonRetryableAndWritesNothing() {
        CmkRequest request = withIdentity(request("uaimissing"), "uai-never-created");
        VaultOutcome vault = vaults.ensure(request, owner("uaimissing"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class, () -> step.grant(request, vault, step.accessBefore(request, vault)));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("UserAssignedIdentityNotFound");
        assertThat(e.getMessage()).contains("workspace.userAssignedIdentityId").contains("uai-never-created");
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void aClientIdThatIsNotTheIdentitysStopsTheGrantBeforeAnyWrite() {
        seedIdentity("uai-wrongclient");
        CmkRequest named = withIdentity(request("wrongclient"), "uai-wrongclient");
        CmkRequest request = TestRequests.copy(named).workspace(new CmkRequest.Workspace(named.workspace().name(), null, null,
                named.workspace().userAssignedIdentityId(), "0f0f0f0f-0000-4000-8000-000000000bad", null, null)).build();
        VaultOutcome vault = vaults.ensure(request, owner("wrongclient"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class, () -> step.accessBefore(request, vault));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("UserAssignedIdentityClientIdMismatch");
        assertThat(e.getMessage()).contains("workspace.userAssignedIdentityClientId", CLIENT_ID);
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void anIdentityInAnotherSubscriptionIsReadInThatSubscription() {
        String identityId = ArmResourceId.of(TestRequests.OTHER_SUBSCRIPTION, "rg-identities", "Microsoft.ManagedIdentity",
                "userAssignedIdentities", "uai-elsewhere");
        String principal = UUID.nameUUIDFromBytes("uai-elsewhere".getBytes(StandardCharsets.UTF_8)).toString();
        azure.arm().state().resourceGroup(TestRequests.OTHER_SUBSCRIPTION, "rg-identities", TestRequests.LOCATION);
        azure.arm().state().userAssignedIdentity(TestRequests.OTHER_SUBSCRIPTION, "rg-identities", "uai-elsewhere", principal, CLIENT_ID);
        CmkRequest base = request("uaielsewhere");
        CmkRequest request = TestRequests.copy(base).workspace(new CmkRequest.Workspace(base.workspace().name(), null, null,
                identityId, CLIENT_ID, null, null)).build();
        VaultOutcome vault = vaults.ensure(request, owner("uaielsewhere"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.identityPrincipalId()).isEqualTo(principal);
        assertThat(cosmosEntry(vault, principal).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
        assertThat(azure.arm().journal().entries()).filteredOn(e -> e.operation().equals("UserAssignedIdentities_Get"))
                .isNotEmpty().allSatisfy(e -> assertThat(e.path()).startsWithIgnoringCase(identityId));
    }

    @Test
    void anRbacVaultGivesTheIdentityCosmosDbsRoleInASecondAssignment_andUndoRemovesBoth() {
        CmkRequest request = TestRequests.copy(withIdentity(request("uairbac"), "uai-rbac"))
                .vault(new CmkRequest.KeyVault("kv-uairbac", null, "standard", 7, true)).build();
        String principal = seedIdentity("uai-rbac");
        VaultOutcome vault = vaults.ensure(request, owner("uairbac"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        KeyAccessOutcome grant = step.grant(request, vault, step.accessBefore(request, vault));

        assertThat(grant.mode()).isEqualTo(KeyAccessOutcome.Mode.RBAC);
        assertThat(grant.identityAlreadyPresent()).isFalse();
        assertThat(grant.identityRoleAssignmentId()).isNotNull().isNotEqualToIgnoringCase(grant.roleAssignmentId());
        assertThat(rolesAt(vault)).extracting(ArmState.RoleAssignmentView::principalId)
                .containsExactlyInAnyOrder(PUBLIC_COSMOS, principal);
        assertThat(rolesAt(vault)).filteredOn(a -> a.principalId().equals(principal))
                .extracting(a -> a.roleDefinitionId().substring(a.roleDefinitionId().lastIndexOf('/') + 1))
                .containsExactly(KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
        assertThat(azure.arm().journal().writes()).hasSize(2).allSatisfy(w -> assertThat(w.operation()).isEqualTo("RoleAssignments_Create"));
        assertThat(azure.arm().state().accessPolicies(vault.vaultId())).isEmpty();

        azure.arm().journal().clear();
        KeyAccessOutcome rerun = step.grant(request, vault, step.accessBefore(request, vault));
        assertThat(rerun.identityAlreadyPresent()).isTrue();
        assertThat(rerun.identityRoleAssignmentId()).isEqualToIgnoringCase(grant.identityRoleAssignmentId());
        assertThat(azure.arm().journal().writes()).isEmpty();

        assertThat(step.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(rolesAt(vault)).isEmpty();
        assertThat(step.undo(request, grant).result()).isEqualTo(UndoOutcome.Result.ALREADY_GONE);
    }

    /** Step 4's role assignments at the vault (cmkflow's own, made with the vault in step 2, left out). */
    private static List<ArmState.RoleAssignmentView> rolesAt(VaultOutcome vault) {
        return azure.arm().state().roleAssignments().stream().filter(a -> a.scope().equalsIgnoreCase(vault.vaultId())
                && !a.principalId().equals(SimulatedDirectory.CALLER_OBJECT_ID)).toList();
    }

    private static String seedIdentity(String name) {
        String principal = UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
        azure.arm().state().userAssignedIdentity(SUBSCRIPTION, GROUP, name, principal, CLIENT_ID);
        return principal;
    }

    private static CmkRequest withIdentity(CmkRequest request, String identityName) {
        String id = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/" + identityName;
        CmkRequest.Workspace ws = request.workspace();
        return TestRequests.copy(request).workspace(new CmkRequest.Workspace(ws.name(), ws.friendlyName(),
                ws.hbiWorkspace(), id, CLIENT_ID, ws.storageAccountId(), ws.applicationInsightsId())).build();
    }

    private static ArmState.AccessPolicyView cosmosEntry(VaultOutcome vault, String principal) {
        return azure.arm().state().accessPolicies(vault.vaultId()).stream()
                .filter(p -> p.objectId().equals(principal)).findFirst().orElseThrow();
    }

    @Test
    void onAnAdoptedVaultTheIdentityIsGrantedNothingUnlessTheSettingListsIt() {
        CmkRequest request = existingVault(withIdentity(request("uaiadopt"), "uai-adopt"));
        String principal = seedIdentity("uai-adopt");
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-uaiadopt").tenantId(TENANT)
                .accessPolicy(PUBLIC_COSMOS, List.of("get", "wrapKey", "unwrapKey")));
        VaultOutcome vault = vaults.ensure(request, owner("uaiadopt"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        AzureStepException refused = catchThrowableOfType(AzureStepException.class,
                () -> step.grant(request, vault, step.accessBefore(request, vault)));

        assertThat(refused.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(refused.failure().code()).isEqualTo("IdentityGrantOnAdoptedVault");
        assertThat(refused.getMessage()).contains("workspace.userAssignedIdentityId", PrincipalSettings.IDENTITY_GRANT_SCOPES);
        assertThat(azure.arm().journal().writes()).isEmpty();

        // Where the operators allow it (here: the vault's resource group), the identity gets the least it needs.
        KeyAccessStep allowed = new KeyAccessStep(new AzureClients(azure.connection(), PrincipalSettings.lookedUp()
                .withIdentityGrantScopes(List.of("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP))));
        KeyAccessOutcome grant = allowed.grant(request, vault, allowed.accessBefore(request, vault));
        assertThat(grant.identityAlreadyPresent()).isFalse();
        assertThat(cosmosEntry(vault, principal).keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
    }

    /** {@code request} naming its vault (seeded by the test) by {@code keyVault.existingId}, as using an existing vault takes. */
    private static CmkRequest existingVault(CmkRequest request) {
        return TestRequests.copy(request).vault(new CmkRequest.KeyVault(null, TestRequests.vaultId(request.keyVault().name()),
                null, null, null)).build();
    }

}
