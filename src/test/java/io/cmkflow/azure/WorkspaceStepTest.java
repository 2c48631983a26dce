package io.cmkflow.azure;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.AzureErrorClass;
import com.fasterxml.jackson.databind.JsonNode;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static io.cmkflow.testing.TestRequests.GROUP;
import static io.cmkflow.testing.TestRequests.LOCATION;
import static io.cmkflow.testing.CmkStack.NO_HEARTBEAT;
import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static io.cmkflow.testing.TestRequests.owner;
import static io.cmkflow.testing.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class WorkspaceStepTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();
    private static WorkspaceStep step;

    @BeforeAll
    static void steps() {
        step = new WorkspaceStep(azure.clients(), CmkStack.FAST_POLLING);
    }

    @Test
    void createsTheEncryptedWorkspaceWithItsStorageAndInsights_andARerunCreatesNothing() throws Exception {
        CmkRequest request = request("ws");
        Ownership owner = owner("ws");
        Prepared p = prepare(request, owner);
        azure.arm().journal().clear();
        int[] beats = {0};

        WorkspaceOutcome ws = step.ensure(request, p.vault, p.key, owner, new PreexistingResources(), () -> beats[0]++);

        assertThat(beats[0]).as("heartbeats while waiting for the long-running creates").isGreaterThanOrEqualTo(1);
        assertThat(ws.created()).isTrue();
        assertThat(ws.provisioningState()).isEqualTo("Succeeded");
        assertThat(ws.storageAccountCreated()).isTrue();
        assertThat(ws.applicationInsightsCreated()).isTrue();
        assertThat(ws.serviceProvisionedResourceGroup()).isNotBlank();
        JournalEntry put = azure.arm().journal().byOperation("Workspaces_CreateOrUpdate").stream()
                .filter(e -> "PUT".equals(e.method())).findFirst().orElseThrow();
        assertThat(put.query()).containsEntry("api-version", WorkspaceStep.ML_API_VERSION);
        JsonNode body = JSON.readTree(put.requestBody());
        JsonNode encryption = body.path("properties").path("encryption");
        assertThat(encryption.path("status").asText()).isEqualTo("Enabled");
        assertThat(encryption.path("keyVaultProperties").path("keyVaultArmId").asText()).isEqualTo(p.vault.vaultId());
        assertThat(encryption.path("keyVaultProperties").path("keyIdentifier").asText()).isEqualTo(p.key.keyUrlWithVersion());
        assertThat(body.path("properties").path("hbiWorkspace").asBoolean()).isTrue();
        assertThat(body.path("identity").path("type").asText()).isEqualTo("SystemAssigned");
        assertThat(body.path("properties").path("storageAccount").asText()).isEqualTo(ws.storageAccountId());
        assertThat(body.path("properties").path("applicationInsights").asText()).isEqualTo(ws.applicationInsightsId());
        ArmState.WorkspaceView stored = azure.arm().state().workspace(SUBSCRIPTION, GROUP, "ws-ws").orElseThrow();
        assertThat(stored.tags()).containsAllEntriesOf(owner.tags()).containsEntry("cost-center", "ml");
        assertThat(azure.arm().state().resource(ws.storageAccountId()).orElseThrow().tags()).containsAllEntriesOf(owner.tags());
        assertThat(azure.arm().state().resource(ws.applicationInsightsId()).orElseThrow().tags()).containsAllEntriesOf(owner.tags());

        azure.arm().journal().clear();
        WorkspaceOutcome rerun = step.ensure(request, p.vault, p.key, owner, new PreexistingResources(), NO_HEARTBEAT);
        assertThat(rerun).isEqualTo(ws);
        assertThat(azure.arm().journal().writes()).isEmpty();
        assertThat(azure.arm().state().managedResourceGroups()).filteredOn(g -> g.managedBy().equalsIgnoreCase(ws.workspaceId())).hasSize(1);
    }

    @Test
    void sendsTheUserAssignedIdentityForKeyAccess() throws Exception {
        String uai = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-cmk";
        String clientId = "0a1b2c3d-0000-4000-8000-123456789abc";
        CmkRequest request = TestRequests.copy(request("uai"))
                .workspace(new CmkRequest.Workspace("ws-uai", "UAI", false, uai, clientId, null, null)).build();
        azure.arm().state().userAssignedIdentity(SUBSCRIPTION, GROUP, "uai-cmk", "6f0e1d2c-3b4a-4596-8877-a1b2c3d4e5f6", clientId);
        Prepared p = prepare(request, owner("uai"));
        azure.arm().journal().clear();

        step.ensure(request, p.vault, p.key, owner("uai"), new PreexistingResources(), NO_HEARTBEAT);

        JsonNode body = JSON.readTree(azure.arm().journal().byOperation("Workspaces_CreateOrUpdate").stream()
                .filter(e -> "PUT".equals(e.method())).findFirst().orElseThrow().requestBody());
        assertThat(body.path("identity").path("type").asText()).isEqualTo("SystemAssigned, UserAssigned");
        assertThat(body.path("identity").path("userAssignedIdentities").has(uai)).isTrue();
        // "For future use" in the workspace API; the identity is encryption.identity.userAssignedIdentity (as Terraform sends it).
        assertThat(body.path("properties").path("encryption").path("keyVaultProperties").has("identityClientId")).isFalse();
        assertThat(body.path("properties").path("encryption").path("identity").path("userAssignedIdentity").asText()).isEqualTo(uai);
    }

    @Test
    void theCreateFailsInAzureWhenTheUserAssignedIdentityCannotUseTheKey() {
        String principal = "7a6b5c4d-1111-4222-8333-944455566677";
        String uai = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-noaccess";
        azure.arm().state().userAssignedIdentity(SUBSCRIPTION, GROUP, "uai-noaccess", principal, "0a1b2c3d-0000-4000-8000-00000000beef");
        CmkRequest withoutIdentity = request("uainoaccess");
        CmkRequest request = TestRequests.copy(withoutIdentity).workspace(new CmkRequest.Workspace(
                withoutIdentity.workspace().name(), null, false, uai, "0a1b2c3d-0000-4000-8000-00000000beef", null, null)).build();
        // Key access granted as before this feature: Cosmos DB only, not the identity.
        Prepared p = prepare(withoutIdentity, owner("uainoaccess"));

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request, p.vault, p.key, owner("uainoaccess"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().code()).isEqualTo("KeyVaultAccessDenied");
        assertThat(e.getMessage()).contains(uai).contains(principal);
        // As in Azure, the workspace stays, Failed; it is this run's, so the retry provisions it again.
        assertThat(azure.arm().state().workspace(SUBSCRIPTION, GROUP, withoutIdentity.workspace().name()))
                .hasValueSatisfying(ws -> assertThat(ws.provisioningState()).isEqualTo("Failed"));

        // Once step 4 grants the identity too, the retried create succeeds.
        KeyAccessStep access = new KeyAccessStep(azure.clients());
        access.grant(request, p.vault, access.accessBefore(request, p.vault));
        WorkspaceOutcome retried = step.ensure(request, p.vault, p.key, owner("uainoaccess"), new PreexistingResources(), NO_HEARTBEAT);
        assertThat(retried.provisioningState()).isEqualTo("Succeeded");
    }

    @Test
    void usesGivenStorageAndInsightsWithoutCreatingThem() {
        var storage = azure.arm().state().storageAccount(SUBSCRIPTION, GROUP, "stgiven001", LOCATION, Map.of());
        var insights = azure.arm().state().applicationInsights(SUBSCRIPTION, GROUP, "ai-given", LOCATION, Map.of());
        CmkRequest request = TestRequests.copy(request("given"))
                .workspace(new CmkRequest.Workspace("ws-given", null, false, null, null, storage.id(), insights.id())).build();
        Prepared p = prepare(request, owner("given"));
        azure.arm().journal().clear();

        WorkspaceOutcome ws = step.ensure(request, p.vault, p.key, owner("given"), new PreexistingResources(), NO_HEARTBEAT);

        assertThat(ws.storageAccountId()).isEqualToIgnoringCase(storage.id());
        assertThat(ws.storageAccountCreated()).isFalse();
        assertThat(ws.applicationInsightsCreated()).isFalse();
        assertThat(azure.arm().journal().writes()).extracting(JournalEntry::operation).containsOnly("Workspaces_CreateOrUpdate");

        List<UndoOutcome> undo = step.undo(request, owner("given"), NO_HEARTBEAT);
        assertThat(undo).singleElement().extracting(UndoOutcome::result).isEqualTo(UndoOutcome.Result.DELETED);
        assertThat(azure.arm().state().resource(storage.id())).isPresent();
        assertThat(azure.arm().state().resource(insights.id())).isPresent();
    }

    @Test
    void aFailedProvisioningSurfacesAzuresCodeAndClass() {
        CmkRequest request = request("quota");
        Prepared p = prepare(request, owner("quota"));
        azure.arm().state().failNextWorkspaceProvisioning("ws-quota", "QuotaExceeded", "Cosmos DB quota exceeded in westeurope");

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request, p.vault, p.key, owner("quota"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("QuotaExceeded");
        assertThat(e.getMessage()).contains("Cosmos DB quota exceeded");

        // Once the quota is there, the retried activity finishes the same workspace.
        WorkspaceOutcome retried = step.ensure(request, p.vault, p.key, owner("quota"), new PreexistingResources(), NO_HEARTBEAT);
        assertThat(retried.created()).isTrue();
        assertThat(retried.provisioningState()).isEqualTo("Succeeded");
    }

    @Test
    void refusesAnExistingWorkspaceEncryptedWithAnotherKey() {
        CmkRequest request = request("mismatch");
        Prepared p = prepare(request, owner("mismatch"));
        step.ensure(request, p.vault, p.key, owner("mismatch"), new PreexistingResources(), NO_HEARTBEAT);
        KeyOutcome otherKey = new KeyOutcome(p.key.keyId().replace(p.key.name(), "other"), "other",
                p.key.keyUrl().replace(p.key.name(), "other"), p.key.keyUrlWithVersion().replace(p.key.name(), "other"), true);
        azure.arm().journal().clear();

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> step.ensure(request, p.vault, otherKey, owner("mismatch"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("WorkspaceEncryptionMismatch");
        assertThat(azure.arm().journal().writes()).isEmpty();
    }

    @Test
    void undoDeletesAndPurgesTheWorkspaceAndWhatThisRunCreated_andAzureRemovesTheManagedGroup() {
        CmkRequest request = request("wsundo");
        Ownership owner = owner("wsundo");
        ProvisionedRun run = ProvisionedRun.of(azure, request, owner);
        String managedGroup = run.managedGroup().resourceGroupName();
        assertThat(azure.arm().state().resourceGroup(SUBSCRIPTION, managedGroup)).isPresent();

        List<UndoOutcome> undo = step.undo(request, owner, NO_HEARTBEAT);

        // The workspace, its storage account, its Application Insights and the Log Analytics workspace behind it.
        assertThat(undo).extracting(UndoOutcome::result).containsOnly(UndoOutcome.Result.DELETED).hasSize(4);
        assertThat(azure.arm().journal().byOperation("Workspaces_Delete")).anySatisfy(d -> assertThat(d.query()).containsEntry("forceToPurge", "true"));
        assertThat(azure.arm().state().workspace(SUBSCRIPTION, GROUP, "ws-wsundo")).isEmpty();
        assertThat(azure.arm().state().softDeletedWorkspaces()).noneMatch(w -> w.name().equals("ws-wsundo"));
        assertThat(azure.arm().state().resource(run.workspace().storageAccountId())).isEmpty();
        assertThat(azure.arm().state().resource(run.workspace().applicationInsightsId())).isEmpty();
        assertThat(azure.arm().state().resource(run.workspace().logAnalyticsWorkspaceId())).isEmpty();
        assertThat(azure.arm().state().resourceGroup(SUBSCRIPTION, managedGroup)).isEmpty();
        assertThat(azure.arm().state().refusedDeletes()).isEmpty();

        assertThat(step.undo(request, owner, NO_HEARTBEAT)).extracting(UndoOutcome::result)
                .containsOnly(UndoOutcome.Result.ALREADY_GONE);
    }

    @Test
    void undoOfEveryStepLeavesAzureAsBeforeTheRunExceptTheSoftDeletedVault() {
        CmkRequest request = request("clean");
        Ownership owner = owner("clean");
        var groupsBefore = azure.arm().state().resourceGroups().stream().map(ArmState.ResourceGroupView::name).toList();
        var resourcesBefore = ids(azure.arm().state().resourcesIn(SUBSCRIPTION, GROUP));
        ProvisionedRun run = ProvisionedRun.of(azure, request, owner);

        step.undo(request, owner, NO_HEARTBEAT);
        new KeyAccessStep(azure.clients()).undo(request, run.grant());
        new KeyStep(azure.clients()).undo(request, owner);
        UndoOutcome vault = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING).undo(request, owner);

        assertThat(vault.recoverableUntil()).isNotBlank();
        assertThat(azure.arm().state().resourceGroups().stream().map(ArmState.ResourceGroupView::name).toList())
                .containsExactlyInAnyOrderElementsOf(groupsBefore);
        assertThat(ids(azure.arm().state().resourcesIn(SUBSCRIPTION, GROUP))).containsExactlyInAnyOrderElementsOf(resourcesBefore);
        assertThat(azure.arm().state().deletedVault("kv-clean")).isPresent();
        assertThat(azure.arm().state().refusedDeletes()).isEmpty();
    }

    private static List<String> ids(List<ArmState.ResourceView> resources) {
        return resources.stream().map(r -> r.id().toLowerCase()).toList();
    }

    private static Prepared prepare(CmkRequest request, Ownership owner) {
        VaultOutcome vault = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING).ensure(request, owner, new PreexistingResources(), NO_HEARTBEAT);
        KeyOutcome key = new KeyStep(azure.clients()).ensure(request, vault, owner, new PreexistingResources());
        KeyAccessStep access = new KeyAccessStep(azure.clients());
        KeyAccessOutcome grant = access.grant(request, vault, access.accessBefore(request, vault));
        return new Prepared(vault, key, grant);
    }

    private record Prepared(VaultOutcome vault, KeyOutcome key, KeyAccessOutcome grant) {
    }
}
