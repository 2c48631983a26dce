package io.cmkflow.bench;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusMessageBatch;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.standins.servicebus.QueueView;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.WorkflowIds;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowNotFoundException;

import java.io.IOException;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * Intake throughput (issue 4 §5, issue 12): messages per second from the request queue to an acknowledged workflow
 * start, on the local stack (Service Bus stand-in, ARM simulator) against the Temporal dev server or the embedded test
 * server. Worker off, runs are only started; worker on, the same JVM also executes them, and the figure "combined"
 * is requests per second from the first send until every run has ended. For each intake concurrency it boots a fresh
 * stack (and server), warms it up, then sends the batch and times until the broker has seen every message completed;
 * finally it checks that each request has its run and that nothing was dead-lettered.
 *
 * <p>Arguments (all optional): {@code server=dev|test messages=1000 concurrency=16,32,64 prefetch=0 worker=off|on
 * repeat=1 warm-up=100} (prefetch 0 is the intake's default).
 */
public final class IntakeThroughputBench {
    private static final Duration DEADLINE = Duration.ofMinutes(5);
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Set<String> KEYS = Set.of("server", "messages", "concurrency", "prefetch", "worker", "repeat", "warm-up");

    private IntakeThroughputBench() {
    }

    public static void main(String[] args) throws Exception {
        BenchSupport.exitOnFailure();
        Map<String, String> options = BenchSupport.options(args, KEYS);
        String server = options.getOrDefault("server", "dev");
        int messages = Integer.parseInt(options.getOrDefault("messages", "1000"));
        List<Integer> concurrencies = BenchSupport.counts(options.getOrDefault("concurrency", "16,32,64"));
        int prefetch = Integer.parseInt(options.getOrDefault("prefetch", "0"));
        boolean worker = "on".equals(options.getOrDefault("worker", "off"));
        int repeat = Integer.parseInt(options.getOrDefault("repeat", "1"));
        int warmUp = Integer.parseInt(options.getOrDefault("warm-up", "100"));
        BenchSupport.quietLogs();
        System.out.printf("intake throughput: %d messages per run, %d warm-up, prefetch %d, worker %s, %s server, %d cores%n",
                messages, warmUp, prefetch, worker ? "on" : "off", server, Runtime.getRuntime().availableProcessors());
        for (int round = 1; round <= repeat; round++) {
            for (int concurrency : concurrencies) {
                Result result = run(server, messages, warmUp, concurrency, prefetch, worker, round);
                System.out.printf(Locale.ROOT, "maxConcurrentCalls=%-3d sent in %5d ms, all started in %6d ms: %7.1f msg/s"
                                + "%s (runs verified %d, dead-lettered %d)%n",
                        result.concurrency, result.sendMillis, result.totalMillis, result.messagesPerSecond(),
                        worker ? String.format(Locale.ROOT, ", all ended in %d ms: %.1f runs/s", result.endedMillis,
                                result.runsPerSecond()) : "",
                        result.runsVerified, result.deadLettered);
                String key = "intake/" + server + "/" + (worker ? "on" : "off") + "/" + concurrency + "/";
                BenchSupport.result(key + "msg_per_s", result.messagesPerSecond());
                BenchSupport.result(key + "verified", result.runsVerified);
                BenchSupport.result(key + "dead_lettered", result.deadLettered);
                if (worker) {
                    BenchSupport.result(key + "runs_per_s", result.runsPerSecond());
                }
            }
        }
        System.exit(0);
    }

    private static Result run(String server, int messages, int warmUp, int concurrency, int prefetch, boolean worker, int round) throws Exception {
        try (CmkStack stack = BenchSupport.onServer(CmkStack.builder(), server)
                .worker(worker)
                .property("cmkflow.servicebus.max-concurrent-calls", concurrency)
                .property("cmkflow.servicebus.prefetch-count", prefetch)
                .build().start();
             ServiceBusSenderClient sender = new ServiceBusClientBuilder().connectionString(stack.serviceBus().connectionString())
                     .sender().queueName(CmkStack.REQUESTS).buildClient()) {
            QueueView queue = stack.requestQueue();
            ObjectNode example = (ObjectNode) MAPPER.readTree(Files.readAllBytes(TestRequests.VALID_EXAMPLE));
            stack.seedResourceGroup(example);

            String prefix = "c" + concurrency + "r" + round;
            List<ObjectNode> warmUpBatch = requests(example, prefix + "warm", warmUp);
            sendAll(sender, warmUpBatch);
            awaitDrained(queue);
            if (worker) {
                awaitEnded(stack.client(), warmUpBatch);
            }

            List<ObjectNode> batch = requests(example, prefix + "bench", messages);
            long start = System.nanoTime();
            sendAll(sender, batch);
            long sent = System.nanoTime();
            awaitDrained(queue);
            long done = System.nanoTime();
            long ended = done;
            if (worker) {
                awaitEnded(stack.client(), batch);
                ended = System.nanoTime();
            }

            WorkflowClient client = stack.client();
            int verified = (int) batch.stream().filter(request -> runExists(client, workflowId(request))).count();
            return new Result(concurrency, messages, (sent - start) / 1_000_000, (done - start) / 1_000_000,
                    (ended - start) / 1_000_000, verified, queue.deadLetterCount());
        }
    }

    /** Waits for each run's end in turn: the wait ends with the last run to end, whichever order they end in. */
    private static void awaitEnded(WorkflowClient client, List<ObjectNode> requests) throws Exception {
        for (ObjectNode request : requests) {
            client.newUntypedWorkflowStub(workflowId(request), Optional.empty(), Optional.empty())
                    .getResultAsync(JsonNode.class).get(DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
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


    private record Result(int concurrency, int messages, long sendMillis, long totalMillis, long endedMillis, int runsVerified,
                          int deadLettered) {
        double messagesPerSecond() {
            return messages * 1000.0 / totalMillis;
        }

        double runsPerSecond() {
            return messages * 1000.0 / endedMillis;
        }
    }
}
