package io.cmkflow.workflow;

import com.azure.resourcemanager.keyvault.fluent.VaultsClient;
import com.azure.resourcemanager.keyvault.fluent.models.VaultAccessPolicyParametersInner;
import com.azure.resourcemanager.keyvault.models.AccessPolicyEntry;
import com.azure.resourcemanager.keyvault.models.AccessPolicyUpdateKind;
import com.azure.resourcemanager.keyvault.models.KeyPermissions;
import com.azure.resourcemanager.keyvault.models.Permissions;
import com.azure.resourcemanager.keyvault.models.VaultAccessPolicyProperties;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.models.KeyProperties;
import com.azure.security.keyvault.keys.models.KeyRotationLifetimeAction;
import com.azure.security.keyvault.keys.models.KeyRotationPolicy;
import io.cmkflow.azure.WorkspaceStep;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.Ownership;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.arm.VaultSeed;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import io.cmkflow.contract.PostureReport;
import io.cmkflow.contract.PostureReport.Finding;
import io.cmkflow.contract.PostureReport.Posture;
import io.temporal.client.WorkflowOptions;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.testing.TestPostureScheduling;
import io.cmkflow.workflow.CmkRunState.Phase;
import io.cmkflow.workflow.CmkRunState.Result;
import io.cmkflow.workflow.CmkWorkflowStarter.Outcome;
import io.cmkflow.workflow.CmkWorkflowStarter.StartResult;
import io.temporal.client.WorkflowFailedException;
import io.temporal.client.WorkflowStub;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

/**
 * A workspace's life after its create, through the real activities against the ARM simulator on the Temporal test
 * server: key rotation ({@code "operation": "rotateKey"}) and the CMK posture check. Each test first creates its
 * workspace with a create run, then acts as an operator or as Azure would, and is judged by what the simulator holds
 * and saw. The test server has no Schedule API: the create's posture schedule is recorded (what it was asked to
 * schedule), and the posture check workflow is started as the schedule would start it; the schedule itself is tested
 * on the dev server.
 */
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AfterCreationAgainstSimulatorTest {

    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String SUBSCRIPTION = "0a1b2c3d-0000-4000-8000-000000000043";
    private static final String GROUP = "rg-cmk-rotation";
    private static final String LOCATION = "westeurope";
    private static final AtomicInteger RUNS = new AtomicInteger();

    private static SimulatedAzureWorker azure;
    private static final TestPostureScheduling schedules = new TestPostureScheduling();
    private String name;
    private CmkRequest create;
    private String workflowId;

    @BeforeAll
    static void startSimulatorAndTemporal() {
        azure = SimulatedAzureWorker.start(SUBSCRIPTION, GROUP, LOCATION, schedules);
    }

    @AfterAll
    static void stop() {
        azure.close();
    }

    @BeforeEach
    void createTheWorkspace() {
        name = "k" + RUNS.incrementAndGet();
        create = new CmkRequest("req-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("ws-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-" + name, null, "premium", 30, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"), Map.of());
        workflowId = WorkflowIds.forRequest(create);
    }

    @AfterEach
    void clearFaults() {
        azure.sim().faults().clear();
    }

    @Test
    void aRotationGivesTheWorkspaceANewVersionOfItsKeyAndKeepsTheOldOne() throws Exception {
        String before = created().keyIdentifier();
        azure.sim().journal().clear();

        StartResult start = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault())));
        CmkRunState rotated = result(start);

        assertThat(rotated.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(rotated.steps()).extracting(CmkRunState.StepState::step).containsExactlyElementsOf(CmkStep.of(Operation.ROTATE_KEY));
        assertThat(rotated.steps()).extracting(CmkRunState.StepState::phase).containsOnly(Phase.DONE);
        assertThat(rotated.steps()).extracting(CmkRunState.StepState::result)
                .containsExactly(Result.VERIFIED, Result.VERIFIED, Result.CREATED, Result.CHANGED);
        ArmState.WorkspaceView workspace = workspace();
        assertThat(workspace.keyIdentifier()).as("the workspace reports the new version")
                .isEqualTo(rotated.outcomes().key().keyUrlWithVersion()).isNotEqualTo(before);
        assertThat(rotated.outcomes().workspaceKey().keyIdentifier()).isEqualTo(before);
        ArmState.KeyView key = azure.sim().state().key(workspace.keyVaultArmId(), create.key().name()).orElseThrow();
        assertThat(key.versionCount()).as("the old version stays: data is wrapped with it").isEqualTo(2);
        assertThat(azure.sim().journal().where(e -> "DELETE".equals(e.method()))).isEmpty();
        assertThat(azure.sim().journal().where(e -> "Workspaces_Update".equals(e.operation())
                && e.path().endsWith("/workspaces/" + create.workspace().name()))).hasSize(1);
        List<StatusEvent> events = eventsOf("rot-" + name);
        assertThat(events).extracting(StatusEvent::type).containsExactly(StatusEvent.Type.accepted, StatusEvent.Type.step_done,
                StatusEvent.Type.step_done, StatusEvent.Type.step_done, StatusEvent.Type.step_done, StatusEvent.Type.succeeded);
        assertThat(events.get(5).message()).contains(workspace.keyIdentifier(), "was " + before);
        WorkflowHistories.replayAndKeep("keyRotationSwitchesTheWorkspaceToANewVersion", azure.client().fetchHistory(workflowId, start.runId()), true);
    }

    @Test
    void aRotationToAnotherKeyOfTheVaultCreatesItWhenAbsent() {
        created();
        String other = "cmk2-" + name;

        CmkRunState rotated = result(azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, other, create.keyVault()))));

        assertThat(rotated.status()).isEqualTo(CmkStatus.Succeeded);
        ArmState.WorkspaceView workspace = workspace();
        assertThat(workspace.keyIdentifier()).contains("/keys/" + other + "/").isEqualTo(rotated.outcomes().key().keyUrlWithVersion());
        assertThat(azure.sim().state().key(workspace.keyVaultArmId(), other).orElseThrow().versionCount()).isEqualTo(1);
    }

    @Test
    void aRotationNamingAnotherVaultIsRefusedBeforeAnyAzureCall() {
        created();
        azure.sim().journal().clear();

        StartResult start = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(),
                new CmkRequest.KeyVault("kv-other-" + name, null, "premium", 30, null))));

        assertThat(start.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(start.refusal().field()).isEqualTo("keyVault.name");
        assertThat(start.refusal().rule()).isEqualTo("keyVault.workspaceVault");
        assertThat(start.refusal().getMessage()).contains("kv-" + name);
        assertThat(azure.sim().journal().where(e -> true)).isEmpty();
        assertThat(azure.client().newUntypedWorkflowStub(workflowId).describe().getWorkflowType()).isEqualTo(CmkWorkspaceWorkflow.TYPE);
        assertThat(azure.client().newUntypedWorkflowStub(workflowId).query("state", CmkRunState.class).request().requestId())
                .as("no rotation run started").isEqualTo(create.requestId());
    }

    @Test
    void aRotationOfAWorkspaceCmkflowDidNotCreateIsRefused() {
        StartResult start = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault())));

        assertThat(start.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(start.refusal().field()).isEqualTo("operation");
        assertThat(start.refusal().rule()).isEqualTo("operation.managedWorkspace");
        assertThat(azure.sim().journal().where(e -> e.path().contains("/ws-" + name))).isEmpty();
    }

    @Test
    void aWorkspaceWhoseRunTagNoLongerNamesItsCreateIsNotChanged() {
        String before = created().keyIdentifier();
        // Someone re-tagged the workspace: its tag no longer names the run Temporal's record says made it.
        azure.clients().forRequest(create).genericResources().manager().serviceClient().getResources().updateById(
                workspace().id(), WorkspaceStep.ML_API_VERSION, new GenericResourceInner().withTags(Map.of(Ownership.TAG_RUN_ID, "someone-else")));
        azure.sim().journal().clear();

        StartResult start = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault())));
        CmkRunState parked = awaitParkedAt(CmkStep.READ_WORKSPACE_KEY);
        assertThat(parked.lastError()).contains("WorkspaceNotCmkflows");
        typedStub().abort("not ours");
        CmkRunState ended = failedResult(start);

        assertThat(ended.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(ended.compensation()).as("nothing was changed, so nothing is undone").isEmpty();
        assertThat(workspace().keyIdentifier()).isEqualTo(before);
        assertThat(azure.sim().journal().where(JournalEntry::isWrite)).as("no write at all").isEmpty();
    }

    @Test
    void aKeyChangeAzureRefusesParksAndItsAbortLeavesTheWorkspaceOnItsKey() {
        String before = created().keyIdentifier();
        azure.sim().faults().inject(FaultRule.forOperation("Workspaces_Update").subscription(SUBSCRIPTION).status(403)
                .code("AuthorizationFailed").message("The client does not have authorization to perform Workspaces_Update").always());

        StartResult start = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault())));
        awaitParkedAt(CmkStep.CHANGE_WORKSPACE_KEY);
        typedStub().abort("Azure refuses the key change");
        CmkRunState ended = failedResult(start);

        assertThat(ended.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(ended.compensation()).singleElement().satisfies(undo -> {
            assertThat(undo.action()).isEqualTo(Undos.RESTORE_WORKSPACE_KEY);
            assertThat(undo.outcomes()).extracting(UndoOutcome::result).containsExactly(UndoOutcome.Result.RESTORED);
        });
        assertThat(workspace().keyIdentifier()).isEqualTo(before);
    }

    @Test
    void anAbortAfterTheKeyChangeLandedSetsTheOldKeyBack() throws Exception {
        String before = created().keyIdentifier();
        // Azure took the switch; only its operation's answer is refused: the run parks while the switch completes.
        azure.sim().faults().inject(FaultRule.forOperation("WorkspaceOperations_GetResult").subscription(SUBSCRIPTION).status(403)
                .code("AuthorizationFailed").message("The client does not have authorization to read the operation").times(1));

        StartResult start = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault())));
        CmkRunState parked = awaitParkedAt(CmkStep.CHANGE_WORKSPACE_KEY);
        String rotatedTo = parked.outcomes().key().keyUrlWithVersion();
        await().atMost(Duration.ofSeconds(30)).until(() -> rotatedTo.equals(workspace().keyIdentifier()));
        typedStub().abort("undo the rotation");
        CmkRunState ended = failedResult(start);

        assertThat(ended.status()).isEqualTo(CmkStatus.Compensated);
        assertThat(ended.compensation()).singleElement().satisfies(undo -> assertThat(undo.outcomes())
                .extracting(UndoOutcome::result).containsExactly(UndoOutcome.Result.RESTORED));
        assertThat(workspace().keyIdentifier()).isEqualTo(before);
        assertThat(azure.sim().journal().where(e -> "Workspaces_Update".equals(e.operation()) && e.status() < 300
                && e.path().endsWith("/workspaces/" + create.workspace().name()))).as("the switch and its undo").hasSize(2);
        assertThat(azure.sim().state().key(workspace().keyVaultArmId(), create.key().name()).orElseThrow().versionCount())
                .as("the new version stays").isEqualTo(2);
        WorkflowHistories.replayAndKeep("keyRotationAbortSetsTheOldKeyBack", azure.client().fetchHistory(workflowId, start.runId()), true);
    }

    @Test
    void aKeyCreatedWithARotationPolicyCarriesItAndARotationMovesTheWorkspaceToTheVersionKeyVaultMade() {
        create = withKeyPolicy(new CmkRequest.RotationPolicy(365, 30, 45));
        String before = created().keyIdentifier();
        KeyClient keys = asVaultOwner(KeyPermissions.GETROTATIONPOLICY, KeyPermissions.ROTATE);
        String keyName = create.key().name();

        assertThat(keys.getKey(keyName).getProperties().getExpiresOn()).as("the first version expires as the policy says")
                .isBetween(OffsetDateTime.now(ZoneOffset.UTC).plusDays(364), OffsetDateTime.now(ZoneOffset.UTC).plusDays(366));
        KeyRotationPolicy policy = granted(() -> keys.getKeyRotationPolicy(keyName));
        assertThat(policy.getExpiresIn()).isEqualTo("P365D");
        // The management plane's action types are lower case, the data plane's capitalized; Key Vault takes either.
        assertThat(policy.getLifetimeActions()).extracting(a -> a.getAction().toString().toLowerCase(java.util.Locale.ROOT),
                KeyRotationLifetimeAction::getTimeBeforeExpiry).containsExactlyInAnyOrder(tuple("rotate", "P30D"), tuple("notify", "P45D"));
        assertThat(azure.sim().journal().where(e -> "UpdateKeyRotationPolicy".equals(e.operation())))
                .as("set in the key's create request, not through the data plane").isEmpty();

        // Key Vault's automatic rotation, as its on-demand form: a new version the workspace does not use yet.
        String keyVaultsVersion = granted(() -> keys.rotateKey(keyName)).getProperties().getVersion();
        azure.sim().journal().clear();
        CmkRunState rotated = result(azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, keyName, create.keyVault()))));

        assertThat(rotated.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(workspace().keyIdentifier()).endsWith("/keys/" + keyName + "/" + keyVaultsVersion).isNotEqualTo(before);
        assertThat(azure.sim().state().key(workspace().keyVaultArmId(), keyName).orElseThrow().versionCount())
                .as("no version besides Key Vault's").isEqualTo(2);
        assertThat(azure.sim().journal().where(e -> "CreateKey".equals(e.operation()))).isEmpty();
    }

    @Test
    void aNewVersionARotationMakesExpiresAsTheKeysPolicySays() {
        create = withKeyPolicy(new CmkRequest.RotationPolicy(90, null, null));
        created();

        CmkRunState rotated = result(azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault()))));

        assertThat(rotated.status()).isEqualTo(CmkStatus.Succeeded);
        KeyClient keys = asVaultOwner();
        String version = workspace().keyIdentifier().substring(workspace().keyIdentifier().lastIndexOf('/') + 1);
        assertThat(keys.getKey(create.key().name(), version).getProperties().getExpiresOn())
                .isBetween(OffsetDateTime.now(ZoneOffset.UTC).plusDays(89), OffsetDateTime.now(ZoneOffset.UTC).plusDays(91));
        assertThat(azure.sim().state().key(workspace().keyVaultArmId(), create.key().name()).orElseThrow().versionCount()).isEqualTo(2);
    }

    @Test
    void aCreateSchedulesThePostureOfItsWorkspaceAndAHealthyWorkspaceIsHealthy() {
        CmkRunState created = createRun();
        ManagedWorkspace managed = managed(created);
        assertThat(schedules.scheduled).contains(managed);
        assertThat(eventsOf(create.requestId()).get(eventsOf(create.requestId()).size() - 1).resources())
                .containsEntry("postureSchedule", WorkflowIds.forPosture(create));

        PostureRun check = posture(managed);

        assertThat(check.report().posture()).isEqualTo(Posture.Healthy);
        assertThat(check.report().findings()).extracting(Finding::check)
                .containsExactly("workspace", "keyVault", "key", "keyAccess", "managedResourceGroup");
        assertThat(check.report().findings()).extracting(Finding::posture).containsOnly(Posture.Healthy);
        assertThat(check.searchAttribute()).isEqualTo("Healthy");
        assertThat(check.event().status()).isEqualTo("Healthy");
        assertThat(check.event().requestId()).isEqualTo(create.requestId());
        assertThat(check.event().resources()).containsEntry("workspaceId", managed.workspaceId());
    }

    @Test
    void aDisabledKeyIsBroken() throws Exception {
        ManagedWorkspace managed = managed(createRun());
        updateWorkspaceKey(properties -> properties.setEnabled(false));

        PostureRun check = posture(managed);

        assertThat(check.report().posture()).isEqualTo(Posture.Broken);
        assertThat(finding(check, "key")).satisfies(f -> {
            assertThat(f.posture()).isEqualTo(Posture.Broken);
            assertThat(f.reason()).contains("is disabled");
        });
        assertThat(check.searchAttribute()).isEqualTo("Broken");
        assertThat(check.event().message()).contains("key Broken");
        WorkflowHistories.replayAndKeep("postureFindsADisabledKey", azure.client().fetchHistory(check.workflowId()), true);
    }

    @Test
    void anExpiredKeyIsBroken() {
        ManagedWorkspace managed = managed(createRun());
        updateWorkspaceKey(properties -> properties.setExpiresOn(OffsetDateTime.now(ZoneOffset.UTC).minusDays(1)));

        assertThat(finding(posture(managed), "key")).satisfies(f -> {
            assertThat(f.posture()).isEqualTo(Posture.Broken);
            assertThat(f.reason()).contains("expired at");
        });
    }

    @Test
    void aKeyExpiringWithinTheThresholdIsAtRisk() {
        ManagedWorkspace managed = managed(createRun());
        updateWorkspaceKey(properties -> properties.setExpiresOn(OffsetDateTime.now(ZoneOffset.UTC).plusDays(10)));

        PostureRun check = posture(managed);

        assertThat(check.report().posture()).isEqualTo(Posture.AtRisk);
        assertThat(finding(check, "key").reason()).contains("within 30 days", "rotate");
        assertThat(check.searchAttribute()).isEqualTo("AtRisk");
    }

    @Test
    void cosmosDbsAccessRemovedIsBroken() {
        ManagedWorkspace managed = managed(createRun());
        String cosmosDb = azure.clients().principals().cosmosDbObjectId(create);
        removeCosmosDbsAccess(cosmosDb);

        assertThat(finding(posture(managed), "keyAccess")).satisfies(f -> {
            assertThat(f.posture()).isEqualTo(Posture.Broken);
            assertThat(f.reason()).contains("Azure Cosmos DB (" + cosmosDb + ")");
        });
    }

    @Test
    void withRepairsOnAPostureCheckThatFindsCosmosDbsAccessRemovedStartsARepairThatGrantsItAgain() throws Exception {
        ManagedWorkspace managed = managed(createRun());
        String cosmosDb = azure.clients().principals().cosmosDbObjectId(create);
        removeCosmosDbsAccess(cosmosDb);
        schedules.repairs = azure.starter();
        PostureRun check;
        try {
            check = posture(managed);
        } finally {
            schedules.repairs = null;
        }

        assertThat(check.report().posture()).isEqualTo(Posture.Broken);
        assertThat(check.event().message()).contains("keyAccess Broken", "key access repair started as request posture-repair-");
        WorkflowStub repairRun = azure.client().newUntypedWorkflowStub(workflowId);
        CmkRunState repaired = repairRun.getResult(CmkRunState.class);
        assertThat(repaired.request().operationOrDefault()).isEqualTo(Operation.REPAIR_KEY_ACCESS);
        assertThat(repaired.request().requestId()).startsWith("posture-repair-");
        assertThat(repaired.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(repaired.steps()).extracting(CmkRunState.StepState::step).containsExactlyElementsOf(CmkStep.of(Operation.REPAIR_KEY_ACCESS));
        assertThat(repaired.steps()).extracting(CmkRunState.StepState::result).containsExactly(Result.VERIFIED, Result.CREATED);
        assertThat(eventsOf(repaired.request().requestId())).extracting(StatusEvent::type).containsExactly(StatusEvent.Type.accepted,
                StatusEvent.Type.step_done, StatusEvent.Type.step_done, StatusEvent.Type.succeeded);
        assertThat(finding(posture(managed), "keyAccess").posture()).as("the next check").isEqualTo(Posture.Healthy);
        WorkflowHistories.replayAndKeep("postureStartsAKeyAccessRepair", azure.client().fetchHistory(check.workflowId()), true);
        WorkflowHistories.replayAndKeep("keyAccessRepairGrantsCosmosDbAgain", azure.client().fetchHistory(workflowId,
                repairRun.describe().getExecution().getRunId()), true);
    }

    @Test
    void withRepairsOffAPostureCheckStartsNothing() {
        ManagedWorkspace managed = managed(createRun());
        removeCosmosDbsAccess(azure.clients().principals().cosmosDbObjectId(create));
        String createRunId = azure.client().newUntypedWorkflowStub(workflowId).describe().getExecution().getRunId();

        PostureRun check = posture(managed);

        assertThat(check.report().posture()).isEqualTo(Posture.Broken);
        assertThat(check.event().message()).doesNotContain("repair");
        assertThat(azure.client().newUntypedWorkflowStub(workflowId).describe().getExecution().getRunId()).isEqualTo(createRunId);
    }

    @Test
    void aRepairOfCompleteAccessGrantsNothingAndARepairOfAWorkspaceCmkflowDidNotCreateIsRefused() {
        StartResult refused = azure.starter().start(new CmkWorkflowInput(repair("rep0-" + name)));
        assertThat(refused.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(refused.refusal().rule()).isEqualTo("operation.managedWorkspace");
        assertThat(refused.refusal().getMessage()).contains("repairKeyAccess changes only a workspace cmkflow created");

        createRun();
        azure.sim().journal().clear();
        CmkRunState repaired = result(azure.starter().start(new CmkWorkflowInput(repair("rep-" + name))));

        assertThat(repaired.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(repaired.steps()).extracting(CmkRunState.StepState::result).containsExactly(Result.VERIFIED, Result.SKIPPED);
        assertThat(eventsOf("rep-" + name).get(3).message()).contains("was complete: nothing granted");
        assertThat(azure.sim().journal().where(JournalEntry::isWrite)).as("nothing written").isEmpty();
    }

    @Test
    void aPurgingDecommissionDeletesTheWorkspaceLeavesItsManagedGroupToAzureAndEndsItsPostureSchedule() throws Exception {
        createRun();
        String managedGroup = workspace().managedResourceGroup();
        assertThat(azure.sim().state().resourceGroup(SUBSCRIPTION, managedGroup)).isPresent();
        azure.sim().journal().clear();

        StartResult start = azure.starter().start(new CmkWorkflowInput(decommission("dec-" + name, true)));
        CmkRunState done = result(start);

        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(done.steps()).extracting(CmkRunState.StepState::step).containsExactlyElementsOf(CmkStep.of(Operation.DECOMMISSION));
        assertThat(done.steps()).extracting(CmkRunState.StepState::result)
                .containsExactly(Result.VERIFIED, Result.DELETED, Result.VERIFIED, Result.SKIPPED);
        assertThat(done.outcomes().decommission().managedGroupRemoved()).isTrue();
        assertThat(azure.sim().state().workspace(SUBSCRIPTION, GROUP, create.workspace().name())).isEmpty();
        assertThat(azure.sim().state().softDeletedWorkspaces()).noneMatch(w -> w.name().equals(create.workspace().name()));
        assertThat(azure.sim().state().resourceGroup(SUBSCRIPTION, managedGroup)).as("Azure removed it").isEmpty();
        assertThat(azure.sim().journal().where(e -> "DELETE".equals(e.method()))).singleElement().satisfies(delete -> {
            assertThat(delete.path()).endsWith("/workspaces/" + create.workspace().name());
            assertThat(delete.query()).containsEntry("forceToPurge", "true");
        });
        assertThat(azure.sim().state().refusedDeletes()).isEmpty();
        assertThat(schedules.removed).contains(WorkflowIds.forPosture(create));
        List<StatusEvent> events = eventsOf("dec-" + name);
        assertThat(events).extracting(StatusEvent::type).containsExactly(StatusEvent.Type.accepted, StatusEvent.Type.step_done,
                StatusEvent.Type.step_done, StatusEvent.Type.step_done, StatusEvent.Type.step_done, StatusEvent.Type.succeeded);
        assertThat(events.get(5).message()).contains("decommissioned", "purged", "Azure removed managed resource group " + managedGroup,
                "what the create made for the workspace is kept");
        assertThat(azure.sim().state().vault(SUBSCRIPTION, GROUP, create.keyVault().name())).as("kept unless asked").isPresent();
        WorkflowHistories.replayAndKeep("decommissionPurgesTheWorkspace", azure.client().fetchHistory(workflowId, start.runId()), true);

        StartResult rotationAfter = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault())));
        assertThat(rotationAfter.outcome()).as("the workspace is gone: nothing to rotate").isEqualTo(Outcome.REFUSED);
        assertThat(rotationAfter.refusal().rule()).isEqualTo("operation.managedWorkspace");
    }

    @Test
    void aSoftDecommissionLeavesTheManagedGroupAndTheBlockedNameToAzuresRetention() {
        createRun();
        String managedGroup = workspace().managedResourceGroup();

        CmkRunState done = result(azure.starter().start(new CmkWorkflowInput(decommission("dec-" + name, false))));

        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(done.outcomes().decommission().managedGroupRemoved()).isFalse();
        assertThat(azure.sim().state().workspace(SUBSCRIPTION, GROUP, create.workspace().name())).isEmpty();
        assertThat(azure.sim().state().softDeletedWorkspaces()).anyMatch(w -> w.name().equals(create.workspace().name()));
        assertThat(azure.sim().state().resourceGroup(SUBSCRIPTION, managedGroup)).isPresent();
        assertThat(eventsOf("dec-" + name).get(5).message()).contains("soft-deleted", "name blocked", managedGroup + " stays");
    }

    @Test
    void aDecommissionAskedToDeletesWhatTheCreateMadeAndTheTargetCanBeCreatedAgain() {
        CmkRunState created = createRun();
        ArmState.WorkspaceView workspace = workspace();
        String storage = created.outcomes().workspace().storageAccountId();
        CmkRequest decommission = new CmkRequest("dec-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                create.workspace(), create.keyVault(), create.key(), Map.of(), Operation.DECOMMISSION.wireName(),
                new CmkRequest.Decommission(create.workspace().name(), true, true));

        CmkRunState done = result(azure.starter().start(new CmkWorkflowInput(decommission)));

        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(done.steps()).extracting(CmkRunState.StepState::result)
                .containsExactly(Result.VERIFIED, Result.DELETED, Result.VERIFIED, Result.DELETED);
        assertThat(azure.sim().state().vault(SUBSCRIPTION, GROUP, create.keyVault().name())).isEmpty();
        assertThat(azure.sim().state().deletedVault(create.keyVault().name())).as("soft-deleted: purge protection").isPresent();
        assertThat(azure.sim().state().key(workspace.keyVaultArmId(), create.key().name()).map(ArmState.KeyView::deleted)).hasValue(true);
        assertThat(azure.sim().state().resource(storage)).isEmpty();
        assertThat(azure.sim().state().resourcesIn(SUBSCRIPTION, GROUP)).as("nothing of the workspace's left")
                .noneMatch(r -> r.name().startsWith(create.workspace().name()) || r.name().equals(create.keyVault().name()));
        assertThat(eventsOf("dec-" + name).get(5).message()).contains("made for it:", "DELETED");

        // The same target again: the vault and the key its earlier run made come back from soft delete.
        CmkRequest again = new CmkRequest("again-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                create.workspace(), create.keyVault(), create.key(), Map.of());
        CmkRunState recreated = result(azure.starter().start(new CmkWorkflowInput(again)));
        assertThat(recreated.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(recreated.outcomes().vault().disposition()).isEqualTo(VaultOutcome.Disposition.RECOVERED);
        assertThat(workspace()).isNotNull();
    }

    @Test
    void aDecommissionLeavesAVaultTheCreateDidNotMake() {
        CmkRequest.KeyVault given = new CmkRequest.KeyVault(null, "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.KeyVault/vaults/kvx-" + name, null, null, null);
        azure.sim().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kvx-" + name).location(LOCATION).tenantId(TENANT)
                .purgeProtection(true).accessPolicy(azure.clients().principals().ownObjectId(create),
                        List.of("get", "create", "delete", "purge", "recover")));
        create = new CmkRequest(create.requestId(), SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                create.workspace(), given, create.key(), Map.of());
        createRun();
        CmkRequest decommission = new CmkRequest("dec-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                create.workspace(), given, create.key(), Map.of(), Operation.DECOMMISSION.wireName(),
                new CmkRequest.Decommission(create.workspace().name(), true, true));

        CmkRunState done = result(azure.starter().start(new CmkWorkflowInput(decommission)));

        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(azure.sim().state().vault(SUBSCRIPTION, GROUP, "kvx-" + name)).as("the request gave it: not cmkflow's").isPresent();
        assertThat(eventsOf("dec-" + name).get(5).message()).contains("kvx-" + name + " NOT_OURS");
    }

    @Test
    void aDecommissionOfAWorkspaceCmkflowDidNotCreateIsRefusedBeforeAnyAzureCall() {
        azure.sim().journal().clear();

        StartResult start = azure.starter().start(new CmkWorkflowInput(decommission("dec-" + name, true)));

        assertThat(start.outcome()).isEqualTo(Outcome.REFUSED);
        assertThat(start.refusal().rule()).isEqualTo("operation.managedWorkspace");
        assertThat(start.refusal().getMessage()).contains("decommission changes only a workspace cmkflow created");
        assertThat(azure.sim().journal().where(e -> true)).isEmpty();
    }

    @Test
    void aDecommissionLeavesTheVaultAndKeyAnotherWorkspaceIsEncryptedWith() {
        CmkRunState created = createRun();
        // A second workspace (another target) given the first one's vault by existingId, with the same key.
        CmkRequest.KeyVault shared = new CmkRequest.KeyVault(null, created.outcomes().vault().vaultId(), null, null, null);
        CmkRequest other = new CmkRequest("other-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("ws2-" + name, null, false, null, null, null, null), shared, create.key(), Map.of());
        CmkRunState otherCreated = azure.client().newUntypedWorkflowStub(WorkflowIds.forRequest(other),
                Optional.of(azure.starter().start(new CmkWorkflowInput(other)).runId()), Optional.empty()).getResult(CmkRunState.class);
        assertThat(otherCreated.status()).isEqualTo(CmkStatus.Succeeded);

        CmkRunState done = result(azure.starter().start(new CmkWorkflowInput(new CmkRequest("dec-" + name, SUBSCRIPTION,
                TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION, create.workspace(), create.keyVault(), create.key(), Map.of(),
                Operation.DECOMMISSION.wireName(), new CmkRequest.Decommission(create.workspace().name(), true, true)))));

        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(azure.sim().state().vault(SUBSCRIPTION, GROUP, create.keyVault().name())).as("ws2 uses it").isPresent();
        assertThat(azure.sim().state().key(created.outcomes().vault().vaultId(), create.key().name()).map(ArmState.KeyView::deleted))
                .hasValue(false);
        assertThat(eventsOf("dec-" + name).get(5).message()).contains("IN_USE", "ws2-" + name);
        assertThat(azure.sim().state().workspace(SUBSCRIPTION, GROUP, "ws2-" + name)).isPresent();
    }

    @Test
    void aDecommissionLeavesTheVaultAndKeyARunInFlightWasGiven() {
        CmkRunState created = createRun();
        CmkRequest.KeyVault shared = new CmkRequest.KeyVault(null, created.outcomes().vault().vaultId(), null, null, null);
        CmkRequest other = new CmkRequest("other-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("ws3-" + name, null, false, null, null, null, null), shared, create.key(), Map.of());
        String otherWorkflow = WorkflowIds.forRequest(other);
        // The other run has no workspace yet: it parks on its create, relying on the vault.
        azure.sim().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").resourceName("ws3-" + name).status(403)
                .code("AuthorizationFailed").message("The client does not have authorization to create the workspace").always());
        azure.starter().start(new CmkWorkflowInput(other));
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> CmkStatus.AwaitingOperator.name()
                .equals(azure.client().newUntypedWorkflowStub(otherWorkflow).describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)));

        CmkRunState done = result(azure.starter().start(new CmkWorkflowInput(new CmkRequest("dec-" + name, SUBSCRIPTION,
                TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION, create.workspace(), create.keyVault(), create.key(), Map.of(),
                Operation.DECOMMISSION.wireName(), new CmkRequest.Decommission(create.workspace().name(), true, true)))));

        assertThat(done.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(azure.sim().state().vault(SUBSCRIPTION, GROUP, create.keyVault().name())).isPresent();
        assertThat(eventsOf("dec-" + name).get(5).message()).contains("IN_USE", "in flight name this vault", otherWorkflow);
        azure.client().newWorkflowStub(CmkWorkspaceWorkflow.class, otherWorkflow).abort("test over");
    }

    @Test
    void aServiceSideWorkspaceHasNoManagedGroupAndIsRotatedCheckedAndDecommissionedLikeAClassicOne() {
        create = serviceSide(create);
        int managedGroupsBefore = azure.sim().state().managedResourceGroups().size();

        CmkRunState created = createRun();

        ArmState.WorkspaceView workspace = workspace();
        assertThat(workspace.document().path("properties").path("enableServiceSideCMKEncryption").asBoolean()).isTrue();
        assertThat(workspace.managedResourceGroup()).isNull();
        assertThat(azure.sim().state().managedResourceGroups()).hasSize(managedGroupsBefore);
        assertThat(created.outcomes().managedGroup().serviceSide()).isTrue();
        assertThat(eventsOf(create.requestId())).filteredOn(e -> "verify_managed_resource_group".equals(e.step()))
                .singleElement().satisfies(e -> assertThat(e.message()).contains("service-side CMK mode verified"));

        assertThat(finding(posture(managed(created)), "managedResourceGroup")).satisfies(f -> {
            assertThat(f.posture()).isEqualTo(Posture.Healthy);
            assertThat(f.reason()).contains("service-side CMK mode");
        });
        CmkRunState rotated = result(azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault()))));
        assertThat(rotated.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(rotated.request().workspace().serviceSide()).isTrue();
        CmkRunState decommissioned = result(azure.starter().start(new CmkWorkflowInput(decommission("dec-" + name, true))));
        assertThat(decommissioned.status()).isEqualTo(CmkStatus.Succeeded);
        assertThat(eventsOf("dec-" + name).get(5).message()).contains("reported no managed resource group");
        assertThat(azure.sim().state().workspace(SUBSCRIPTION, GROUP, create.workspace().name())).isEmpty();
    }

    @Test
    void aServiceSideWorkspaceRefusesAGivenVaultInAnotherRegion() {
        azure.sim().state().vault(VaultSeed.of(SUBSCRIPTION, GROUP, "kvr-" + name).location("eastus").tenantId(TENANT)
                .purgeProtection(true));
        create = serviceSide(new CmkRequest(create.requestId(), SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                create.workspace(), new CmkRequest.KeyVault(null, "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + GROUP
                + "/providers/Microsoft.KeyVault/vaults/kvr-" + name, null, null, null), create.key(), Map.of()));

        azure.starter().start(new CmkWorkflowInput(create));

        assertThat(awaitParkedAt(CmkStep.CREATE_KEY_VAULT).lastError()).contains("VaultNotCompliant", "eastus",
                "service-side CMK encryption needs the vault in the workspace's region " + LOCATION);
        typedStub().abort("wrong region");
    }

    @Test
    void aDeletedWorkspaceIsBroken() {
        ManagedWorkspace managed = managed(createRun());
        azure.clients().forRequest(create).genericResources().manager().serviceClient().getResources()
                .deleteById(managed.workspaceId(), WorkspaceStep.ML_API_VERSION);

        PostureRun check = posture(managed);

        assertThat(check.report().posture()).isEqualTo(Posture.Broken);
        assertThat(check.report().findings()).singleElement().satisfies(f -> {
            assertThat(f.check()).isEqualTo("workspace");
            assertThat(f.reason()).contains("does not exist");
        });
    }

    @Test
    void aCancelAfterTheKeyChangeLandedSetsTheOldKeyBackToo() {
        String before = created().keyIdentifier();
        azure.sim().faults().inject(FaultRule.forOperation("WorkspaceOperations_GetResult").subscription(SUBSCRIPTION).status(403)
                .code("AuthorizationFailed").message("The client does not have authorization to read the operation").times(1));

        StartResult start = azure.starter().start(new CmkWorkflowInput(rotation("rot-" + name, create.key().name(), create.keyVault())));
        String rotatedTo = awaitParkedAt(CmkStep.CHANGE_WORKSPACE_KEY).outcomes().key().keyUrlWithVersion();
        await().atMost(Duration.ofSeconds(30)).until(() -> rotatedTo.equals(workspace().keyIdentifier()));
        runStub(start).cancel();

        await().atMost(Duration.ofSeconds(30)).until(() -> runStub(start).query("state", CmkRunState.class).status() == CmkStatus.Cancelled);
        CmkRunState ended = runStub(start).query("state", CmkRunState.class);
        assertThat(ended.compensation()).singleElement().satisfies(undo -> assertThat(undo.outcomes())
                .extracting(UndoOutcome::result).containsExactly(UndoOutcome.Result.RESTORED));
        assertThat(workspace().keyIdentifier()).isEqualTo(before);
    }

    // --- helpers ----------------------------------------------------------------------------------------------

    /** A posture check's result as the workflow returned it, showed it ({@code CmkPosture}) and published it. */
    private record PostureRun(String workflowId, PostureReport report, String searchAttribute, StatusEvent event) {
    }

    /** Runs the posture check as the workspace's schedule starts it. */
    private PostureRun posture(ManagedWorkspace managed) {
        String checkId = WorkflowIds.forPosture(create) + "-" + RUNS.incrementAndGet();
        CmkPostureWorkflow workflow = azure.client().newWorkflowStub(CmkPostureWorkflow.class, WorkflowOptions.newBuilder()
                .setWorkflowId(checkId).setTaskQueue(CmkWorkflowWorker.TASK_QUEUE).build());
        PostureReport report = workflow.check(new CmkPostureInput(create, managed, Duration.ofDays(30)));
        String shown = azure.client().newUntypedWorkflowStub(checkId).describe().getTypedSearchAttributes().get(CmkSearchAttributes.POSTURE);
        StatusEvent event = azure.statusSink().delivered.stream().filter(e -> checkId.equals(e.workflowId())).findFirst().orElseThrow();
        assertThat(event.type()).isEqualTo(StatusEvent.Type.posture);
        return new PostureRun(checkId, report, shown, event);
    }

    private static Finding finding(PostureRun check, String name) {
        return check.report().findings().stream().filter(f -> f.check().equals(name)).findFirst().orElseThrow();
    }

    /** The workspace as its create run's result records it. */
    private ManagedWorkspace managed(CmkRunState created) {
        return new ManagedWorkspace(created.outcomes().workspace().workspaceId(), created.outcomes().vault().vaultId(),
                created.runId(), created.resourcesCreated());
    }

    /** Changes the key version the workspace uses as a vault owner would, with the update permission cmkflow lacks. */
    private void updateWorkspaceKey(java.util.function.Consumer<KeyProperties> change) {
        KeyClient keys = asVaultOwner(KeyPermissions.UPDATE);
        String version = workspace().keyIdentifier().substring(workspace().keyIdentifier().lastIndexOf('/') + 1);
        KeyProperties properties = keys.getKey(create.key().name(), version).getProperties();
        change.accept(properties);
        granted(() -> keys.updateKeyProperties(properties));
    }

    /**
     * The vault's data plane as its owner sees it: cmkflow's principal (the simulator's caller) holds get on keys and
     * first gives itself {@code permissions} (see {@link #granted}).
     */
    private KeyClient asVaultOwner(KeyPermissions... permissions) {
        if (permissions.length > 0) {
            vaults().updateAccessPolicy(GROUP, create.keyVault().name(), AccessPolicyUpdateKind.ADD,
                    new VaultAccessPolicyParametersInner().withProperties(new VaultAccessPolicyProperties().withAccessPolicies(List.of(
                            new AccessPolicyEntry().withTenantId(UUID.fromString(TENANT)).withObjectId(azure.clients().principals().ownObjectId(create))
                                    .withPermissions(new Permissions().withKeys(List.of(permissions)))))));
        }
        return azure.clients().keyClient(create, vaults().getByResourceGroup(GROUP, create.keyVault().name()).properties().vaultUri());
    }

    /** A call that needs a permission {@link #asVaultOwner} granted: retried until Azure's propagation delay has passed. */
    private static <T> T granted(java.util.concurrent.Callable<T> call) {
        return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(call, java.util.Objects::nonNull);
    }

    private CmkRequest withKeyPolicy(CmkRequest.RotationPolicy policy) {
        CmkRequest.Key key = create.key();
        return new CmkRequest(create.requestId(), create.subscriptionId(), create.tenantId(), create.cloud(), create.resourceGroup(),
                create.location(), create.workspace(), create.keyVault(), new CmkRequest.Key(key.name(), key.size(), key.type(), policy),
                create.tags());
    }

    /** Someone removes Azure Cosmos DB's access policy entry from the workspace's vault. */
    private void removeCosmosDbsAccess(String cosmosDb) {
        vaults().updateAccessPolicy(GROUP, create.keyVault().name(), AccessPolicyUpdateKind.REMOVE,
                new VaultAccessPolicyParametersInner().withProperties(new VaultAccessPolicyProperties().withAccessPolicies(List.of(
                        new AccessPolicyEntry().withTenantId(UUID.fromString(TENANT)).withObjectId(cosmosDb)
                                .withPermissions(new Permissions().withKeys(List.of(KeyPermissions.GET,
                                        KeyPermissions.WRAP_KEY, KeyPermissions.UNWRAP_KEY)))))));
    }

    private CmkRequest repair(String requestId) {
        return new CmkRequest(requestId, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION, create.workspace(),
                create.keyVault(), create.key(), Map.of(), Operation.REPAIR_KEY_ACCESS.wireName());
    }

    /** {@code request} for a workspace in Azure's service-side CMK mode. */
    private static CmkRequest serviceSide(CmkRequest request) {
        CmkRequest.Workspace ws = request.workspace();
        return new CmkRequest(request.requestId(), request.subscriptionId(), request.tenantId(), request.cloud(),
                request.resourceGroup(), request.location(), new CmkRequest.Workspace(ws.name(), ws.friendlyName(),
                ws.hbiWorkspace(), ws.userAssignedIdentityId(), ws.userAssignedIdentityClientId(), ws.storageAccountId(),
                ws.applicationInsightsId(), true), request.keyVault(), request.key(), request.tags());
    }

    private CmkRequest decommission(String requestId, boolean purge) {
        return new CmkRequest(requestId, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION, create.workspace(),
                create.keyVault(), create.key(), Map.of(), Operation.DECOMMISSION.wireName(),
                new CmkRequest.Decommission(create.workspace().name(), purge));
    }

    private VaultsClient vaults() {
        return azure.clients().forRequest(create).vaults().manager().serviceClient().getVaults();
    }


    /** Runs the create and returns the workspace it made. */
    private ArmState.WorkspaceView created() {
        createRun();
        return workspace();
    }

    /** Runs the create to success and returns its state. */
    private CmkRunState createRun() {
        CmkRunState created = result(azure.starter().start(new CmkWorkflowInput(create)));
        assertThat(created.status()).isEqualTo(CmkStatus.Succeeded);
        return created;
    }

    private CmkRequest rotation(String requestId, String keyName, CmkRequest.KeyVault vault) {
        return new CmkRequest(requestId, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION, create.workspace(),
                vault, new CmkRequest.Key(keyName, 3072, "RSA"), Map.of(), Operation.ROTATE_KEY.wireName());
    }

    private CmkRunState result(StartResult start) {
        assertThat(start.outcome()).isEqualTo(Outcome.STARTED);
        return runStub(start).getResult(CmkRunState.class);
    }

    private CmkRunState failedResult(StartResult start) {
        assertThatThrownBy(() -> runStub(start).getResult(CmkRunState.class)).isInstanceOf(WorkflowFailedException.class);
        return runStub(start).query("state", CmkRunState.class);
    }

    private WorkflowStub runStub(StartResult start) {
        return azure.client().newUntypedWorkflowStub(workflowId, Optional.of(start.runId()), Optional.empty());
    }

    private CmkWorkspaceWorkflow typedStub() {
        return azure.client().newWorkflowStub(CmkWorkspaceWorkflow.class, workflowId);
    }

    private CmkRunState awaitParkedAt(CmkStep step) {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> CmkStatus.AwaitingOperator.name()
                .equals(azure.client().newUntypedWorkflowStub(workflowId).describe().getTypedSearchAttributes().get(CmkSearchAttributes.STATUS)));
        CmkRunState parked = azure.client().newUntypedWorkflowStub(workflowId).query("state", CmkRunState.class);
        assertThat(parked.currentStep()).isEqualTo(step);
        return parked;
    }

    private ArmState.WorkspaceView workspace() {
        return azure.sim().state().workspace(SUBSCRIPTION, GROUP, create.workspace().name()).orElseThrow();
    }

    private static List<StatusEvent> eventsOf(String requestId) {
        return azure.statusSink().delivered.stream().filter(e -> requestId.equals(e.requestId())).toList();
    }
}
