package io.cmkflow.request;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.StatusEvent;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Sends status events to the status queue, or to the request's ReplyTo when it names an allowed entity ({@link
 * IntakeSettings#replyToEntity}); a ReplyTo naming another (the request queue, an arbitrary entity) gets the status
 * queue and a warning. Senders are cached per allowed entity, so the cache never holds more than the configured
 * entities. MessageId = eventId, so the broker's duplicate detection drops a resend; CorrelationId = requestId, so
 * upstream can match replies.
 */
@Singleton
public class StatusEventSender implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(StatusEventSender.class);

    private final ServiceBusClientBuilder clients;
    private final IntakeSettings settings;
    private final ObjectMapper mapper;
    private final Map<String, ServiceBusSenderClient> senders = new ConcurrentHashMap<>();

    public StatusEventSender(ServiceBusClientBuilder clients, IntakeSettings settings, ObjectMapper mapper) {
        this.clients = clients;
        this.mapper = mapper;
        this.settings = settings;
    }

    /** The entity a request's {@code replyTo} may receive its events on, or null (with a warning when it named another). */
    public String allowedReplyTo(String requestId, String replyTo) {
        if (replyTo == null || replyTo.isBlank()) {
            return null;
        }
        Optional<String> allowed = settings.replyToEntity(replyTo);
        if (allowed.isEmpty()) {
            log.warn("request {} names ReplyTo '{}', which is not an allowed reply entity (the status queue or"
                    + " cmkflow.servicebus.reply-to-queues): its events go to {}", requestId, replyTo, settings.statusQueue());
        }
        return allowed.orElse(null);
    }

    public void send(StatusEvent event) {
        String replyTo = allowedReplyTo(event.requestId(), event.replyTo());
        String destination = replyTo == null ? settings.statusQueue() : replyTo;
        ServiceBusMessage message = new ServiceBusMessage(BinaryData.fromBytes(json(event)))
                .setMessageId(event.eventId())
                .setCorrelationId(event.requestId())
                .setContentType("application/json")
                .setSubject(event.type().name());
        senders.computeIfAbsent(destination, queue -> clients.sender().queueName(queue).buildClient()).sendMessage(message);
        log.debug("status event {} {} request={} step={} -> {}", event.eventId(), event.type(), event.requestId(),
                event.step(), destination);
    }

    private byte[] json(StatusEvent event) {
        try {
            return mapper.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("status event cannot be written as JSON", e);
        }
    }

    @PreDestroy
    @Override
    public void close() {
        senders.values().forEach(ServiceBusSenderClient::close);
        senders.clear();
    }
}
