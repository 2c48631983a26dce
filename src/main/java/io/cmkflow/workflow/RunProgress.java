package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.DecommissionOutcome;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.ProviderRegistration;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.workflow.CmkRunState.Phase;
import io.cmkflow.workflow.CmkRunState.Result;
import io.cmkflow.workflow.CmkRunState.StepState;
import io.cmkflow.workflow.CmkRunState.UndoRecord;
import io.temporal.common.SearchAttributeUpdate;
import io.temporal.common.SearchAttributes;
import io.temporal.workflow.Workflow;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.LinkedHashSet;
import java.util.Set;

/**
 * What a run has done so far, held once: the status, each step's progress and outcome, what the run created, the
 * compensation record and the last error. It answers the {@code state} query and shows itself to operators as search
 * attributes (findable, also while parked) and the current details (the step table in the Temporal UI).
 */
final class RunProgress {

    /** One step's progress; its activity's outcome is kept beside it once the step is done. */
    private static final class StepProgress {
        Phase phase = Phase.PENDING;
        Result result;
        String resourceId;
        int attempts;
        String startedAt;
        String finishedAt;
        String error;
        Object outcome;
    }

    private final CmkRequest request;
    private final String workflowId;
    private final String runId;
    private final Duration parkTimeout;
    private final Duration activityTimeoutCap;
    private final Map<CmkStep, StepProgress> steps = new EnumMap<>(CmkStep.class);
    private final List<String> resourcesCreated = new ArrayList<>();
    private final Map<String, String> knownResources = new LinkedHashMap<>();
    private final List<UndoRecord> compensation = new ArrayList<>();
    private CmkStatus status = CmkStatus.Running;
    private KeyAccessOutcome keyAccessBefore;
    /** Ids of resources the steps found existing and not this run's before they wrote (Ownership#preexisting). */
    private final Set<String> preexisting = new LinkedHashSet<>();
    private boolean compensationStarted;
    private CmkStep currentStep;
    private String lastError;
    private final String startedAt;
    private String updatedAt;
    private String parkedAt;
    private String finishedAt;

    RunProgress(CmkRequest request, Duration parkTimeout) {
        this(request, parkTimeout, null);
    }

    RunProgress(CmkRequest request, Duration parkTimeout, Duration activityTimeoutCap) {
        this.request = request;
        this.parkTimeout = parkTimeout;
        this.activityTimeoutCap = activityTimeoutCap;
        this.workflowId = Workflow.getInfo().getWorkflowId();
        this.runId = Workflow.getInfo().getRunId();
        // A request whose operation is unknown fails its check (step 0) before any step: it shows a create's steps.
        Operation operation = request == null ? Operation.CREATE : Operation.find(request.operation()).orElse(Operation.CREATE);
        for (CmkStep step : CmkStep.of(operation)) {
            steps.put(step, new StepProgress());
        }
        this.startedAt = now();
        this.updatedAt = startedAt;
    }

    /** {@link CmkWorkflowInput#activityTimeoutCap()}: null for the production timeouts. */
    Duration activityTimeoutCap() {
        return activityTimeoutCap;
    }

    CmkRequest request() {
        return request;
    }

    String workflowId() {
        return workflowId;
    }

    String runId() {
        return runId;
    }

    Duration parkTimeout() {
        return parkTimeout;
    }

    CmkStatus status() {
        return status;
    }

    CmkStep currentStep() {
        return currentStep;
    }

    String lastError() {
        return lastError;
    }

    List<UndoRecord> compensation() {
        return List.copyOf(compensation);
    }

    /** Resource ids by their names in status-event.schema.json's {@code resources}. */
    Map<String, String> knownResources() {
        return new LinkedHashMap<>(knownResources);
    }

    /** A resource id the run made known outside its steps, under its name in status-event.schema.json. */
    void known(String name, String id) {
        knownResources.put(name, id);
    }

    /** The outcome {@code step}'s activity returned, or null while it has not reported. */
    <T> T outcome(CmkStep step, Class<T> type) {
        StepProgress progress = steps.get(step);
        return progress == null ? null : type.cast(progress.outcome);
    }

    /** The outcome of whichever of {@code steps} (of different operations) this run has reported. */
    private <T> T outcome(Class<T> type, CmkStep... candidates) {
        for (CmkStep step : candidates) {
            T found = outcome(step, type);
            if (found != null) {
                return found;
            }
        }
        return null;
    }

    String stepError(CmkStep step) {
        return steps.get(step).error;
    }

    void stepStarted(CmkStep step) {
        currentStep = step;
        StepProgress progress = steps.get(step);
        progress.phase = Phase.RUNNING;
        progress.attempts++;
        progress.error = null;
        if (progress.startedAt == null) {
            progress.startedAt = now();
        }
    }

    void stepFailed(CmkStep step, String error) {
        StepProgress progress = steps.get(step);
        progress.phase = Phase.FAILED;
        progress.error = error;
        lastError = "step " + step.label() + ": " + error;
    }

    void stepDone(CmkStep step, Object outcome, StepReport report) {
        StepProgress progress = steps.get(step);
        progress.phase = Phase.DONE;
        progress.result = report.result();
        progress.resourceId = report.resourceId();
        progress.finishedAt = now();
        progress.outcome = outcome;
        resourcesCreated.addAll(report.created());
        knownResources.putAll(report.known());
        preexisting.addAll(preexistingIn(outcome));
    }

    /** What a step's failure says it found existing and not this run's, kept for its retry and for undo. */
    void preexisting(List<String> ids) {
        preexisting.addAll(ids);
    }

    List<String> preexisting() {
        return List.copyOf(preexisting);
    }

    /** The resources a step's outcome says it used but did not create. */
    private static List<String> preexistingIn(Object outcome) {
        List<String> ids = new ArrayList<>();
        if (outcome instanceof VaultOutcome vault && vault.disposition() == VaultOutcome.Disposition.ADOPTED) {
            ids.add(vault.vaultId());
        } else if (outcome instanceof KeyOutcome key && !key.created()) {
            ids.add(key.keyId());
        } else if (outcome instanceof WorkspaceOutcome workspace) {
            if (!workspace.created()) {
                ids.add(workspace.workspaceId());
            }
            if (!workspace.storageAccountCreated()) {
                ids.add(workspace.storageAccountId());
            }
            if (!workspace.applicationInsightsCreated()) {
                ids.add(workspace.applicationInsightsId());
            }
            if (workspace.logAnalyticsWorkspaceId() != null && !workspace.logAnalyticsWorkspaceCreated()) {
                ids.add(workspace.logAnalyticsWorkspaceId());
            }
        }
        return ids;
    }

    /** What step 4's read found before it wrote: the grant's outcome as it will report it; null until read. */
    KeyAccessOutcome keyAccessBefore() {
        return keyAccessBefore;
    }

    void keyAccessBefore(KeyAccessOutcome before) {
        keyAccessBefore = before;
    }

    void parked() {
        status = CmkStatus.AwaitingOperator;
        parkedAt = now();
    }

    void resumed() {
        status = CmkStatus.Running;
    }

    void compensating() {
        status = CmkStatus.Compensating;
        compensationStarted = true;
    }

    /** True once compensation began: a park from then on is compensation's. */
    boolean compensationStarted() {
        return compensationStarted;
    }

    void undone(UndoRecord record) {
        compensation.add(record);
    }

    /** An operator's retry of the last (failed) undo: its new record replaces the failed one. */
    void redone(UndoRecord record) {
        compensation.set(compensation.size() - 1, record);
    }

    void failedUndo(String action, String error) {
        lastError = "undo " + action + ": " + error;
    }

    /** Records why the run ends early; an earlier error (the step that parked it) is kept after it. */
    void cancelled(String reason) {
        lastError = lastError == null ? reason : reason + "; before that: " + lastError;
    }

    void invalidRequest(String problem) {
        lastError = InvalidRequestException.FAILURE_TYPE + ": " + problem;
    }

    void finished(CmkStatus end) {
        status = end;
        currentStep = end == CmkStatus.Succeeded ? null : currentStep;
        finishedAt = now();
    }

    CmkRunState state() {
        List<StepState> stepStates = new ArrayList<>();
        steps.forEach((step, p) -> stepStates.add(new StepState(step, step.number(), p.phase, p.result, p.resourceId,
                p.attempts, p.startedAt, p.finishedAt, p.error)));
        return new CmkRunState(request, workflowId, runId, status, currentStep, stepStates,
                new CmkRunState.Outcomes(outcome(CmkStep.REGISTER_RESOURCE_PROVIDERS, ProviderRegistration.class),
                        outcome(VaultOutcome.class, CmkStep.CREATE_KEY_VAULT, CmkStep.READ_WORKSPACE_VAULT),
                        outcome(KeyOutcome.class, CmkStep.CREATE_KEY, CmkStep.CREATE_KEY_VERSION),
                        outcome(KeyAccessOutcome.class, CmkStep.GRANT_COSMOS_DB_KEY_ACCESS, CmkStep.CHECK_KEY_ACCESS,
                                CmkStep.RESTORE_KEY_ACCESS),
                        outcome(CmkStep.CREATE_WORKSPACE, WorkspaceOutcome.class),
                        outcome(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP, ManagedGroupOutcome.class),
                        outcome(CmkStep.READ_WORKSPACE_KEY, WorkspaceKeyOutcome.class),
                        outcome(CmkStep.CHANGE_WORKSPACE_KEY, WorkspaceKeyOutcome.class),
                        outcome(DecommissionOutcome.class, CmkStep.AWAIT_MANAGED_GROUP_REMOVAL, CmkStep.DECOMMISSION_WORKSPACE,
                                CmkStep.CHECK_WORKSPACE)),
                List.copyOf(resourcesCreated), List.copyOf(compensation), lastError, startedAt, updatedAt, parkedAt, finishedAt);
    }

    /**
     * Shows the run to operators: {@code CmkStatus} and {@code CmkStage} (upserted only when they change, so a step
     * adds no search-attribute event per attempt) and the current details.
     */
    void show(String stage) {
        updatedAt = now();
        List<SearchAttributeUpdate<?>> updates = new ArrayList<>();
        updates.add(CmkSearchAttributes.STATUS.valueSet(status.name()));
        updates.add(CmkSearchAttributes.STAGE.valueSet(stage));
        SearchAttributes current = Workflow.getTypedSearchAttributes();
        if (request != null && !current.containsKey(CmkSearchAttributes.REQUEST_ID) && request.requestId() != null) {
            // Set by the starter already; set here too for runs started some other way.
            updates.add(CmkSearchAttributes.REQUEST_ID.valueSet(request.requestId()));
            if (request.subscriptionId() != null) {
                updates.add(CmkSearchAttributes.SUBSCRIPTION_ID.valueSet(request.subscriptionId()));
            }
            if (request.workspace() != null && request.workspace().name() != null) {
                updates.add(CmkSearchAttributes.WORKSPACE.valueSet(request.workspace().name()));
            }
            CmkSearchAttributes.keyVaultOf(request).ifPresent(vault -> updates.add(CmkSearchAttributes.KEY_VAULT.valueSet(vault)));
        }
        boolean unchanged = status.name().equals(current.get(CmkSearchAttributes.STATUS))
                && stage.equals(current.get(CmkSearchAttributes.STAGE))
                && current.containsKey(CmkSearchAttributes.REQUEST_ID);
        if (!unchanged) {
            Workflow.upsertTypedSearchAttributes(updates.toArray(new SearchAttributeUpdate<?>[0]));
        }
        Workflow.setCurrentDetails(CurrentDetailsMarkdown.render(state(), parkTimeout));
    }

    static String now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
    }
}
