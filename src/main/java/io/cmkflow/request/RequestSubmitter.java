package io.cmkflow.request;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.StatusEvent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * What an upstream system does, for the `submit` command and the demo: sends request files to the request queue with
 * the real sender, then reads status events for those requests until each reaches an end (or the deadline passes).
 * Events of other requests are abandoned for their own readers.
 */
public final class RequestSubmitter implements AutoCloseable {
    /** Event types after which nothing more happens to a request without an operator. */
    public static final Set<StatusEvent.Type> FINAL = EnumSet.of(StatusEvent.Type.succeeded, StatusEvent.Type.failed,
            StatusEvent.Type.compensated, StatusEvent.Type.cancelled, StatusEvent.Type.rejected, StatusEvent.Type.awaiting_operator);

    private final ObjectMapper mapper;
    private final ServiceBusSenderClient sender;
    private final ServiceBusReceiverClient statusReceiver;

    public RequestSubmitter(ServiceBusClientBuilder clients, String requestQueue, String statusQueue, ObjectMapper mapper) {
        this.mapper = mapper;
        this.sender = clients.sender().queueName(requestQueue).buildClient();
        this.statusReceiver = clients.receiver().queueName(statusQueue).buildClient();
    }

    /** Sends each file as one message (MessageId = its requestId, so a resend is dropped); returns the request ids in order. */
    public List<String> submit(List<Path> files) {
        return submitBodies(files.stream().map(RequestSubmitter::read).toList());
    }

    /** Sends each body as one message, as {@link #submit} does; returns the request ids in order. */
    public List<String> submitBodies(List<byte[]> bodies) {
        List<String> requestIds = new ArrayList<>();
        for (byte[] body : bodies) {
            String requestId = new IncomingRequest(UUID.randomUUID().toString(), null, null, body).requestIdOrMessageId(mapper);
            sender.sendMessage(new ServiceBusMessage(BinaryData.fromBytes(body))
                    .setMessageId(requestId)
                    .setContentType("application/json")
                    .setSubject("cmk-workspace-request"));
            requestIds.add(requestId);
        }
        return requestIds;
    }

    /** Reads status events until every request in {@code requestIds} had a {@link #FINAL} event; returns the last event of each. */
    public Map<String, StatusEvent> awaitOutcomes(List<String> requestIds, Duration timeout, Consumer<StatusEvent> onEvent) {
        Map<String, StatusEvent> outcomes = new LinkedHashMap<>();
        Instant deadline = Instant.now().plus(timeout);
        while (outcomes.size() < Set.copyOf(requestIds).size() && Instant.now().isBefore(deadline)) {
            for (ServiceBusReceivedMessage message : statusReceiver.receiveMessages(10, Duration.ofSeconds(1))) {
                if (!requestIds.contains(message.getCorrelationId())) {
                    statusReceiver.abandon(message);
                    continue;
                }
                StatusEvent event = parse(message);
                statusReceiver.complete(message);
                onEvent.accept(event);
                if (FINAL.contains(event.type())) {
                    outcomes.put(event.requestId(), event);
                }
            }
        }
        return outcomes;
    }

    private StatusEvent parse(ServiceBusReceivedMessage message) {
        try {
            return mapper.readValue(message.getBody().toBytes(), StatusEvent.class);
        } catch (IOException e) {
            throw new UncheckedIOException("status event " + message.getMessageId() + " is not valid JSON", e);
        }
    }

    private static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public void close() {
        sender.close();
        statusReceiver.close();
    }
}
