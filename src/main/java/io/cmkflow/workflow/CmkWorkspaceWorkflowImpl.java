package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.DecommissionOutcome;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.RequestRules;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.CanceledFailure;
import io.temporal.workflow.Async;
import io.temporal.workflow.Promise;
import io.temporal.workflow.Workflow;

import java.util.List;
import java.util.function.Supplier;

import static io.cmkflow.workflow.CmkStep.AWAIT_MANAGED_GROUP_REMOVAL;
import static io.cmkflow.workflow.CmkStep.CHANGE_WORKSPACE_KEY;
import static io.cmkflow.workflow.CmkStep.CHECK_WORKSPACE;
import static io.cmkflow.workflow.CmkStep.DECOMMISSION_WORKSPACE;
import static io.cmkflow.workflow.CmkStep.DELETE_CREATED_RESOURCES;
import static io.cmkflow.workflow.CmkStep.CHECK_KEY_ACCESS;
import static io.cmkflow.workflow.CmkStep.CREATE_KEY;
import static io.cmkflow.workflow.CmkStep.CREATE_KEY_VERSION;
import static io.cmkflow.workflow.CmkStep.READ_WORKSPACE_KEY;
import static io.cmkflow.workflow.CmkStep.READ_WORKSPACE_VAULT;
import static io.cmkflow.workflow.CmkStep.RESTORE_KEY_ACCESS;
import static io.cmkflow.workflow.CmkStep.CREATE_KEY_VAULT;
import static io.cmkflow.workflow.CmkStep.CREATE_WORKSPACE;
import static io.cmkflow.workflow.CmkStep.GRANT_COSMOS_DB_KEY_ACCESS;
import static io.cmkflow.workflow.CmkStep.REGISTER_RESOURCE_PROVIDERS;
import static io.cmkflow.workflow.CmkStep.VERIFY_MANAGED_RESOURCE_GROUP;

/**
 * A run on one CMK workspace, as its request's operation says: the CMK workspace procedure (Microsoft's "Use
 * customer-managed keys with Azure Machine Learning", steps 1-6), a key rotation (steps 1-4), a key access repair
 * (steps 1-2) or a decommission (steps 1-4, nothing to undo), each as a saga: each create is preceded by the
 * registration of its undo, a step that fails for good parks the run for an operator, and abort, park timeout or
 * cancellation undo what this run created, in reverse order. Provider
 * registrations are never undone and the managed resource group is never touched.
 */
public class CmkWorkspaceWorkflowImpl implements CmkWorkspaceWorkflow {

    /** Stage and status-event step of the run's own request check (step 0). */
    static final String VALIDATE_STAGE = "validate";

    private RunProgress run;
    private StatusEvents events;
    private Parking parking;
    /** Step 4's read of who has access, started beside step 3; taken (and cleared) by the grant's first attempt. */
    private Promise<KeyAccessOutcome> accessReadBesideKey;

    @Override
    public CmkRunState provision(CmkWorkflowInput input) {
        CmkRequest request = input.request();
        run = new RunProgress(request, input.parkTimeoutOrDefault(), input.activityTimeoutCap());
        events = new StatusEvents(run, input.replyTo());
        parking = new Parking(run, events);
        try {
            return runProcedure(request, input);
        } finally {
            // The run ends only once its events are out: the last one is what upstream systems wait for.
            events.flush();
        }
    }

    private CmkRunState runProcedure(CmkRequest request, CmkWorkflowInput input) {
        refuseInvalid(request);

        // The run id is unknowable before the run starts: the tag naming it cannot have been put on a resource earlier.
        // What the steps found existing before they wrote joins it as the run goes: handed over at each call.
        Ownership ownership = new Ownership(request.requestId(), run.workflowId(), Workflow.getInfo().getRunId(),
                input.earlierRunIds(), List.of());
        Supplier<Ownership> owner = () -> ownership.withPreexisting(run.preexisting());
        StepRunner steps = new StepRunner(run, events, parking);
        Compensation compensation = new Compensation(run, parking);
        Undos undos = new Undos(run, compensation, owner);
        Operation operation = request.operationOrDefault();
        run.show(CmkSearchAttributes.STAGE_ACCEPTED);
        try {
            events.publish(StatusEvent.Type.accepted, (CmkStep) null, StatusMessages.operation(operation)
                    + " started for workspace " + request.workspace().name(), null);
            String done = switch (operation) {
                case CREATE -> create(request, steps, compensation, undos, owner);
                case ROTATE_KEY -> rotateKey(request, input.managedWorkspace(), steps, compensation, undos, owner);
                case REPAIR_KEY_ACCESS -> repairKeyAccess(request, input.managedWorkspace(), steps, compensation, undos);
                case DECOMMISSION -> decommission(request, input.managedWorkspace(), steps);
            };
            run.finished(CmkStatus.Succeeded);
            run.show(CmkSearchAttributes.STAGE_DONE);
            publishFinal(() -> events.publish(StatusEvent.Type.succeeded, (CmkStep) null, done, run.knownResources()));
            return run.state();
        } catch (RunAbandoned abandoned) {
            // Detached: a cancel arriving during compensation must not cut it short.
            Workflow.newDetachedCancellationScope(() -> {
                boolean complete = compensation.run();
                end(complete ? CmkStatus.Compensated : CmkStatus.Failed,
                        complete ? StatusEvent.Type.compensated : StatusEvent.Type.failed, abandoned.getMessage());
            }).run();
            throw ApplicationFailure.newNonRetryableFailure(abandoned.getMessage(), abandoned.type());
        } catch (CanceledFailure cancelled) {
            CmkStep step = run.currentStep();
            String reason = "cancelled" + (step == null ? "" : " during step " + step.label());
            run.cancelled(reason);
            Workflow.newDetachedCancellationScope(() -> {
                compensation.run();
                end(CmkStatus.Cancelled, StatusEvent.Type.cancelled, reason);
            }).run();
            throw cancelled;
        }
    }

    /** Microsoft's procedure, steps 1-6; returns the succeeded event's sentence. */
    private String create(CmkRequest request, StepRunner steps, Compensation compensation, Undos undos,
                          Supplier<Ownership> owner) {
        steps.run(REGISTER_RESOURCE_PROVIDERS, null,
                a -> a.registerResourceProviders(request), StepReport::registerResourceProviders);

        compensation.register(CREATE_KEY_VAULT, Undos.DELETE_KEY_VAULT, undos::deleteKeyVault);
        VaultOutcome vault = steps.run(CREATE_KEY_VAULT, undos.vaultLabel(),
                a -> a.createKeyVault(request, owner.get()), StepReport::createKeyVault);

        compensation.register(CREATE_KEY, Undos.DELETE_KEY, undos::deleteKey);
        // Step 4's read changes no access: it runs beside step 3, off the critical path.
        accessReadBesideKey = Async.function(accessRead(vault, GRANT_COSMOS_DB_KEY_ACCESS)::readCosmosDbKeyAccess, request, vault);
        KeyOutcome key = steps.run(CREATE_KEY, request.key().name() + " in " + vault.name(),
                a -> a.createKey(request, vault, owner.get()), StepReport::createKey);

        compensation.register(GRANT_COSMOS_DB_KEY_ACCESS, Undos.REMOVE_COSMOS_DB_KEY_ACCESS,
                () -> undos.removeCosmosDbKeyAccess(GRANT_COSMOS_DB_KEY_ACCESS));
        steps.run(GRANT_COSMOS_DB_KEY_ACCESS, "on " + vault.name(),
                a -> a.grantCosmosDbKeyAccess(request, vault, accessBefore(request, vault, GRANT_COSMOS_DB_KEY_ACCESS)),
                g -> StepReport.grantCosmosDbKeyAccess(g, vault));

        // A workspace that cannot be deleted is still encrypted with the key: its undo failing stops compensation.
        compensation.registerBlocking(CREATE_WORKSPACE, Undos.DELETE_WORKSPACE, undos::deleteWorkspace);
        WorkspaceOutcome workspace = steps.run(CREATE_WORKSPACE, request.workspace().name(),
                a -> a.createWorkspace(request, vault, key, owner.get()),
                w -> StepReport.createWorkspace(w, request.workspace().name(), key));

        steps.run(VERIFY_MANAGED_RESOURCE_GROUP, "of " + request.workspace().name(),
                a -> a.verifyManagedResourceGroup(request, workspace), StepReport::verifyManagedResourceGroup);
        String done = "workspace " + request.workspace().name() + " is encrypted with " + key.keyUrlWithVersion();
        // Only a workspace this run made is cmkflow's to watch (and, later, to rotate).
        return workspace.created() ? done + schedulePosture(request,
                new ManagedWorkspace(workspace.workspaceId(), vault.vaultId(), Workflow.getInfo().getRunId(),
                        run.state().resourcesCreated())) : done;
    }

    /**
     * The workspace's recurring posture check, out of a cancel's reach (the workspace is done). A schedule that cannot be
     * made leaves the workspace as it is: the run's last event says so (returned), and the run still succeeds.
     */
    private String schedulePosture(CmkRequest request, ManagedWorkspace managed) {
        PostureScheduling scheduling = postureScheduling("Posture schedule of " + request.workspace().name());
        return noteIfItFails("its posture check is NOT scheduled", () -> {
            String schedule = scheduling.schedulePostureCheck(request, managed);
            if (schedule != null) {
                run.known("postureSchedule", schedule);
            }
        });
    }

    /** Ends the workspace's posture schedule, out of a cancel's reach; one that cannot be removed is named in the event. */
    private String unschedulePosture(CmkRequest request) {
        PostureScheduling scheduling = postureScheduling("Remove the posture schedule of " + request.workspace().name());
        return noteIfItFails("its posture schedule is NOT removed", () -> scheduling.removePostureCheck(request));
    }

    private PostureScheduling postureScheduling(String summary) {
        return Workflow.newActivityStub(PostureScheduling.class, CmkActivityOptions.capped(
                CmkActivityOptions.forPostureSchedule(summary), run.activityTimeoutCap()));
    }

    /**
     * Runs {@code call} out of a cancel's reach (the run's work is done by then); its failure leaves the run succeeded
     * and is returned as a note for the last event ("; {@code what}: why"), empty when it worked.
     */
    private static String noteIfItFails(String what, Runnable call) {
        StringBuilder note = new StringBuilder();
        Workflow.newDetachedCancellationScope(() -> {
            try {
                call.run();
            } catch (ActivityFailure failure) {
                note.append("; ").append(what).append(": ").append(Failures.text(failure));
            }
        }).run();
        return note.toString();
    }

    /**
     * A key rotation, steps 1-4: reads and checks before it writes, and its only undo sets the workspace's key back.
     * Returns the succeeded event's sentence.
     */
    private String rotateKey(CmkRequest request, ManagedWorkspace managed, StepRunner steps, Compensation compensation,
                             Undos undos, Supplier<Ownership> owner) {
        String vaultName = request.keyVaultId().name();
        WorkspaceKeyOutcome before = steps.run(READ_WORKSPACE_KEY, "of " + request.workspace().name(),
                a -> a.readWorkspaceKey(request, managed), StepReport::readWorkspaceKey);

        steps.run(CHECK_KEY_ACCESS, "on " + vaultName,
                a -> a.checkKeyAccess(request), access -> StepReport.checkKeyAccess(access, vaultName));

        // No undo: a key version is never deleted, since data may already be wrapped with it.
        KeyOutcome key = steps.run(CREATE_KEY_VERSION, request.key().name() + " in " + vaultName,
                a -> a.createKeyVersion(request, before, owner.get()), StepReport::createKeyVersion);

        compensation.register(CHANGE_WORKSPACE_KEY, Undos.RESTORE_WORKSPACE_KEY, undos::restoreWorkspaceKey);
        steps.run(CHANGE_WORKSPACE_KEY, "of " + request.workspace().name(),
                a -> a.changeWorkspaceKey(request, key), after -> StepReport.changeWorkspaceKey(after, before));
        return "workspace " + request.workspace().name() + " is encrypted with " + key.keyUrlWithVersion()
                + " (was " + before.keyIdentifier() + ")";
    }

    /**
     * A decommission, steps 1-4: checks, deletes (no undo: Azure cannot give the workspace back as it was), watches
     * the managed resource group Azure removes, deletes what the create made for the workspace when the request asks,
     * and ends the workspace's posture schedule. Returns the succeeded event's sentence.
     */
    private String decommission(CmkRequest request, ManagedWorkspace managed, StepRunner steps) {
        String name = request.workspace().name();
        DecommissionOutcome checked = steps.run(CHECK_WORKSPACE, name,
                a -> a.checkWorkspace(request, managed), StepReport::checkWorkspace);
        DecommissionOutcome deleted = steps.run(DECOMMISSION_WORKSPACE, name + (checked.purged() ? " (purge)" : " (soft delete)"),
                a -> a.decommissionWorkspace(request, managed, checked), StepReport::decommissionWorkspace);
        DecommissionOutcome done = steps.run(AWAIT_MANAGED_GROUP_REMOVAL, "of " + name,
                a -> a.awaitManagedGroupRemoval(request, deleted), StepReport::awaitManagedGroupRemoval);
        List<UndoOutcome> removed = steps.run(DELETE_CREATED_RESOURCES, "made for " + name,
                a -> a.deleteCreatedResources(request, managed), StepReport::deleteCreatedResources);
        return "workspace " + name + " is decommissioned: " + StatusMessages.decommissionWorkspace(done) + "; "
                + StatusMessages.awaitManagedGroupRemoval(done) + "; " + StatusMessages.deleteCreatedResources(removed)
                + unschedulePosture(request);
    }

    /**
     * A key access repair, steps 1-2: the workspace must still be the one its create made, in its vault; then Azure
     * Cosmos DB's (and the identity's) key access is granted again where it is missing. Its undo removes only what
     * step 2 added (what its read before the write did not find). Returns the succeeded event's sentence.
     */
    private String repairKeyAccess(CmkRequest request, ManagedWorkspace managed, StepRunner steps,
                                   Compensation compensation, Undos undos) {
        VaultOutcome vault = steps.run(READ_WORKSPACE_VAULT, "of " + request.workspace().name(),
                a -> a.readWorkspaceVault(request, managed), StepReport::readWorkspaceVault);

        compensation.register(RESTORE_KEY_ACCESS, Undos.REMOVE_COSMOS_DB_KEY_ACCESS,
                () -> undos.removeCosmosDbKeyAccess(RESTORE_KEY_ACCESS));
        KeyAccessOutcome access = steps.run(RESTORE_KEY_ACCESS, "on " + vault.name(),
                a -> a.restoreKeyAccess(request, vault, accessBefore(request, vault, RESTORE_KEY_ACCESS)),
                g -> StepReport.grantCosmosDbKeyAccess(g, vault));
        return "key access on " + vault.name() + " for workspace " + request.workspace().name()
                + (access.nothingAdded() ? " was complete: nothing granted" : " restored");
    }

    /**
     * Who had key access before {@code grant} wrote, read once per run (an operator's retry of the step must not take
     * this run's own entries for older ones) so that it is in the history.
     */
    private KeyAccessOutcome accessBefore(CmkRequest request, VaultOutcome vault, CmkStep grant) {
        if (run.keyAccessBefore() == null) {
            Promise<KeyAccessOutcome> besideKey = accessReadBesideKey;
            accessReadBesideKey = null;
            // A read beside step 3 that failed is read again here (and, failing again, parks step 4 like its grant).
            run.keyAccessBefore(besideKey != null ? besideKey.get() : accessRead(vault, grant).readCosmosDbKeyAccess(request, vault));
        }
        return run.keyAccessBefore();
    }

    private ProvisioningActivities accessRead(VaultOutcome vault, CmkStep grant) {
        return Workflow.newActivityStub(ProvisioningActivities.class, StepRunner.options(grant,
                "read Cosmos DB key access on " + vault.name() + " before the grant", run.activityTimeoutCap()));
    }

    /** Step 0 again inside the run (the intake checked already): guards runs started some other way, before any Azure call. */
    private void refuseInvalid(CmkRequest request) {
        try {
            RequestRules.check(request);
        } catch (InvalidRequestException invalid) {
            run.invalidRequest(invalid.getMessage());
            run.finished(CmkStatus.Failed);
            run.show(VALIDATE_STAGE);
            publishFinal(() -> events.publish(StatusEvent.Type.failed, VALIDATE_STAGE, run.lastError(), null));
            throw ApplicationFailure.newNonRetryableFailure(invalid.getMessage(), InvalidRequestException.FAILURE_TYPE);
        }
    }

    /**
     * The run's last event, out of a cancel's reach: a cancel arriving while it is published would otherwise turn a
     * finished run into a cancelled one (and undo a workspace that is done) and lose the event.
     */
    private static void publishFinal(Runnable publish) {
        Workflow.newDetachedCancellationScope(publish).run();
    }

    private void end(CmkStatus status, StatusEvent.Type event, String why) {
        run.finished(status);
        run.show(CmkSearchAttributes.STAGE_DONE);
        events.publish(event, run.currentStep(), why + "; " + StatusMessages.compensation(run.compensation()), null);
    }

    @Override
    public CmkRunState state() {
        return run.state();
    }

    @Override
    public String retry(String reason) {
        return parking.retry(reason);
    }

    @Override
    public void validateRetry(String reason) {
        parking.requireParked("retry");
    }

    @Override
    public String abort(String reason) {
        return parking.abort(reason);
    }

    @Override
    public void validateAbort(String reason) {
        parking.requireParked("abort");
    }
}
