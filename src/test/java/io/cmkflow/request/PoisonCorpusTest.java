package io.cmkflow.request;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.RequestRules;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.ReceivedEvent;
import io.cmkflow.testing.TestRequests;
import io.temporal.api.enums.v1.WorkflowExecutionStatus;
import io.temporal.api.workflow.v1.WorkflowExecutionInfo;
import io.temporal.api.workflowservice.v1.ListClosedWorkflowExecutionsRequest;
import io.temporal.api.workflowservice.v1.ListOpenWorkflowExecutionsRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Issue 12's poison corpus (src/test/resources/poison, {@link PoisonCorpus}) sent all at once through the Service Bus
 * stand-in to the real intake, a valid request between every few poison messages: each poison message is
 * dead-lettered on its first delivery with its manifest's reason, field and rule and announced by a `rejected` event;
 * Temporal holds the valid requests' runs and no other, all succeeded; the ARM simulator saw no request of a poison
 * message (every name in the corpus contains "poison", no valid request's does). The oversized body is refused
 * before it is parsed: its event correlates on the message id, not on the request id inside it. No intake log line
 * carries a control character or line break from a body or message id (log forging).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PoisonCorpusTest {
    // Below the stand-in's 256 KiB message limit, so the corpus's 96 KiB body reaches the intake and is refused there.
    private static final int MAX_MESSAGE_BYTES = 64 * 1024;
    private static final int POISON_BETWEEN_VALID = 16;
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    // The valid example's subscription (TestRequests.json's requests run there); the corpus's second one.
    private static final String SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";
    private static final String OTHER_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555";
    private static final Duration SETTLED = Duration.ofSeconds(60);

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().worker(true)
            .property("cmkflow.servicebus.max-message-bytes", MAX_MESSAGE_BYTES)
            .property("cmkflow.azure.scope", "AzureCloud/" + TENANT + "/" + SUBSCRIPTION + "/rg-ml-*,"
                    + "AzureCloud/" + TENANT + "/" + OTHER_SUBSCRIPTION + "/rg-identities")
            .build();

    @Test
    void theManifestListsEveryFileOnceAndCoversEveryCategoryOfTheIssue() throws IOException {
        List<PoisonCorpus.Entry> entries = PoisonCorpus.entries();
        try (Stream<java.nio.file.Path> files = Files.list(PoisonCorpus.DIRECTORY)) {
            assertThat(entries).extracting(PoisonCorpus.Entry::file).doesNotHaveDuplicates()
                    .containsExactlyInAnyOrderElementsOf(files.map(f -> f.getFileName().toString())
                            .filter(name -> !PoisonCorpus.MANIFEST.getFileName().toString().equals(name)).toList());
        }
        assertThat(entries).hasSizeGreaterThanOrEqualTo(40);
        assertThat(entries).extracting(PoisonCorpus.Entry::category).contains("binary garbage", "empty", "oversized",
                "deeply nested", "duplicate keys", "wrong types", "out-of-range numbers", "missing fields", "extra fields",
                "path separators", "percent-encoding", "unicode look-alikes", "control characters", "trailing newlines",
                "ids out of scope", "ids in another subscription", "key size");
        assertThat(entries).filteredOn(e -> e.reason() == RejectionReason.MessageTooLarge)
                .allSatisfy(e -> assertThat(e.body().length).isGreaterThan(MAX_MESSAGE_BYTES));
    }

    @Test
    void everyPoisonMessageIsDeadLetteredWithItsReasonAndNoneRunsOrReachesAzureWhileTheValidOnesBetweenRun() {
        List<PoisonCorpus.Entry> poison = PoisonCorpus.entries();
        ListAppender<ILoggingEvent> intakeLog = new ListAppender<>();
        intakeLog.start();
        ((Logger) LoggerFactory.getLogger(IntakeService.class)).addAppender(intakeLog);
        List<ObjectNode> valid = new ArrayList<>();
        for (int i = 0; i < poison.size(); i++) {
            if (i % POISON_BETWEEN_VALID == 0) {
                valid.add(sendValid(valid.size()));
            }
            PoisonCorpus.Entry entry = poison.get(i);
            stack.send(new ServiceBusMessage(BinaryData.fromBytes(entry.body())).setMessageId(messageId(entry))
                    .setContentType("application/json"));
        }
        valid.add(sendValid(valid.size()));

        valid.forEach(request -> stack.status().awaitType(request.get("requestId").asText(), StatusEvent.Type.succeeded, SETTLED));
        await().atMost(SETTLED).until(() -> stack.requestQueue().deadLetterCount() >= poison.size());
        Map<String, QueuedMessage> deadLetters = stack.requestQueue().deadLetters().stream()
                .collect(Collectors.toMap(QueuedMessage::messageId, Function.identity()));
        assertThat(deadLetters).hasSize(poison.size());

        SoftAssertions each = new SoftAssertions();
        for (PoisonCorpus.Entry entry : poison) {
            QueuedMessage deadLetter = deadLetters.get(messageId(entry));
            each.assertThat(deadLetter).as("%s dead-lettered", entry).isNotNull();
            if (deadLetter != null) {
                each.assertThat(deadLetter.deadLetterReason()).as("%s reason", entry).isEqualTo(entry.reason().name());
                each.assertThat(deadLetter.deadLetterErrorDescription()).as("%s description", entry).contains(entry.fieldAndRule());
                each.assertThat(deadLetter.deliveryCount()).as("%s deliveries", entry).isEqualTo(1);
            }
            Optional<ReceivedEvent> rejected = stack.status().all().stream()
                    .filter(e -> e.messageId().equals("rejected-" + messageId(entry))).findFirst();
            each.assertThat(rejected).as("%s rejected event", entry).hasValueSatisfying(event -> {
                assertThat(event.schemaErrors()).isEmpty();
                assertThat(event.correlationId()).matches(id -> RequestRules.isRequestId(id) || id.equals(messageId(entry)));
                assertThat(event.event().type()).isEqualTo(StatusEvent.Type.rejected);
                assertThat(event.event().message()).startsWith(entry.reason() + ": ").contains(entry.fieldAndRule());
            });
            if (entry.reason() == RejectionReason.MessageTooLarge) {
                each.assertThat(rejected).as("%s is not parsed, not even for its request id", entry)
                        .hasValueSatisfying(event -> assertThat(event.correlationId()).isEqualTo(messageId(entry)));
            }
        }
        each.assertAll();
        ((Logger) LoggerFactory.getLogger(IntakeService.class)).detachAppender(intakeLog);
        assertThat(intakeLog.list).extracting(ILoggingEvent::getFormattedMessage)
                .filteredOn(line -> line.contains(" rejected: ")).hasSize(poison.size())
                .allSatisfy(line -> assertThat(RequestRules.printable(line)).as("printable").isEqualTo(line));

        List<String> validRuns = valid.stream().map(TestRequests::workflowId).toList();
        assertThat(workflows()).as("Temporal's runs: the valid requests' only").hasSameElementsAs(validRuns)
                .allSatisfy(run -> assertThat(stack.run(run)).hasValueSatisfying(d ->
                        assertThat(d.getStatus()).isEqualTo(WorkflowExecutionStatus.WORKFLOW_EXECUTION_STATUS_COMPLETED)));
        assertThat(stack.arm().journal().entries()).as("ARM requests").isNotEmpty().allSatisfy(request -> {
            assertThat(request.subscription()).isIn(null, SUBSCRIPTION);
            assertThat(mentions(request)).doesNotContain("poison");
        });
        assertThat(stack.requestQueue().activeCount()).isZero();
        assertThat(stack.app().getBean(RequestIntake.class).isRunning()).isTrue();
    }

    private static ObjectNode sendValid(int n) {
        ObjectNode request = TestRequests.json("req-corpus-valid-" + n, "mlw-corpus-valid-" + n);
        stack.seedResourceGroup(request);
        byte[] body = TestRequests.bytes(request);
        if (n == 1) {
            // A line break after the request is no second document: this one must run like the others.
            body = (new String(body, StandardCharsets.UTF_8) + "\n").getBytes(StandardCharsets.UTF_8);
        }
        stack.send(new ServiceBusMessage(BinaryData.fromBytes(body)).setMessageId(request.get("requestId").asText())
                .setContentType("application/json"));
        return request;
    }

    private static String messageId(PoisonCorpus.Entry entry) {
        return "poison-" + entry.file();
    }

    /** Every workflow id Temporal knows in the namespace, open or closed. */
    private static List<String> workflows() {
        WorkflowServiceStubs service = stack.client().getWorkflowServiceStubs();
        String namespace = stack.client().getOptions().getNamespace();
        Stream<WorkflowExecutionInfo> open = service.blockingStub().listOpenWorkflowExecutions(
                ListOpenWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setMaximumPageSize(1000).build()).getExecutionsList().stream();
        Stream<WorkflowExecutionInfo> closed = service.blockingStub().listClosedWorkflowExecutions(
                ListClosedWorkflowExecutionsRequest.newBuilder().setNamespace(namespace).setMaximumPageSize(1000).build()).getExecutionsList().stream();
        return Stream.concat(open, closed).map(info -> info.getExecution().getWorkflowId()).toList();
    }

    private static String mentions(JournalEntry request) {
        return (request.path() + " " + request.query() + " " + request.requestBody()).toLowerCase(Locale.ROOT);
    }
}
