package io.cmkflow.testing;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.cmkflow.contract.StatusEvent;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import static org.awaitility.Awaitility.await;

/**
 * A consumer of one status queue through the real processor (completing each message once recorded): checks every
 * event against status-event.schema.json and keeps it, in arrival order, for assertions.
 */
public final class StatusInbox implements AutoCloseable {
    private static final Path SCHEMA = Path.of("workflows/cmk-workspace/status-event.schema.json");

    private final ServiceBusProcessorClient processor;
    private final JsonSchema schema;
    private final List<ReceivedEvent> received = new CopyOnWriteArrayList<>();

    public StatusInbox(ServiceBusClientBuilder clients, String queue) {
        try (InputStream in = Files.newInputStream(SCHEMA)) {
            this.schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        this.processor = clients.processor().queueName(queue).maxConcurrentCalls(1)
                .processMessage(context -> received.add(parse(context.getMessage())))
                // The processor reconnects by itself; an event it never got shows as a failed wait in the test.
                .processError(error -> { })
                .buildProcessorClient();
        processor.start();
    }

    /** Every event received so far. */
    public List<ReceivedEvent> all() {
        return List.copyOf(received);
    }

    /** Events of one request, in arrival order. */
    public List<ReceivedEvent> of(String requestId) {
        return all().stream().filter(e -> requestId.equals(e.correlationId())).toList();
    }

    /** Waits until an event matching {@code wanted} has arrived and returns it. */
    public ReceivedEvent awaitEvent(Predicate<ReceivedEvent> wanted, Duration timeout) {
        return await().atMost(timeout).pollInterval(Duration.ofMillis(20))
                .until(() -> all().stream().filter(wanted).findFirst(), Optional::isPresent).orElseThrow();
    }

    public ReceivedEvent awaitType(String requestId, StatusEvent.Type type, Duration timeout) {
        return awaitEvent(e -> requestId.equals(e.correlationId()) && e.event().type() == type, timeout);
    }

    private ReceivedEvent parse(ServiceBusReceivedMessage message) {
        try {
            JsonNode body = TestRequests.mapper().readTree(message.getBody().toBytes());
            List<String> errors = schema.validate(body).stream().map(ValidationMessage::getMessage).toList();
            StatusEvent event = TestRequests.mapper().treeToValue(body, StatusEvent.class);
            return new ReceivedEvent(message.getMessageId(), message.getCorrelationId(), message.getContentType(),
                    event, new ArrayList<>(errors));
        } catch (IOException e) {
            throw new UncheckedIOException("status event " + message.getMessageId() + " is not JSON", e);
        }
    }

    @Override
    public void close() {
        processor.close();
    }
}
