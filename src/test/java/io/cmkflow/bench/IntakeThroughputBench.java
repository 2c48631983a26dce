package io.cmkflow.bench;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.local.FreePorts;
import io.cmkflow.local.servicebus.EmulatorConfig;
import io.cmkflow.local.servicebus.QueueDefinition;
import io.cmkflow.local.servicebus.QueueView;
import io.cmkflow.local.servicebus.ServiceBusStandIn;
import io.cmkflow.local.servicebus.StandInOptions;
import io.cmkflow.workflow.WorkflowIds;
import io.micronaut.context.ApplicationContext;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Intake throughput (issue 4 §5): messages per second from the request queue to an acknowledged workflow start, on the
 * local stack (Service Bus stand-in, embedded Temporal, worker off so runs are only started). For each intake
 * concurrency it boots a fresh application, warms it up, then sends the batch and times until the broker has seen
 * every message completed; finally it checks that each request has its run and that nothing was dead-lettered.
 *
 * <p>Arguments: {@code [messages] [concurrency,...] [prefetch]}, default {@code 1000 1,4,16,32 0} (0 is the intake's
 * default prefetch).
 */
public final class IntakeThroughputBench {
    private static final String REQUESTS = "cmk-requests";
    private static final int WARM_UP = 100;
    private static final Duration DEADLINE = Duration.ofMinutes(5);
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private IntakeThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        int messages = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        String concurrencies = args.length > 1 ? args[1] : "1,4,16,32";
        int prefetch = args.length > 2 ? Integer.parseInt(args[2]) : 0;
        System.out.printf("intake throughput: %d messages per run, %d warm-up, prefetch %d, %d cores%n", messages, WARM_UP,
                prefetch, Runtime.getRuntime().availableProcessors());
        for (String concurrency : concurrencies.split(",")) {
            Result result = run(messages, Integer.parseInt(concurrency.trim()), prefetch);
            System.out.printf("maxConcurrentCalls=%-3d sent in %5d ms, all started in %6d ms: %7.1f msg/s (runs verified %d, dead-lettered %d)%n",
                    result.concurrency, result.sendMillis, result.totalMillis, result.messagesPerSecond(), result.runsVerified,
                    result.deadLettered);
        }
    }

    private static Result run(int messages, int concurrency, int prefetch) throws Exception {
        int temporalPort = FreePorts.next();
        try (ServiceBusStandIn serviceBus = ServiceBusStandIn.start(StandInOptions.builder()
                .port(0)
                .config(EmulatorConfig.of(
                        QueueDefinition.withDefaults(REQUESTS).withDuplicateDetection(Duration.ofMinutes(10)).withMaxDeliveryCount(5),
                        QueueDefinition.withDefaults("cmk-status").withDuplicateDetection(Duration.ofMinutes(10))))
                .sharedAccessKey(StandInOptions.EMULATOR_KEY_NAME, StandInOptions.EMULATOR_KEY_VALUE)
                .build());
             ApplicationContext app = ApplicationContext.builder().deduceEnvironment(false).environments("test").properties(Map.of(
                     "cmkflow.servicebus.connection-string", serviceBus.connectionString(),
                     "cmkflow.servicebus.max-concurrent-calls", concurrency,
                     "cmkflow.servicebus.prefetch-count", prefetch,
                     "cmkflow.test.embedded-temporal-port", temporalPort,
                     "cmkflow.temporal.address", "localhost:" + temporalPort,
                     "cmkflow.worker.enabled", false)).start();
             ServiceBusSenderClient sender = new ServiceBusClientBuilder().connectionString(serviceBus.connectionString())
                     .sender().queueName(REQUESTS).buildClient()) {
            QueueView queue = serviceBus.queue(REQUESTS);
            ObjectNode example = (ObjectNode) MAPPER.readTree(Files.readAllBytes(
                    Path.of("workflows/cmk-workspace/examples/valid/public-cloud-new-vault.json")));

            sendAll(sender, requests(example, "warm", WARM_UP));
            awaitDrained(queue);

            List<ObjectNode> batch = requests(example, "bench", messages);
            long start = System.nanoTime();
            sendAll(sender, batch);
            long sent = System.nanoTime();
            awaitDrained(queue);
            long done = System.nanoTime();

            WorkflowClient client = app.getBean(WorkflowClient.class);
            int verified = (int) batch.stream().filter(request -> runExists(client, workflowId(request))).count();
            return new Result(concurrency, messages, (sent - start) / 1_000_000, (done - start) / 1_000_000, verified,
                    queue.deadLetterCount());
        }
    }

    private static List<ObjectNode> requests(ObjectNode example, String prefix, int count) {
        List<ObjectNode> requests = new ArrayList<>(count);
        for (int n = 1; n <= count; n++) {
            ObjectNode request = example.deepCopy();
            request.put("requestId", "req-" + prefix + "-" + n);
            ((ObjectNode) request.get("workspace")).put("name", "mlw-" + prefix + "-" + n);
            ((ObjectNode) request.get("keyVault")).put("name", "kv-" + prefix + "-" + n);
            requests.add(request);
        }
        return requests;
    }

    /** Sends in as few AMQP transfers as the size limit allows, so the sender is not what is measured. */
    private static void sendAll(ServiceBusSenderClient sender, List<ObjectNode> requests) throws IOException {
        ServiceBusMessageBatch batch = sender.createMessageBatch();
        for (ObjectNode request : requests) {
            ServiceBusMessage message = new ServiceBusMessage(BinaryData.fromBytes(MAPPER.writeValueAsBytes(request)))
                    .setMessageId(request.get("requestId").asText())
                    .setContentType("application/json");
            if (!batch.tryAddMessage(message)) {
                sender.sendMessages(batch);
                batch = sender.createMessageBatch();
                if (!batch.tryAddMessage(message)) {
                    throw new IllegalStateException("request " + request.get("requestId") + " does not fit an empty batch");
                }
            }
        }
        if (batch.getCount() > 0) {
            sender.sendMessages(batch);
        }
    }

    /** Waits until the broker holds no active or locked message: every one was completed (or dead-lettered). */
    private static void awaitDrained(QueueView queue) throws InterruptedException {
        long deadline = System.nanoTime() + DEADLINE.toNanos();
        while (queue.activeCount() > 0) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(queue.activeCount() + " messages still on the queue after " + DEADLINE);
            }
            // Polling the stand-in is a call onto its reactor thread; a short pause keeps it from competing with the intake.
            Thread.sleep(5);
        }
    }

    private static boolean runExists(WorkflowClient client, String workflowId) {
        try {
            client.newUntypedWorkflowStub(workflowId, Optional.empty(), Optional.empty()).describe();
            return true;
        } catch (WorkflowNotFoundException notFound) {
            return false;
        }
    }

    private static String workflowId(ObjectNode request) {
        return WorkflowIds.forTarget(request.get("subscriptionId").asText(), request.get("resourceGroup").asText(),
                request.get("workspace").get("name").asText());
    }


    private record Result(int concurrency, int messages, long sendMillis, long totalMillis, int runsVerified, int deadLettered) {
        double messagesPerSecond() {
            return messages * 1000.0 / totalMillis;
        }
    }
}
