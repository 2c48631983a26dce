package io.cmkflow.testing;

import io.cmkflow.contract.StatusEvent;

import java.util.List;

/**
 * A status event as a consumer receives it: the message's broker properties, the parsed event and what the
 * status-event schema found wrong with the body (empty when it conforms).
 */
public record ReceivedEvent(String messageId, String correlationId, String contentType, StatusEvent event, List<String> schemaErrors) {
}
