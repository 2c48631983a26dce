package io.cmkflow.request;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.TestRequests;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.contract.StatusEvent;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import com.fasterxml.jackson.core.type.TypeReference;
import org.junit.jupiter.api.TestInstance;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Valid requests through the real intake with the worker on: each becomes exactly one run, reported by status events. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeRunTest {
    private static final Duration RUN_TIMEOUT = Duration.ofSeconds(60);

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().worker(true).build();

    @Test
    void aValidRequestRunsToSucceededAndEveryEventConformsToTheSchema() {
        ObjectNode request = TestRequests.json("req-happy-1", "mlw-happy");
        stack.seedResourceGroup(request);

        stack.send(request);

        stack.status().awaitType("req-happy-1", StatusEvent.Type.succeeded, RUN_TIMEOUT);
        List<ReceivedEvent> events = stack.status().of("req-happy-1");
        assertThat(events).extracting(e -> e.event().type()).startsWith(StatusEvent.Type.accepted).endsWith(StatusEvent.Type.succeeded)
                .contains(StatusEvent.Type.step_done).doesNotContain(StatusEvent.Type.rejected);
        assertThat(events).allSatisfy(received -> {
            assertThat(received.schemaErrors()).as("schema errors of %s", received.messageId()).isEmpty();
            assertThat(received.correlationId()).isEqualTo("req-happy-1");
            assertThat(received.messageId()).isEqualTo(received.event().eventId());
            assertThat(received.contentType()).isEqualTo("application/json");
            assertThat(received.event().workflowId()).isEqualTo(TestRequests.workflowId(request));
            // Each event links the run's page in the Temporal UI (the dev server's UI by default).
            assertThat(received.event().temporalUiUrl()).startsWith("http://127.0.0.1:8233/namespaces/default/workflows/"
                    + URLEncoder.encode(TestRequests.workflowId(request), StandardCharsets.UTF_8) + "/").endsWith("/history");
        });
        assertThat(events).extracting(ReceivedEvent::messageId).doesNotHaveDuplicates();
        // The succeeded event is published by the run's last activity, just before the run itself completes.
        await().atMost(RUN_TIMEOUT).untilAsserted(() -> assertThat(stack.run(TestRequests.workflowId(request))).hasValueSatisfying(run ->
                assertThat(run.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED)));
        assertThat(stack.arm().state().workspaces()).extracting(ArmState.WorkspaceView::name).contains("mlw-happy");
        assertThat(stack.requestQueue().activeCount()).isZero();
        assertThat(stack.requestQueue().deadLetterCount()).isZero();
    }

    @Test
    void eventsOfARequestWithReplyToGoToThatQueueOnly() {
        ObjectNode request = TestRequests.json("req-reply-1", "mlw-reply");
        stack.seedResourceGroup(request);

        stack.send(new ServiceBusMessage(BinaryData.fromBytes(TestRequests.bytes(request)))
                .setMessageId("req-reply-1").setContentType("application/json").setReplyTo(CmkStack.REPLIES));

        stack.replies().awaitType("req-reply-1", StatusEvent.Type.succeeded, RUN_TIMEOUT);
        assertThat(stack.replies().of("req-reply-1")).isNotEmpty().allSatisfy(received -> {
            assertThat(received.schemaErrors()).isEmpty();
            assertThat(received.messageId()).isEqualTo(received.event().eventId());
            assertThat(received.event().replyTo()).isEqualTo(CmkStack.REPLIES);
        });
        assertThat(stack.status().of("req-reply-1")).isEmpty();
    }

    @ParameterizedTest(name = "ReplyTo {0}")
    @ValueSource(strings = {"cmk-elsewhere", CmkStack.REQUESTS})
    void eventsOfARequestWhoseReplyToIsNotAllowedGoToTheStatusQueue(String replyTo) {
        String requestId = "req-foreign-reply-" + replyTo;
        ObjectNode request = TestRequests.json(requestId, "mlw-" + replyTo);
        stack.seedResourceGroup(request);

        stack.send(new ServiceBusMessage(BinaryData.fromBytes(TestRequests.bytes(request)))
                .setMessageId(requestId).setContentType("application/json").setReplyTo(replyTo));

        stack.status().awaitType(requestId, StatusEvent.Type.succeeded, RUN_TIMEOUT);
        assertThat(stack.status().of(requestId)).extracting(e -> e.event().type()).startsWith(StatusEvent.Type.accepted);
        assertThat(stack.status().of(requestId)).allSatisfy(received -> assertThat(received.event().replyTo()).isNull());
        assertThat(stack.replies().of(requestId)).isEmpty();
        // Nothing was sent back to the request queue: the request itself was completed and nothing else arrived.
        assertThat(stack.requestQueue().activeCount()).isZero();
        assertThat(stack.requestQueue().deadLetterCount()).isZero();
        assertThat(stack.run(TestRequests.workflowId(request))).hasValueSatisfying(run ->
                assertThat(run.getStatus()).isIn(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_RUNNING,
                        WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED));
    }

    @Test
    void theRequestsTagsGoOnEveryResourceTheRunCreates() {
        ObjectNode request = TestRequests.json("req-tags-1", "mlw-tags");
        stack.seedResourceGroup(request);
        Map<String, String> requestTags = TestRequests.mapper().convertValue(request.get("tags"), new TypeReference<Map<String, String>>() { });
        String subscription = request.get("subscriptionId").asText();
        String group = request.get("resourceGroup").asText();

        stack.send(request);

        stack.status().awaitType("req-tags-1", StatusEvent.Type.succeeded, RUN_TIMEOUT);
        ArmState arm = stack.arm().state();
        ArmState.VaultView vault = arm.vault(subscription, group, request.get("keyVault").get("name").asText()).orElseThrow();
        ArmState.WorkspaceView workspace = arm.workspace(subscription, group, "mlw-tags").orElseThrow();
        assertThat(requestTags).isNotEmpty();
        assertThat(vault.tags()).as("vault").containsAllEntriesOf(requestTags);
        assertThat(arm.key(vault.id(), request.get("key").get("name").asText()).orElseThrow().tags()).as("key").containsAllEntriesOf(requestTags);
        assertThat(arm.resource(workspace.document().get("properties").get("storageAccount").asText()).orElseThrow().tags())
                .as("storage account").containsAllEntriesOf(requestTags);
        assertThat(arm.resource(workspace.document().get("properties").get("applicationInsights").asText()).orElseThrow().tags())
                .as("application insights").containsAllEntriesOf(requestTags);
        assertThat(workspace.tags()).as("workspace").containsAllEntriesOf(requestTags);
    }

    @Test
    void theSameRequestSentFiveTimesAtOnceRunsOnceAndEveryMessageIsCompleted() throws Exception {
        ObjectNode request = TestRequests.json("req-dup-1", "mlw-dup");
        stack.seedResourceGroup(request);
        byte[] body = TestRequests.bytes(request);
        ExecutorService senders = Executors.newFixedThreadPool(5);
        try {
            // Distinct MessageIds, as an upstream resend with a fresh id: the broker's duplicate detection cannot
            // drop them, so only the intake can keep the request from running twice.
            CompletableFuture.allOf(IntStream.rangeClosed(1, 5).mapToObj(n -> CompletableFuture.runAsync(() ->
                    stack.send(new ServiceBusMessage(BinaryData.fromBytes(body)).setMessageId("dup-" + n)
                            .setContentType("application/json")), senders)).toArray(CompletableFuture[]::new)).get();
        } finally {
            senders.shutdown();
        }

        stack.status().awaitType("req-dup-1", StatusEvent.Type.succeeded, RUN_TIMEOUT);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.requestQueue().activeCount() == 0);
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.run(TestRequests.workflowId(request)).orElseThrow().getStatus()
                == WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED);
        String runId = stack.run(TestRequests.workflowId(request)).orElseThrow().getExecution().getRunId();

        // Once more after the run ended: a request id runs once.
        stack.send(new ServiceBusMessage(BinaryData.fromBytes(body)).setMessageId("dup-6").setContentType("application/json"));
        await().atMost(Duration.ofSeconds(10)).until(() -> stack.requestQueue().activeCount() == 0);

        assertThat(stack.requestQueue().deadLetterCount()).isZero();
        assertThat(stack.run(TestRequests.workflowId(request)).orElseThrow().getExecution().getRunId()).isEqualTo(runId);
        List<ReceivedEvent> events = stack.status().of("req-dup-1");
        assertThat(events).filteredOn(e -> e.event().type() == StatusEvent.Type.accepted).hasSize(1);
        assertThat(events).filteredOn(e -> e.event().type() == StatusEvent.Type.succeeded).hasSize(1);
        assertThat(events).noneMatch(e -> e.event().type() == StatusEvent.Type.rejected);
        assertThat(stack.arm().state().workspaces()).filteredOn(ws -> ws.name().equals("mlw-dup")).hasSize(1);
    }
}
