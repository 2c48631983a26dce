package io.cmkflow.workflow;

import io.cmkflow.request.CmkRequest;
import io.cmkflow.workflow.CmkRunState.Phase;
import io.cmkflow.workflow.CmkRunState.Result;
import io.cmkflow.workflow.CmkRunState.StepState;
import io.cmkflow.workflow.CmkRunState.UndoRecord;
import io.cmkflow.workflow.CmkRunState.UndoResult;
import io.temporal.activity.ActivityCancellationType;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.failure.TemporalFailure;
import io.temporal.workflow.CancellationScope;
import io.temporal.workflow.Workflow;
import org.slf4j.Logger;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The CMK workspace procedure as a saga. Each create is preceded by the registration of its undo (a create that
 * timed out may still have happened); undo decisions are taken when compensation runs, from what the steps reported,
 * and the undo activities refuse anything without this run's tags. Provider registrations are never undone and the
 * managed resource group is never touched.
 */
public class CmkWorkspaceWorkflowImpl implements CmkWorkspaceWorkflow {

    static final String COSMOS_PRINCIPAL_PUBLIC = "a232010e-820c-4083-83bb-3ace5fc29d0b";
    static final String COSMOS_PRINCIPAL_US_GOVERNMENT = "57506a73-e302-42a9-b869-6f12d9ec29e9";

    /** Stage and status event step of the run's own request re-check (step 0). */
    static final String VALIDATE_STAGE = "validate";

    private static final Logger LOG = Workflow.getLogger(CmkWorkspaceWorkflowImpl.class);

    /** Change id of version 1: a cancelled run waits for its running step's activity before compensating. */
    static final String CANCEL_WAITS_FOR_STEP = "cancel-waits-for-step";

    private enum Decision { RETRY, ABORT }

    /** Why a run stopped trying: the failure type the workflow fails with. */
    private static final class RunAbandoned extends RuntimeException {
        private final String type;

        RunAbandoned(String type, String message) {
            super(message);
            this.type = type;
        }
    }

    private record Undo(CmkStep step, Supplier<UndoRecord> action) {
    }

    /**
     * What a finished step did: its result, its main resource, what it created, what it made known for status events,
     * and the sentence its status event says.
     */
    private record Done(Result result, String resourceId, List<String> created, Map<String, String> known, String message) {
    }

    private static final class StepProgress {
        Phase phase = Phase.PENDING;
        Result result;
        String resourceId;
        int attempts;
        String startedAt;
        String finishedAt;
        String error;
    }

    private CmkRequest request;
    private Ownership owner;
    private String workflowId;
    private String runId;
    private Duration parkTimeout;
    private String replyTo;

    private CmkStatus status = CmkStatus.Running;
    private CmkStep currentStep;
    private final Map<CmkStep, StepProgress> steps = new EnumMap<>(CmkStep.class);
    private ProviderRegistration providers;
    private VaultOutcome vault;
    private KeyOutcome key;
    private CosmosGrantOutcome cosmosGrant;
    private WorkspaceOutcome workspace;
    private ManagedGroupOutcome managedGroup;
    private final List<String> resourcesCreated = new ArrayList<>();
    private final Map<String, String> knownResources = new LinkedHashMap<>();
    private final List<UndoRecord> compensation = new ArrayList<>();
    private final List<Undo> undos = new ArrayList<>();
    private String lastError;
    private String startedAt;
    private String updatedAt;
    private String parkedAt;
    private String finishedAt;

    private Decision decision;
    private String decisionReason;
    private int eventSequence;

    public CmkWorkspaceWorkflowImpl() {
        for (CmkStep step : CmkStep.values()) {
            steps.put(step, new StepProgress());
        }
    }

    @Override
    public CmkRunState provision(CmkWorkflowInput input) {
        request = input.request();
        replyTo = input.replyTo();
        parkTimeout = input.parkTimeoutOrDefault();
        workflowId = Workflow.getInfo().getWorkflowId();
        runId = Workflow.getInfo().getRunId();
        startedAt = now();
        touch();

        String problem = CmkRequestRecheck.problem(request);
        if (problem != null) {
            lastError = "INVALID_REQUEST: " + problem;
            finish(CmkStatus.Failed, VALIDATE_STAGE);
            publishEvent(StatusEvent.Type.failed, VALIDATE_STAGE, lastError, null);
            throw ApplicationFailure.newNonRetryableFailure(problem, "INVALID_REQUEST");
        }
        owner = new Ownership(request.requestId(), workflowId);
        showProgress(CmkSearchAttributes.STAGE_ACCEPTED);

        try {
            publish(StatusEvent.Type.accepted, null, "run started for workspace " + request.workspace().name(), null);
            runStep(CmkStep.REGISTER_PROVIDERS, "register resource providers",
                    a -> a.registerProviders(request),
                    r -> new Done(r.registeredNow() == null || r.registeredNow().isEmpty() ? Result.SKIPPED : Result.CREATED,
                            String.join(",", r.namespaces() == null ? List.of() : r.namespaces()), List.of(), Map.of(),
                            StatusMessages.providers(r)),
                    outcome -> providers = outcome);

            registerUndo(CmkStep.KEY_VAULT, this::undoKeyVault);
            runStep(CmkStep.KEY_VAULT, "key vault " + vaultLabel(),
                    a -> a.ensureKeyVault(request, owner),
                    v -> new Done(switch (v.disposition()) {
                        case CREATED -> Result.CREATED;
                        case ADOPTED -> Result.ADOPTED;
                        case RECOVERED -> Result.RECOVERED;
                    }, v.vaultId(), v.createdByThisRun() ? List.of(v.vaultId()) : List.of(), known("keyVaultId", v.vaultId()),
                            StatusMessages.keyVault(v)),
                    outcome -> vault = outcome);

            registerUndo(CmkStep.KEY, this::undoKey);
            runStep(CmkStep.KEY, "key " + request.key().name() + " in " + vault.name(),
                    a -> a.ensureKey(request, vault, owner),
                    k -> new Done(k.created() ? Result.CREATED : Result.ADOPTED, k.keyId(),
                            k.created() ? List.of(k.keyId()) : List.of(), known("keyUrl", k.keyUrlWithVersion()),
                            StatusMessages.key(k)),
                    outcome -> key = outcome);

            registerUndo(CmkStep.COSMOS_GRANT, this::undoCosmosGrant);
            runStep(CmkStep.COSMOS_GRANT, "Cosmos DB access to " + vault.name(),
                    a -> a.grantCosmosAccess(request, vault),
                    g -> new Done(g.nothingAdded() ? Result.SKIPPED : Result.CREATED, grantLabel(g),
                            grantsAdded(g), known("cosmosDbAccess", grantLabel(g)),
                            StatusMessages.cosmosGrant(g, vault.name())),
                    outcome -> cosmosGrant = outcome);

            registerUndo(CmkStep.WORKSPACE, this::undoWorkspace);
            runStep(CmkStep.WORKSPACE, "workspace " + request.workspace().name(),
                    a -> a.ensureWorkspace(request, vault, key, owner),
                    w -> new Done(w.created() ? Result.CREATED : Result.ADOPTED, w.workspaceId(), workspaceCreated(w),
                            known("workspaceId", w.workspaceId()), StatusMessages.workspace(w, request.workspace().name(), key)),
                    outcome -> workspace = outcome);

            runStep(CmkStep.MANAGED_GROUP, "managed group of " + request.workspace().name(),
                    a -> a.verifyManagedGroup(request, workspace),
                    m -> new Done(Result.VERIFIED, m.resourceGroupId(), List.of(), known("managedResourceGroup", m.resourceGroupId()),
                            StatusMessages.managedGroup(m)),
                    outcome -> managedGroup = outcome);
        } catch (RunAbandoned abandoned) {
            // A cancel arriving during compensation must not cut it short.
            Workflow.newDetachedCancellationScope(() -> {
                boolean complete = compensate();
                finish(complete ? CmkStatus.Compensated : CmkStatus.Failed, CmkSearchAttributes.STAGE_DONE);
                publish(complete ? StatusEvent.Type.compensated : StatusEvent.Type.failed, currentStep,
                        abandoned.getMessage() + "; " + StatusMessages.compensation(compensation), null);
            }).run();
            throw ApplicationFailure.newNonRetryableFailure(abandoned.getMessage(), abandoned.type);
        } catch (CanceledFailure cancelled) {
            String reason = "cancelled" + (currentStep == null ? "" : " during step " + currentStep.number() + " (" + currentStep.title() + ")");
            lastError = lastError == null ? reason : reason + "; before that: " + lastError;
            Workflow.newDetachedCancellationScope(() -> {
                compensate();
                finish(CmkStatus.Cancelled, CmkSearchAttributes.STAGE_DONE);
                publish(StatusEvent.Type.cancelled, currentStep,
                        reason + "; " + StatusMessages.compensation(compensation), null);
            }).run();
            throw cancelled;
        }

        currentStep = null;
        finish(CmkStatus.Succeeded, CmkSearchAttributes.STAGE_DONE);
        publish(StatusEvent.Type.succeeded, null, "workspace " + request.workspace().name() + " is encrypted with "
                + key.keyUrlWithVersion(), new LinkedHashMap<>(knownResources));
        return state();
    }

    @Override
    public CmkRunState state() {
        List<StepState> stepStates = new ArrayList<>();
        steps.forEach((step, p) -> stepStates.add(new StepState(step, step.number(), p.phase, p.result, p.resourceId,
                p.attempts, p.startedAt, p.finishedAt, p.error)));
        return new CmkRunState(request, workflowId, runId, status, currentStep, stepStates,
                new CmkRunState.Outcomes(providers, vault, key, cosmosGrant, workspace, managedGroup),
                List.copyOf(resourcesCreated), List.copyOf(compensation), lastError, startedAt, updatedAt, parkedAt, finishedAt);
    }

    @Override
    public String retry(String reason) {
        decision = Decision.RETRY;
        decisionReason = reason;
        return "retrying step " + currentStep.number() + " (" + currentStep.title() + ")";
    }

    @Override
    public void validateRetry(String reason) {
        requireParked("retry");
    }

    @Override
    public String abort(String reason) {
        decision = Decision.ABORT;
        decisionReason = reason;
        return "aborting: undoing what this run created, then ending the run";
    }

    @Override
    public void validateAbort(String reason) {
        requireParked("abort");
    }

    private void requireParked(String update) {
        if (status != CmkStatus.AwaitingOperator || decision != null) {
            throw new IllegalStateException(update + ": accepted only while the run is AwaitingOperator; it is " + status
                    + (currentStep == null ? "" : " at step " + currentStep.number() + " (" + currentStep.title() + ")"));
        }
    }

    /**
     * Runs one step until it succeeds, parking for an operator each time it fails for good; {@code keep} stores the
     * outcome. A step that finishes after the run was cancelled keeps its outcome (for its undo), then the run stops.
     */
    private <T> void runStep(CmkStep step, String summary, Function<ProvisioningActivities, T> call, Function<T, Done> summarize,
                             Consumer<T> keep) {
        StepProgress progress = steps.get(step);
        ActivityOptions options = CmkActivityOptions.forStep(step, "Step " + step.number() + ": " + summary);
        if (Workflow.getVersion(CANCEL_WAITS_FOR_STEP, Workflow.DEFAULT_VERSION, 1) >= 1) {
            // On cancel, wait for the step's activity to stop: a create still in flight would otherwise land in
            // Azure after its undo ran, and stay there.
            options = ActivityOptions.newBuilder(options)
                    .setCancellationType(ActivityCancellationType.WAIT_CANCELLATION_COMPLETED).build();
        }
        ProvisioningActivities activities = Workflow.newActivityStub(ProvisioningActivities.class, options);
        currentStep = step;
        while (true) {
            progress.phase = Phase.RUNNING;
            progress.attempts++;
            progress.error = null;
            if (progress.startedAt == null) {
                progress.startedAt = now();
            }
            showProgress(step.stage());
            T result;
            try {
                result = call.apply(activities);
            } catch (TemporalFailure failure) {
                if (CancellationScope.current().isCancelRequested()) {
                    throw new CanceledFailure("cancelled during step " + step.number() + " (" + step.title() + ")");
                }
                progress.phase = Phase.FAILED;
                progress.error = failureText(failure);
                lastError = "step " + step.number() + " (" + step.title() + "): " + progress.error;
                LOG.warn("Step {} failed for good: {}", step, progress.error);
                park(step);
                continue;
            }
            Done done = summarize.apply(result);
            progress.phase = Phase.DONE;
            progress.result = done.result();
            progress.resourceId = done.resourceId();
            progress.finishedAt = now();
            resourcesCreated.addAll(done.created());
            knownResources.putAll(done.known());
            keep.accept(result);
            if (CancellationScope.current().isCancelRequested()) {
                throw new CanceledFailure("cancelled during step " + step.number() + " (" + step.title() + ")");
            }
            showProgress(step.stage());
            publish(StatusEvent.Type.step_done, step, done.message(),
                    done.known().isEmpty() ? null : done.known());
            return;
        }
    }

    /** Waits for an operator: returns on retry; throws on abort and on timeout; a cancel surfaces as CanceledFailure. */
    private void park(CmkStep step) {
        status = CmkStatus.AwaitingOperator;
        parkedAt = now();
        decision = null;
        showProgress(step.stage());
        publish(StatusEvent.Type.awaiting_operator, step, "step " + step.number() + " (" + step.title() + ") failed and waits for"
                + " an operator (update retry or abort; undone if unanswered within " + parkTimeout + "): " + steps.get(step).error, null);
        boolean answered = Workflow.await(parkTimeout, () -> decision != null);
        if (!answered) {
            throw new RunAbandoned("PARK_TIMEOUT", "no operator answer within " + parkTimeout + " while parked on step "
                    + step.number() + " (" + step.title() + ")");
        }
        if (decision == Decision.ABORT) {
            throw new RunAbandoned("ABORTED", "aborted by operator at step " + step.number() + " (" + step.title() + ")"
                    + (decisionReason == null || decisionReason.isBlank() ? "" : ": " + decisionReason));
        }
        LOG.info("Operator retry of step {}{}", step, decisionReason == null ? "" : ": " + decisionReason);
        decision = null;
        status = CmkStatus.Running;
    }

    private void registerUndo(CmkStep step, Supplier<UndoRecord> action) {
        undos.add(new Undo(step, action));
    }

    /** Runs the registered undos in reverse order; true when none failed. */
    private boolean compensate() {
        status = CmkStatus.Compensating;
        showProgress(CmkSearchAttributes.STAGE_COMPENSATION);
        boolean complete = true;
        for (int i = undos.size() - 1; i >= 0; i--) {
            UndoRecord record = undos.get(i).action().get();
            compensation.add(record);
            complete &= record.result() != UndoResult.FAILED;
            showProgress(CmkSearchAttributes.STAGE_COMPENSATION);
        }
        return complete;
    }

    private UndoRecord undoKeyVault() {
        if (request.keyVault().existingId() != null) {
            return skipped(CmkStep.KEY_VAULT, "deleteKeyVault", "the request names an existing vault; this run never creates one");
        }
        if (vault != null && !vault.createdByThisRun()) {
            return skipped(CmkStep.KEY_VAULT, "deleteKeyVault", "vault was " + vault.disposition() + ", not created by this run");
        }
        return undo(CmkStep.KEY_VAULT, "deleteKeyVault", "delete key vault " + vaultLabel(),
                u -> List.of(u.deleteKeyVault(request, owner)));
    }

    private UndoRecord undoKey() {
        if (key != null && !key.created()) {
            return skipped(CmkStep.KEY, "deleteKey", "key existed before this run");
        }
        return undo(CmkStep.KEY, "deleteKey", "delete key " + request.key().name(), u -> List.of(u.deleteKey(request, owner)));
    }

    private UndoRecord undoCosmosGrant() {
        CosmosGrantOutcome grant = cosmosGrant;
        if (grant == null) {
            // The grant step never reported: only in a vault this run created can the entry not have pre-existed.
            if (vault == null || !vault.createdByThisRun()) {
                return skipped(CmkStep.COSMOS_GRANT, "removeCosmosAccess", "grant outcome unknown and the vault is not this run's");
            }
            grant = new CosmosGrantOutcome(vault.vaultId(), cosmosPrincipal(request.cloud()),
                    vault.rbacAuthorization() ? CosmosGrantOutcome.Mode.RBAC : CosmosGrantOutcome.Mode.ACCESS_POLICY, false, null);
        } else if (grant.nothingAdded()) {
            return skipped(CmkStep.COSMOS_GRANT, "removeCosmosAccess", "access was present before this run");
        }
        CosmosGrantOutcome toRemove = grant;
        return undo(CmkStep.COSMOS_GRANT, "removeCosmosAccess", "remove Cosmos DB (and identity) access from " + vaultLabel(),
                u -> List.of(u.removeCosmosAccess(request, toRemove)));
    }

    private UndoRecord undoWorkspace() {
        return undo(CmkStep.WORKSPACE, "deleteWorkspace", "delete workspace " + request.workspace().name(),
                u -> u.deleteWorkspace(request, owner));
    }

    private UndoRecord undo(CmkStep step, String action, String summary, Function<CompensationActivities, List<UndoOutcome>> call) {
        CompensationActivities activities = Workflow.newActivityStub(CompensationActivities.class,
                CmkActivityOptions.forUndo(step, "Undo step " + step.number() + ": " + summary));
        try {
            List<UndoOutcome> outcomes = call.apply(activities);
            return new UndoRecord(step, action, UndoResult.DONE, outcomes == null ? List.of() : List.copyOf(outcomes), null, now());
        } catch (TemporalFailure failure) {
            String error = failureText(failure);
            lastError = "undo " + action + ": " + error;
            LOG.warn("Undo {} failed: {}", action, error);
            return new UndoRecord(step, action, UndoResult.FAILED, List.of(), error, now());
        }
    }

    private UndoRecord skipped(CmkStep step, String action, String why) {
        return new UndoRecord(step, action, UndoResult.SKIPPED, List.of(), why, now());
    }

    private void finish(CmkStatus end, String stage) {
        status = end;
        finishedAt = now();
        showProgress(stage);
    }

    private void publish(StatusEvent.Type type, CmkStep step, String message, Map<String, String> resources) {
        publishEvent(type, step == null ? null : step.stage(), message, resources);
    }

    /** Publishes a status event; a publish that cannot get through is logged, it does not fail the provisioning. */
    private void publishEvent(StatusEvent.Type type, String step, String message, Map<String, String> resources) {
        int sequence = ++eventSequence;
        StatusEvent event = new StatusEvent(runId + ":" + sequence, request == null ? null : request.requestId(), workflowId,
                type, status.name(), step, message, now(), resources, replyTo);
        StatusPublisher publisher = Workflow.newActivityStub(StatusPublisher.class,
                CmkActivityOptions.forStatusEvent("Status event " + type));
        try {
            publisher.publish(event);
        } catch (ActivityFailure failure) {
            if (CancellationScope.current().isCancelRequested()) {
                throw new CanceledFailure("cancelled while publishing " + type);
            }
            LOG.warn("Status event {} ({}) not published: {}", event.eventId(), type, failureText(failure));
        }
    }

    private void showProgress(String stage) {
        touch();
        List<io.temporal.common.SearchAttributeUpdate<?>> updates = new ArrayList<>();
        updates.add(CmkSearchAttributes.STATUS.valueSet(status.name()));
        updates.add(CmkSearchAttributes.STAGE.valueSet(stage));
        if (request != null) {
            // Set by the starter already; set here too for runs started some other way.
            if (!Workflow.getTypedSearchAttributes().containsKey(CmkSearchAttributes.REQUEST_ID) && request.requestId() != null) {
                updates.add(CmkSearchAttributes.REQUEST_ID.valueSet(request.requestId()));
                if (request.subscriptionId() != null) {
                    updates.add(CmkSearchAttributes.SUBSCRIPTION_ID.valueSet(request.subscriptionId()));
                }
                if (request.workspace() != null && request.workspace().name() != null) {
                    updates.add(CmkSearchAttributes.WORKSPACE.valueSet(request.workspace().name()));
                }
            }
        }
        if (!unchanged(stage)) {
            Workflow.upsertTypedSearchAttributes(updates.toArray(new io.temporal.common.SearchAttributeUpdate<?>[0]));
        }
        Workflow.setCurrentDetails(CurrentDetailsMarkdown.render(state(), parkTimeout));
    }

    private boolean unchanged(String stage) {
        var current = Workflow.getTypedSearchAttributes();
        return status.name().equals(current.get(CmkSearchAttributes.STATUS))
                && stage.equals(current.get(CmkSearchAttributes.STAGE))
                && current.containsKey(CmkSearchAttributes.REQUEST_ID);
    }

    /** A resource id under its name in status-event.schema.json's {@code resources}; none when the activity gave none. */
    private static Map<String, String> known(String name, String id) {
        return id == null ? Map.of() : Map.of(name, id);
    }

    private String vaultLabel() {
        if (vault != null) {
            return vault.name();
        }
        CmkRequest.KeyVault requested = request.keyVault();
        return requested.name() != null ? requested.name() : requested.existingId();
    }

    private static String grantLabel(CosmosGrantOutcome grant) {
        return grant.roleAssignmentId() != null ? grant.roleAssignmentId()
                : grant.vaultId() + "#accessPolicy/" + grant.principalObjectId();
    }

    private static List<String> grantsAdded(CosmosGrantOutcome grant) {
        List<String> added = new ArrayList<>();
        if (!grant.alreadyPresent()) {
            added.add(grantLabel(grant));
        }
        if (grant.identityAddedByThisRun()) {
            added.add(grant.identityRoleAssignmentId() != null ? grant.identityRoleAssignmentId()
                    : grant.vaultId() + "#accessPolicy/" + grant.identityPrincipalId());
        }
        return added;
    }

    private static List<String> workspaceCreated(WorkspaceOutcome w) {
        List<String> created = new ArrayList<>();
        if (w.created()) {
            created.add(w.workspaceId());
        }
        if (w.storageAccountCreated() && w.storageAccountId() != null) {
            created.add(w.storageAccountId());
        }
        if (w.applicationInsightsCreated() && w.applicationInsightsId() != null) {
            created.add(w.applicationInsightsId());
        }
        return created;
    }

    static String cosmosPrincipal(String cloud) {
        return CmkRequest.AZURE_US_GOVERNMENT.equals(cloud) ? COSMOS_PRINCIPAL_US_GOVERNMENT : COSMOS_PRINCIPAL_PUBLIC;
    }

    /** The innermost failure's type and message: that is what the activity raised. */
    static String failureText(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApplicationFailure app) {
            // The Azure activities already name the type in their message ("ensureKey: NON_RETRYABLE ..."): say it once.
            String message = app.getOriginalMessage();
            return message != null && message.contains(app.getType()) ? message : app.getType() + ": " + message;
        }
        if (cause instanceof TemporalFailure temporal) {
            return cause.getClass().getSimpleName() + ": " + temporal.getOriginalMessage();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }

    private void touch() {
        updatedAt = now();
    }

    private static String now() {
        return Instant.ofEpochMilli(Workflow.currentTimeMillis()).toString();
    }
}
