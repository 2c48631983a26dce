package io.cmkflow.azure;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.KeyVaultRoles;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.cmkflow.testing.CmkStack.NO_HEARTBEAT;
import static io.cmkflow.testing.TestRequests.owner;
import static io.cmkflow.testing.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KeyStepTest {

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();
    private static KeyVaultStep vaults;
    private static KeyStep step;

    @BeforeAll
    static void steps() {
        vaults = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING);
        step = new KeyStep(azure.clients());
    }

    @Test
    void createsAWrapUnwrapRsaKey_andARerunCreatesNoNewVersion() {
        CmkRequest request = request("key");
        Ownership owner = owner("key");
        VaultOutcome vault = vaults.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().journal().clear();

        KeyOutcome key = step.ensure(request, vault, owner, new PreexistingResources());

        assertThat(key.created()).isTrue();
        assertThat(key.name()).isEqualTo("cmk-key");
        assertThat(key.keyUrlWithVersion()).startsWith(key.keyUrl()).isNotEqualTo(key.keyUrl());
        ArmState.KeyView stored = azure.arm().state().key(vault.vaultId(), "cmk-key").orElseThrow();
        assertThat(stored.kty()).isEqualTo("RSA");
        assertThat(stored.keySize()).isEqualTo(3072);
        assertThat(stored.keyOps()).containsExactlyInAnyOrder("wrapKey", "unwrapKey");
        assertThat(stored.tags()).containsAllEntriesOf(owner.tags());
        assertThat(stored.versionCount()).isEqualTo(1);
        assertThat(azure.arm().journal().byOperation("Keys_CreateIfNotExist")).hasSize(1);

        azure.arm().journal().clear();
        KeyOutcome rerun = step.ensure(request, vault, owner, new PreexistingResources());
        assertThat(rerun).isEqualTo(key);
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().key(vault.vaultId(), "cmk-key").orElseThrow().versionCount()).isEqualTo(1);
    }

    @Test
    void adoptsACompliantExistingKeyAsNotCreated() {
        CmkRequest request = request("keyadopt");
        VaultOutcome vault = vaults.ensure(request, owner("keyadopt"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().state().key(vault.vaultId(), "cmk-keyadopt", 4096, Map.of("owner", "team"));
        azure.arm().journal().clear();

        KeyOutcome key = step.ensure(request, vault, owner("keyadopt"), new PreexistingResources());

        assertThat(key.created()).isFalse();
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(step.undo(request, owner("keyadopt")).result()).isEqualTo(UndoOutcome.Result.NOT_OURS);
        assertThat(azure.arm().state().key(vault.vaultId(), "cmk-keyadopt").orElseThrow().deleted()).isFalse();
    }

    @Test
    void refusesAnExistingKeyTooWeakToBeTheCmk() {
        CmkRequest request = request("weak");
        VaultOutcome vault = vaults.ensure(request, owner("weak"), new PreexistingResources(), NO_HEARTBEAT);
        azure.arm().state().key(vault.vaultId(), "cmk-weak", 2048, Map.of());
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class, () -> step.ensure(request, vault, owner("weak"), new PreexistingResources()));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("KeyNotCompliant");
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void undoDeletesTheKeyThisRunCreated_andIsIdempotent() {
        CmkRequest request = request("keyundo");
        Ownership owner = owner("keyundo");
        VaultOutcome vault = vaults.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        step.ensure(request, vault, owner, new PreexistingResources());

        UndoOutcome undo = step.undo(request, owner);

        assertThat(undo.result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(azure.arm().state().key(vault.vaultId(), "cmk-keyundo").map(ArmState.KeyView::deleted).orElse(true)).isTrue();
        assertThat(step.undo(request, owner).result()).isEqualTo(UndoOutcome.Result.ALREADY_GONE);
    }

    @Test
    void aKeyAnEarlierCompensationOfThisTargetSoftDeletedIsRecoveredAsThisRunsOnTheRerun() {
        CmkRequest request = request("keyback");
        Ownership earlier = new Ownership("req-earlier", owner("keyback").workflowId(), "run-earlier", List.of(), List.of());
        // This target's run records (Temporal's, not the key's tags) list the earlier run.
        Ownership owner = new Ownership("req-keyback", earlier.workflowId(), "run-keyback", List.of("run-earlier"), List.of());
        VaultOutcome vault = vaults.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        step.ensure(request, vault, earlier, new PreexistingResources());
        step.undo(request, earlier);
        azure.arm().journal().clear();

        KeyOutcome key = step.ensure(request, vault, owner, new PreexistingResources());

        assertThat(key.created()).isTrue();
        ArmState.KeyView stored = azure.arm().state().key(vault.vaultId(), "cmk-keyback").orElseThrow();
        assertThat(stored.deleted()).isFalse();
        assertThat(stored.tags()).containsAllEntriesOf(owner.tags());
        assertThat(stored.versionCount()).isEqualTo(2);
        assertThat(key.keyUrlWithVersion()).endsWith(stored.latestVersion());
        assertThat(azure.arm().journal().byOperation("RecoverDeletedKey")).hasSize(1);
        assertThat(step.undo(request, owner).result()).isEqualTo(UndoOutcome.Result.DELETED);
    }

    @Test
    void refusesToRecoverASoftDeletedKeyThatIsNotThisTargets() {
        CmkRequest request = request("keyforeign");
        Ownership owner = owner("keyforeign");
        Ownership otherTarget = owner("some-other-workspace");
        VaultOutcome vault = vaults.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        step.ensure(request, vault, otherTarget, new PreexistingResources());
        step.undo(request, otherTarget);
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class, () -> step.ensure(request, vault, owner, new PreexistingResources()));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("DeletedKeyNotThisTargets");
        assertThat(e.getMessage()).contains("key.name", "choose another key name");
        assertThat(azure.arm().journal().writes()).as("only the create Azure refused for the deleted name")
                .extracting(JournalEntry::status).containsOnly(409);
        assertThat(azure.arm().state().key(vault.vaultId(), "cmk-keyforeign").orElseThrow().deleted()).isTrue();
    }

    @Test
    void theKeyUndoUsesTheKeyPermissionsStep2GaveCmkflowOnTheVault() {
        CmkRequest request = request("ownaccess");
        Ownership owner = owner("ownaccess");
        VaultOutcome vault = vaults.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        step.ensure(request, vault, owner, new PreexistingResources());

        assertThat(azure.arm().state().accessPolicies(vault.vaultId()))
                .filteredOn(p -> p.objectId().equals(SimulatedDirectory.CALLER_OBJECT_ID)).singleElement()
                .satisfies(p -> assertThat(p.keys()).containsExactlyInAnyOrder("create", "get", "delete", "purge", "recover"));
        azure.arm().journal().clear();

        assertThat(step.undo(request, owner).result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(azure.arm().journal().byOperation("DeleteKey")).extracting(JournalEntry::status).endsWith(200);
        assertThat(azure.arm().state().key(vault.vaultId(), "cmk-ownaccess").orElseThrow().deleted()).isTrue();
    }

    @Test
    void withoutItsOwnKeyPermissionsTheKeyUndoIsRefused() {
        // cmkflow told it is someone else grants that one, not the identity its token names.
        AzureClients elsewhere = new AzureClients(azure.connection(),
                PrincipalSettings.of(List.of(), UUID.randomUUID().toString(), Duration.ofMinutes(10)));
        CmkRequest request = request("noaccess");
        Ownership owner = owner("noaccess");
        VaultOutcome vault = new KeyVaultStep(elsewhere, CmkStack.FAST_POLLING).ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        KeyStep keyStep = new KeyStep(elsewhere);
        keyStep.ensure(request, vault, owner, new PreexistingResources());

        AzureStepException e = catchThrowableOfType(AzureStepException.class, () -> keyStep.undo(request, owner));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().httpStatus()).isEqualTo(403);
        assertThat(e.getMessage()).contains("does not have keys delete permission");
        assertThat(azure.arm().state().key(vault.vaultId(), "cmk-noaccess").orElseThrow().deleted()).isFalse();
    }

    @Test
    void onAnRbacVaultTheKeyUndoWaitsForCmkflowsNewRoleAssignmentToApply_forABoundedTime() {
        ArmSimulatorOptions delayed = ArmSimulatorOptions.defaults().withRoleAssignmentDelay(Duration.ofSeconds(2));
        try (CmkStack slow = CmkStack.azureOnly().arm(delayed).requestTarget().build().start()) {
            CmkRequest request = TestRequests.copy(request("rbacundo"))
                    .vault(new CmkRequest.KeyVault("kv-rbacundo", null, "standard", 7, true)).build();
            Ownership owner = owner("rbacundo");
            VaultOutcome vault = new KeyVaultStep(slow.clients(), CmkStack.FAST_POLLING).ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
            KeyStep patient = new KeyStep(slow.clients());
            patient.ensure(request, vault, owner, new PreexistingResources());
            assertThat(slow.arm().state().roleAssignments()).anySatisfy(a -> {
                assertThat(a.principalId()).isEqualTo(SimulatedDirectory.CALLER_OBJECT_ID);
                assertThat(a.roleDefinitionId()).endsWith(KeyVaultRoles.CRYPTO_OFFICER);
                assertThat(a.scope()).isEqualToIgnoringCase(vault.vaultId());
            });
            // No wait allowed: the 403 of the assignment not yet applied stands.
            AzureClients impatientClients = new AzureClients(slow.connection(),
                    PrincipalSettings.of(List.of(), null, Duration.ZERO));
            AzureStepException refused = catchThrowableOfType(AzureStepException.class,
                    () -> new KeyStep(impatientClients).undo(request, owner));
            assertThat(refused.failure().httpStatus()).isEqualTo(403);
            assertThat(refused.getMessage()).contains("ForbiddenByRbac");

            assertThat(patient.undo(request, owner).result()).isEqualTo(UndoOutcome.Result.DELETED);

            assertThat(slow.arm().journal().byOperation("DeleteKey")).extracting(JournalEntry::status)
                    .contains(403).endsWith(200);
            assertThat(slow.arm().state().key(vault.vaultId(), "cmk-rbacundo").orElseThrow().deleted()).isTrue();
        }
    }
}
