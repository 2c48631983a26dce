package io.cmkflow.crash;

import io.cmkflow.dev.DevTemporal;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.testing.CmkStack;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The Temporal dev server dies for real ({@code TemporalDevServer.kill()}: SIGKILL) while a step's ARM call is in
 * flight, and is started again on its SQLite file; the run finishes as designed, with each resource created once.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class DevServerCrashTest {
    private static final Duration HOLD = Duration.ofSeconds(3);

    private static final CrashWorkers workers = new CrashWorkers();
    @RegisterExtension
    static final CmkStack stack = workers.stack();

    @Test
    void devServerKilledDuringStep5AndRestartedOnItsDatabaseTheSameWorkerFinishesTheRun() throws Exception {
        CmkRequest request = CrashChecks.request("srv5", 11);
        String workflowId = workers.startHeld(request, "Workspaces_CreateOrUpdate", "CreateWorkspace", HOLD);

        DevTemporal.devServer(stack).kill();
        // The held call lands in ARM while no Temporal server is up; the worker cannot report it yet.
        await().atMost(Duration.ofSeconds(20)).until(() -> !stack.arm().operationsInFlight().contains("Workspaces_CreateOrUpdate"));
        stack.arm().latency().clear();
        DevTemporal.devServer(stack).restart();

        CmkRunState state = stack.client().newUntypedWorkflowStub(workflowId).getResult(90, TimeUnit.SECONDS, CmkRunState.class);
        CrashChecks.assertSucceededCleanly(stack, request, state);
        assertThat(workers.worker().alive()).as("the worker outlived the server").isTrue();
    }

    @Test
    void devServerAndWorkerKilledTogetherDuringStep2BothRestartedTheRunFinishes() throws Exception {
        CmkRequest request = CrashChecks.request("both2", 12);
        String workflowId = workers.startHeld(request, "Vaults_CreateOrUpdate", "CreateKeyVault", HOLD);

        workers.worker().kill();
        DevTemporal.devServer(stack).kill();
        stack.arm().latency().clear();
        DevTemporal.devServer(stack).restart();
        workers.startWorker();

        CmkRunState state = stack.client().newUntypedWorkflowStub(workflowId).getResult(90, TimeUnit.SECONDS, CmkRunState.class);
        CrashChecks.assertSucceededCleanly(stack, request, state);
    }
}
