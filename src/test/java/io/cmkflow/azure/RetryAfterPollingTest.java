package io.cmkflow.azure;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Ownership;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Long-running operations are polled at the {@code Retry-After} Azure sends, not at cmkflow's own (here 10 ms)
 * backoff: never sooner, so a slow operation costs a handful of reads instead of hundreds.
 */
class RetryAfterPollingTest {

    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Duration OPERATION = Duration.ofMillis(2500);

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().arm(ArmSimulatorOptions.defaults()
            .withWorkspaceOperationDuration(OPERATION).withOperationRetryAfter(RETRY_AFTER)).requestTarget().build();

    @Test
    void theWorkspaceCreateAndDeleteArePolledAtAzuresRetryAfter() {
        CmkRequest request = TestRequests.request("retryafter");
        Ownership owner = TestRequests.owner("retryafter");
        ProvisionedRun run = ProvisionedRun.of(azure, request, owner);
        assertThat(run.workspace().provisioningState()).isEqualToIgnoringCase("Succeeded");
        assertPolledAtRetryAfter("WorkspaceOperations_GetStatus");

        azure.arm().journal().clear();
        new WorkspaceStep(azure.clients(), CmkStack.FAST_POLLING).undo(request, owner, CmkStack.NO_HEARTBEAT);
        assertPolledAtRetryAfter("WorkspaceOperations_GetResult");
    }

    private static void assertPolledAtRetryAfter(String operation) {
        List<Instant> polls = azure.arm().journal().byOperation(operation).stream().map(JournalEntry::receivedAt).sorted().toList();
        assertThat(polls).as(operation + " polls").isNotEmpty();
        for (int i = 1; i < polls.size(); i++) {
            assertThat(Duration.between(polls.get(i - 1), polls.get(i))).as(operation + " poll " + i + " waited for Retry-After")
                    .isGreaterThanOrEqualTo(RETRY_AFTER.minusMillis(50));
        }
        // Backoff at 10 ms doubling to 50 ms would have polled a 2.5 s operation some 50 times.
        assertThat(polls.size()).as(operation + " polls").isLessThanOrEqualTo((int) (OPERATION.toMillis() / RETRY_AFTER.toMillis()) + 2);
    }
}
