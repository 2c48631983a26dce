package io.cmkflow.azure;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.VaultSeed;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.VaultOutcome.Disposition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.cmkflow.testing.TestRequests.GROUP;
import static io.cmkflow.testing.CmkStack.NO_HEARTBEAT;
import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static io.cmkflow.testing.TestRequests.TENANT;
import static io.cmkflow.testing.TestRequests.owner;
import static io.cmkflow.testing.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class KeyVaultStepTest {

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();
    private static KeyVaultStep step;

    @BeforeAll
    static void steps() {
        step = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING);
    }

    @BeforeEach
    void clearJournal() {
        azure.arm().journal().clear();
    }

    @AfterEach
    void clearFaults() {
        azure.arm().faults().clear();
    }

    @Test
    void createsACompliantTaggedVault_andARerunCreatesNothing() {
        CmkRequest request = request("create");
        Ownership owner = owner("create");

        VaultOutcome vault = step.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);

        assertThat(vault.disposition()).isEqualTo(Disposition.CREATED);
        assertThat(vault.vaultId()).isEqualToIgnoringCase(TestRequests.vaultId("kv-create"));
        assertThat(vault.vaultUri()).startsWith("https://");
        ArmState.VaultView stored = azure.arm().state().vault(SUBSCRIPTION, GROUP, "kv-create").orElseThrow();
        assertThat(stored.softDeleteEnabled()).isTrue();
        assertThat(stored.purgeProtectionEnabled()).isTrue();
        assertThat(stored.softDeleteRetentionDays()).isEqualTo(30);
        assertThat(stored.tags()).containsAllEntriesOf(owner.tags());
        assertThat(azure.arm().journal().byOperation("Vaults_CreateOrUpdate")).hasSize(1);
        assertThat(azure.arm().journal().byOperation("Vaults_CreateOrUpdate").get(0).requestBody())
                .contains("\"enablePurgeProtection\":true", "\"name\":\"premium\"");

        azure.arm().journal().clear();
        VaultOutcome rerun = step.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        assertThat(rerun).isEqualTo(vault);
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void adoptsACompliantExistingVaultWithoutChangingIt() {
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-shared", "kv-shared").tenantId(TENANT));
        CmkRequest request = TestRequests.copy(request("adopt"))
                .vault(new CmkRequest.KeyVault(null, vaultIdIn("rg-shared", "kv-shared"), null, null, null)).build();
        azure.arm().journal().clear();

        VaultOutcome vault = step.ensure(request, owner("adopt"), new PreexistingResources(), NO_HEARTBEAT);

        assertThat(vault.disposition()).isEqualTo(Disposition.ADOPTED);
        assertThat(vault.resourceGroup()).isEqualTo("rg-shared");
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void aNewVaultNameThatAnExistingVaultHoldsIsRefusedNotAdopted() {
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-byname").tenantId(TENANT).tags(Map.of("owner", "team")));
        azure.arm().journal().clear();

        PreexistingResources preexisting = new PreexistingResources();
        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request("byname"), owner("byname"), preexisting, NO_HEARTBEAT));

        assertThat(preexisting.ids()).as("what the run's history keeps for a retry").containsExactly(vaultIdIn(GROUP, "kv-byname"));
        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("KeyVaultNameTaken");
        assertThat(e.getMessage()).contains("keyVault.name", "keyVault.existingId", vaultIdIn(GROUP, "kv-byname"));
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().vault(SUBSCRIPTION, GROUP, "kv-byname").orElseThrow().tags())
                .containsExactlyEntriesOf(Map.of("owner", "team"));
    }

    @Test
    void aVaultTheRunsRecordShowsExistingFirstIsNotThisRunsEvenWithThisRunsTags() {
        // The run found the vault existing (its history says so); since then someone wrote this run's id on it.
        Ownership owner = owner("firstlook");
        String id = vaultIdIn(GROUP, "kv-firstlook");
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-firstlook").tenantId(TENANT).tags(owner.tags()));
        Ownership recorded = owner.withPreexisting(List.of(id.toUpperCase()));
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request("firstlook"), recorded, new PreexistingResources(), NO_HEARTBEAT));
        UndoOutcome undo = step.undo(request("firstlook"), recorded);

        assertThat(e.failure().code()).isEqualTo("KeyVaultNameTaken");
        assertThat(undo.result()).isEqualTo(UndoOutcome.Result.NOT_OURS);
        assertThat(undo.detail()).contains("existed before this run first looked");
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(step.undo(request("firstlook"), owner).result()).as("the same tags without that record").isEqualTo(UndoOutcome.Result.DELETED);
    }

    @Test
    void aVaultCarryingThisTargetsRequestAndWorkflowTagsButAnotherRunsIsNotThisRuns() {
        // What a resend after Temporal lost the target's history meets: the earlier run's vault, with the same request
        // id and workflow id in its tags (anyone can read or write those), but not this run's id.
        Ownership earlier = new Ownership("req-resent", "cmk-resent", "run-lost", List.of(), List.of());
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-resent").tenantId(TENANT).tags(earlier.tags()));
        Ownership resent = new Ownership("req-resent", "cmk-resent", "run-new", List.of(), List.of());
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request("resent"), resent, new PreexistingResources(), NO_HEARTBEAT));
        UndoOutcome undo = step.undo(request("resent"), resent);

        assertThat(e.failure().code()).isEqualTo("KeyVaultNameTaken");
        assertThat(undo.result()).isEqualTo(UndoOutcome.Result.NOT_OURS);
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().vault(SUBSCRIPTION, GROUP, "kv-resent")).isPresent();
    }

    @Test
    void refusesAnExistingVaultWithoutPurgeProtection() {
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-shared", "kv-nopurge").tenantId(TENANT).purgeProtection(false));
        CmkRequest request = TestRequests.copy(request("nopurge"))
                .vault(new CmkRequest.KeyVault(null, vaultIdIn("rg-shared", "kv-nopurge"), null, null, null)).build();
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request, owner("nopurge"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("VaultNotCompliant");
        assertThat(e.getMessage()).contains("purge protection");
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().vault(SUBSCRIPTION, "rg-shared", "kv-nopurge").orElseThrow().purgeProtectionEnabled()).isFalse();
    }

    @Test
    void recoversTheSoftDeletedVaultOfThisTarget_andItsUndoDeletesItAgain() {
        // An earlier run of the same target made the vault; its compensation deleted it. The target's run records list
        // that run.
        Ownership earlier = new Ownership("req-earlier-run", owner("recover").workflowId(), "run-earlier", List.of(), List.of());
        azure.arm().state().deletedVault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-recover").tenantId(TENANT)
                .location(TestRequests.LOCATION).tags(earlier.tags()));
        Ownership owner = new Ownership("req-recover", earlier.workflowId(), "run-recover", List.of("run-earlier"), List.of());
        azure.arm().journal().clear();

        VaultOutcome vault = step.ensure(request("recover"), owner, new PreexistingResources(), NO_HEARTBEAT);

        assertThat(vault.disposition()).isEqualTo(Disposition.RECOVERED);
        assertThat(azure.arm().journal().byOperation("Vaults_CreateOrUpdate")).singleElement()
                .satisfies(put -> assertThat(put.requestBody()).contains("\"createMode\":\"recover\""));
        assertThat(azure.arm().state().deletedVault("kv-recover")).isEmpty();
        assertThat(azure.arm().state().vault(SUBSCRIPTION, GROUP, "kv-recover")).isPresent();

        azure.arm().journal().clear();
        assertThat(step.ensure(request("recover"), owner, new PreexistingResources(), NO_HEARTBEAT).disposition()).isEqualTo(Disposition.RECOVERED);
        assertThat(azure.arm().journal().writes()).isEmpty();

        assertThat(step.undo(request("recover"), owner).result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(azure.arm().state().deletedVault("kv-recover")).isPresent();
    }

    @Test
    void refusesToRecoverASoftDeletedVaultThisTargetsRunRecordsDoNotShow() {
        // Its tags name this very target (a forgery, or a run Temporal no longer remembers): tags prove nothing.
        Ownership forged = new Ownership("req-elsewhere", owner("elsewhere").workflowId(), "run-unrecorded", List.of(), List.of());
        azure.arm().state().deletedVault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-elsewhere").tenantId(TENANT)
                .location(TestRequests.LOCATION).tags(forged.tags()));
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request("elsewhere"), owner("elsewhere"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("DeletedVaultNotThisTargets");
        assertThat(e.getMessage()).contains("keyVault.name", "run records", "choose another vault name");
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().deletedVault("kv-elsewhere")).isPresent();
    }

    @Test
    void refusesToRecoverASoftDeletedVaultThatIsNotOurs() {
        azure.arm().state().deletedVault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-foreign").tenantId(TENANT)
                .location(TestRequests.LOCATION).tags(Map.of("owner", "someone-else")));
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request("foreign"), owner("foreign"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("DeletedVaultNotThisTargets");
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().deletedVault("kv-foreign")).isPresent();
    }

    @Test
    void aVaultNameTakenElsewhereIsNonRetryable() {
        azure.arm().state().vault(VaultSeed.of(TestRequests.OTHER_SUBSCRIPTION, "rg-other", "kv-taken"));
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request("taken"), owner("taken"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("VaultAlreadyExists");
        assertThat(e.failure().httpStatus()).isEqualTo(409);
    }

    @Test
    void undoDeletesOurVaultWhichStaysSoftDeleted_andIsIdempotent() {
        CmkRequest request = request("undo");
        Ownership owner = owner("undo");
        step.ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);

        UndoOutcome undo = step.undo(request, owner);

        assertThat(undo.result()).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(undo.detail()).contains("soft-deleted", "purge protection");
        assertThat(Instant.parse(undo.recoverableUntil().replace("Z", "Z"))).isAfter(Instant.now().plusSeconds(29L * 86400));
        assertThat(azure.arm().state().vault(SUBSCRIPTION, GROUP, "kv-undo")).isEmpty();
        assertThat(azure.arm().state().deletedVault("kv-undo")).isPresent();

        azure.arm().journal().clear();
        UndoOutcome again = step.undo(request, owner);
        assertThat(again.result()).isEqualTo(UndoOutcome.Result.ALREADY_GONE);
        assertThat(again.recoverableUntil()).isEqualTo(undo.recoverableUntil());
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void undoLeavesAVaultWithoutThisRunsTagsAlone() {
        azure.arm().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kv-notours").tenantId(TENANT));
        azure.arm().journal().clear();

        UndoOutcome undo = step.undo(request("notours"), owner("notours"));

        assertThat(undo.result()).isEqualTo(UndoOutcome.Result.NOT_OURS);
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().vault(SUBSCRIPTION, GROUP, "kv-notours")).isPresent();
    }

    private static String vaultIdIn(String group, String name) {
        return ArmResourceId.of(SUBSCRIPTION, group, "Microsoft.KeyVault", "vaults", name);
    }
}
