package io.cmkflow.standins.servicebus;

import java.util.HashMap;
import java.util.Map;
import org.apache.qpid.proton.Proton;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.amqp.messaging.ApplicationProperties;
import org.apache.qpid.proton.message.Message;

/** A reply of the {@code $cbs} or {@code $management} request/response node, in the form the client parses. */
final class NodeResponse {

    static final int OK = 200;
    static final int ACCEPTED = 202;
    static final int NO_CONTENT = 204;
    static final int BAD_REQUEST = 400;
    static final int UNAUTHORIZED = 401;
    static final int NOT_FOUND = 404;
    static final int GONE = 410;
    static final int NOT_IMPLEMENTED = 501;

    private NodeResponse() {
    }

    static Message success(int status, Object body) {
        Message reply = withStatus(status, status == OK ? "OK" : status == ACCEPTED ? "Accepted" : "No Content");
        if (body != null) {
            reply.setBody(new AmqpValue(body));
        }
        return reply;
    }

    static Message failure(int status, String errorCondition, String description) {
        Message reply = withStatus(status, description);
        ((ApplicationProperties) reply.getApplicationProperties()).getValue().put("errorCondition", errorCondition);
        return reply;
    }

    private static Message withStatus(int status, String description) {
        Message reply = Proton.message();
        Map<String, Object> properties = new HashMap<>();
        // The Java client casts statusCode with (int): it must be an AMQP int, not a long. Service Bus's $cbs node
        // answers in AMQP CBS's spelling status-code, which pyamqp's CBS client reads (and only that one); the Java
        // and Node.js clients read either, so every reply carries both.
        properties.put("statusCode", status);
        properties.put("statusDescription", description);
        properties.put("status-code", status);
        properties.put("status-description", description);
        reply.setApplicationProperties(new ApplicationProperties(properties));
        return reply;
    }
}
