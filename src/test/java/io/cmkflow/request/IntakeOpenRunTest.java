package io.cmkflow.request;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.TestRequests;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.contract.StatusEvent;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.client.WorkflowExecutionDescription;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests meeting an open run: the same request again is completed without a second run, another request for the
 * same workspace is refused; the open run is left alone either way.
 */
class IntakeOpenRunTest {
    // One stack per test. Without the worker a started run stays open, as one parked or slowed down would. No
    // duplicate detection on the queue, so a message sent again reaches the intake as a redelivery would.
    @RegisterExtension
    final CmkStack stack = CmkStack.builder().worker(false)
            .requestQueue(QueueDefinition.withDefaults(CmkStack.REQUESTS).withMaxDeliveryCount(5))
            .build();

    @Test
    void anotherRequestForATargetWithAnOpenRunIsDeadLetteredAsTargetBusy() {
        ObjectNode first = TestRequests.json("req-busy-1", "mlw-busy");
        ObjectNode second = TestRequests.json("req-busy-2", "mlw-busy");
        String workflowId = TestRequests.workflowId(first);
        stack.send(first);
        WorkflowExecutionDescription open = await().atMost(Duration.ofSeconds(10))
                .until(() -> stack.run(workflowId), Optional::isPresent).orElseThrow();

        stack.send(second);

        QueuedMessage deadLetter = await().atMost(Duration.ofSeconds(10)).until(() -> stack.requestQueue().deadLetters().stream()
                .filter(m -> "req-busy-2".equals(m.messageId())).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(deadLetter.deadLetterReason()).isEqualTo("TargetBusy");
        assertThat(deadLetter.deadLetterErrorDescription()).contains(workflowId).contains("req-busy-1");
        ReceivedEvent rejected = stack.status().awaitType("req-busy-2", StatusEvent.Type.rejected, Duration.ofSeconds(10));
        assertThat(rejected.schemaErrors()).isEmpty();
        assertThat(rejected.messageId()).isEqualTo(rejected.event().eventId());
        assertThat(rejected.event().workflowId()).isEqualTo(workflowId);
        assertThat(rejected.event().message()).startsWith("TargetBusy: ");

        WorkflowExecutionDescription still = stack.run(workflowId).orElseThrow();
        assertThat(still.getExecution().getRunId()).isEqualTo(open.getExecution().getRunId());
        assertThat(still.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        assertThat(still.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID)).isEqualTo("req-busy-1");
        assertThat(stack.requestQueue().activeCount()).isZero();
        assertThat(stack.requestQueue().deadLetterCount()).isOne();
        assertThat(stack.status().of("req-busy-1")).isEmpty();
        assertThat(stack.app().getBean(RequestIntake.class).isRunning()).isTrue();
    }

    @Test
    void theSameMessageFiveTimesStartsOneRunAndEveryCopyIsCompleted() {
        ObjectNode request = TestRequests.json("req-same-1", "mlw-same");
        String workflowId = TestRequests.workflowId(request);

        for (int copy = 0; copy < 5; copy++) {
            stack.send(request);
        }

        await().atMost(Duration.ofSeconds(10)).until(() -> stack.run(workflowId).isPresent() && stack.requestQueue().activeCount() == 0);
        WorkflowExecutionDescription run = stack.run(workflowId).orElseThrow();
        assertThat(run.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING);
        assertThat(run.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID)).isEqualTo("req-same-1");
        // Four copies met the open run of their own request: completed, neither refused as TargetBusy nor abandoned.
        assertThat(stack.requestQueue().deadLetterCount()).isZero();
        assertThat(stack.status().all()).isEmpty();
    }
}
