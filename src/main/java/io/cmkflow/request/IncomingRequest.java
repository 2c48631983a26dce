package io.cmkflow.request;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.cmkflow.contract.RequestRules;

import java.io.IOException;

/**
 * The parts of a Service Bus message the intake reads, so the decision logic does not depend on the client types.
 * {@code unreadableBody} says why there is no {@code body} when the message's body section holds no request.
 */
public record IncomingRequest(String messageId, String contentType, String replyTo, byte[] body, String unreadableBody) {

    public IncomingRequest(String messageId, String contentType, String replyTo, byte[] body) {
        this(messageId, contentType, replyTo, body, null);
    }
    /**
     * The requestId when the body has one that meets the requestId rule (even an otherwise invalid body may), else the
     * message id: what a `rejected` event correlates on and its log line names. A requestId breaking the rule (control
     * characters, a line break) would forge log lines and correlation ids, so it is not taken.
     */
    public String requestIdOrMessageId(ObjectMapper mapper) {
        if (body == null) {
            return messageId;
        }
        try {
            JsonNode node = mapper.readTree(body);
            if (node != null && node.path("requestId").isTextual() && RequestRules.isRequestId(node.path("requestId").asText())) {
                return node.path("requestId").asText();
            }
        } catch (IOException notJson) {
            // A body that is not JSON has no request id; the message id stands in.
        }
        return messageId;
    }
}
