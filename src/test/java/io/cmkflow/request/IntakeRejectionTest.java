package io.cmkflow.request;

import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.TestRequests;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.workflow.WorkflowIds;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Every kind of bad input, sent through the real client: dead-lettered with a stable reason and a description naming
 * field and rule, announced by a `rejected` event, and never a run or an Azure request. The worker is on, so a run
 * started by mistake would show in Temporal and in the simulator's journal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeRejectionTest {
    private static final int MAX_MESSAGE_BYTES = 4096;

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().worker(true).property("cmkflow.servicebus.max-message-bytes", MAX_MESSAGE_BYTES).build();

    @AfterEach
    void nothingReachedAzureAndTheListenerIsStillRunning() {
        assertThat(stack.arm().journal().entries()).isEmpty();
        assertThat(stack.app().getBean(RequestIntake.class).isRunning()).isTrue();
    }

    Stream<Map.Entry<String, JsonNode>> invalidExamples() throws IOException {
        JsonNode expected = TestRequests.mapper().readTree(TestRequests.INVALID_EXAMPLES.resolve("expected.json").toFile());
        Iterator<Map.Entry<String, JsonNode>> entries = expected.fields();
        Stream.Builder<Map.Entry<String, JsonNode>> all = Stream.builder();
        entries.forEachRemaining(all::add);
        return all.build();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidExamples")
    void anInvalidExampleIsDeadLetteredWithItsReasonFieldAndRule(Map.Entry<String, JsonNode> example) throws IOException {
        String file = example.getKey();
        String messageId = "invalid-" + file;
        byte[] body = Files.readAllBytes(TestRequests.INVALID_EXAMPLES.resolve(file));

        stack.send(new ServiceBusMessage(BinaryData.fromBytes(body)).setMessageId(messageId).setContentType("application/json"));

        String field = example.getValue().get("field").asText();
        String rule = example.getValue().get("rule").asText();
        String reason = example.getValue().get("reason").asText();
        assertRejected(messageId, body, reason, (field.isEmpty() ? "(message)" : field) + ": " + rule);
    }

    @Test
    void anOversizedBodyIsDeadLetteredAsMessageTooLarge() {
        ObjectNode request = TestRequests.json("req-oversized", "mlw-oversized");
        request.put("padding", "x".repeat(MAX_MESSAGE_BYTES));
        byte[] body = TestRequests.bytes(request);

        stack.send(new ServiceBusMessage(BinaryData.fromBytes(body)).setMessageId("oversized").setContentType("application/json"));

        // The body is not parsed, not even for its request id: the event correlates on the message id.
        assertRejected("oversized", body, "oversized", "MessageTooLarge", "max-size");
    }

    @Test
    void aBodyOfAnotherContentTypeIsDeadLetteredAsUnsupportedContentType() {
        byte[] body = TestRequests.bytes(TestRequests.json("req-text-plain", "mlw-text-plain"));

        stack.send(new ServiceBusMessage(BinaryData.fromBytes(body)).setMessageId("text-plain").setContentType("text/plain"));

        assertRejected("text-plain", body, "UnsupportedContentType", "content-type");
    }

    private void assertRejected(String messageId, byte[] body, String reason, String fieldAndRule) {
        assertRejected(messageId, body, new IncomingRequest(messageId, null, null, body)
                .requestIdOrMessageId(stack.app().getBean(ObjectMapper.class)), reason, fieldAndRule);
    }

    private void assertRejected(String messageId, byte[] body, String requestId, String reason, String fieldAndRule) {
        QueuedMessage deadLetter = await().atMost(Duration.ofSeconds(15)).until(() -> stack.requestQueue().deadLetters().stream()
                .filter(m -> messageId.equals(m.messageId())).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(deadLetter.deadLetterReason()).isEqualTo(reason);
        assertThat(deadLetter.deadLetterErrorDescription()).contains(fieldAndRule);
        assertThat(deadLetter.deliveryCount()).as("dead-lettered on its first delivery").isEqualTo(1);

        ReceivedEvent rejected = stack.status().awaitEvent(e -> e.messageId().equals("rejected-" + messageId), Duration.ofSeconds(10));
        assertThat(rejected.schemaErrors()).isEmpty();
        assertThat(rejected.correlationId()).isEqualTo(requestId);
        assertThat(rejected.event().requestId()).isEqualTo(requestId);
        assertThat(rejected.event().type()).isEqualTo(StatusEvent.Type.rejected);
        assertThat(rejected.event().message()).startsWith(reason + ": ").contains(fieldAndRule);
        assertThat(stack.status().of(requestId)).extracting(e -> e.event().type()).containsOnly(StatusEvent.Type.rejected);

        wouldBeWorkflowId(body).ifPresent(workflowId -> assertThat(stack.run(workflowId)).as("run %s", workflowId).isEmpty());
        assertThat(stack.requestQueue().activeCount()).isZero();
    }

    /** The workflow id the request would have run under, when its body names a target. */
    private static Optional<String> wouldBeWorkflowId(byte[] body) {
        try {
            JsonNode request = TestRequests.mapper().readTree(body);
            List<String> target = List.of(request.path("subscriptionId").asText(""), request.path("resourceGroup").asText(""),
                    request.path("workspace").path("name").asText(""));
            return target.contains("") ? Optional.empty() : Optional.of(WorkflowIds.forTarget(target.get(0), target.get(1), target.get(2)));
        } catch (IOException notJson) {
            return Optional.empty();
        }
    }
}
