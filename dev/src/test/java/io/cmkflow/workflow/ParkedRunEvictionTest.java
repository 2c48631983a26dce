package io.cmkflow.workflow;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.micrometer.core.instrument.Measurement;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A parked run costs the worker nothing once it leaves the workflow cache (cmkflow.worker.workflow-cache-size): here
 * a cache of one run, so parking a second run evicts the first, and the evicted run still resumes on an operator's
 * retry, rebuilt from its history, and finishes.
 */
class ParkedRunEvictionTest {

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().intake(false).requestTarget()
            .property("cmkflow.worker.workflow-cache-size", 1).build();

    @Test
    void aRunEvictedWhileParkedResumesOnRetryAndSucceeds() {
        stack.arm().faults().inject(FaultRule.forOperation("Workspaces_CreateOrUpdate").status(403).code("AuthorizationFailed")
                .message("test: the worker may not create workspaces").always());
        CmkRequest first = TestRequests.request("evicted-first");
        CmkRequest second = TestRequests.request("evicted-second");
        String firstId = start(first);
        stack.awaitParked(firstId, CmkStep.CREATE_WORKSPACE.stage());
        String secondId = start(second);
        stack.awaitParked(secondId, CmkStep.CREATE_WORKSPACE.stage());
        // The second run took the only cache slot, so the first one's state has left the worker.
        await().atMost(Duration.ofSeconds(30)).until(() -> sticky("temporal_sticky_cache_size") == 1);
        double missesBefore = sticky("temporal_sticky_cache_miss");

        stack.arm().faults().clear();
        retry(firstId);
        // The first run's retry found it outside the cache: the worker rebuilt it from its history.
        await().atMost(Duration.ofSeconds(30)).until(() -> sticky("temporal_sticky_cache_miss") > missesBefore);
        retry(secondId);
        for (String workflowId : new String[] {firstId, secondId}) {
            CmkRunState done = stack.client().newUntypedWorkflowStub(workflowId).getResult(CmkRunState.class);
            assertThat(done.status()).as(workflowId).isEqualTo(CmkStatus.Succeeded);
            assertThat(done.steps()).as(workflowId).extracting(CmkRunState.StepState::step).contains(CmkStep.VERIFY_MANAGED_RESOURCE_GROUP);
        }
    }

    private static String start(CmkRequest request) {
        CmkWorkflowStarter.StartResult started = stack.starter().start(new CmkWorkflowInput(request));
        assertThat(started.outcome()).isEqualTo(CmkWorkflowStarter.Outcome.STARTED);
        return started.workflowId();
    }

    private static void retry(String workflowId) {
        stack.client().newUntypedWorkflowStub(workflowId).update("retry", String.class, "test: workspace creation allowed again");
    }

    /** A workflow-cache meter of the Temporal SDK (reported every few seconds), summed over its tags. */
    private static double sticky(String name) {
        return stack.app().getBean(MeterRegistry.class).getMeters().stream()
                .filter(m -> m.getId().getName().equals(name))
                .flatMap(m -> java.util.stream.StreamSupport.stream(m.measure().spliterator(), false))
                .mapToDouble(Measurement::getValue).sum();
    }
}
