package io.cmkflow.standins.servicebus;

import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.apache.qpid.proton.amqp.messaging.AmqpValue;
import org.apache.qpid.proton.message.Message;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@code $cbs} node: a client puts a shared access signature for an audience before attaching links to it, and
 * the grant is remembered for its connection.
 */
final class ClaimsBasedSecurityNode {

    static final String ADDRESS = "$cbs";

    private static final Logger LOG = LoggerFactory.getLogger(ClaimsBasedSecurityNode.class);
    private static final String SAS_TOKEN_TYPE = "servicebus.windows.net:sastoken";
    private static final String JWT_TOKEN_TYPE = "jwt";

    private final SharedAccessSignatureValidator validator;
    private int refusedTokens;

    ClaimsBasedSecurityNode(SharedAccessSignatureValidator validator) {
        this.validator = validator;
    }

    /** Handles one request; on success adds the granted entity path to {@code grantedPaths}. */
    Message handle(Message request, Set<String> grantedPaths, Instant now) {
        Map<String, Object> properties = RequestFields.applicationProperties(request);
        Object operation = properties.get("operation");
        if (!"put-token".equals(operation)) {
            return NodeResponse.failure(NodeResponse.NOT_IMPLEMENTED, "amqp:not-implemented",
                    "operation: only put-token is supported by $cbs, was " + operation);
        }
        Object type = properties.get("type");
        Object audience = properties.get("name");
        // pyamqp (the Python SDK) puts its shared access signatures with type jwt, which Service Bus accepts too: the
        // token itself says what it is, and only shared access signatures pass the validator below.
        if (!SAS_TOKEN_TYPE.equals(type) && !JWT_TOKEN_TYPE.equals(type)) {
            refusedTokens++;
            return NodeResponse.failure(NodeResponse.UNAUTHORIZED, "amqp:unauthorized-access",
                    "type: only " + SAS_TOKEN_TYPE + " (or " + JWT_TOKEN_TYPE
                            + " carrying a shared access signature) tokens are accepted by the stand-in, was " + type);
        }
        if (!(audience instanceof String name) || !(request.getBody() instanceof AmqpValue body)
                || !(body.getValue() instanceof String token)) {
            refusedTokens++;
            return NodeResponse.failure(NodeResponse.BAD_REQUEST, "amqp:invalid-field",
                    "name: the audience must be a string and the body the token string");
        }
        SharedAccessSignatureValidator.Verdict verdict = validator.check(token, name, now);
        if (!verdict.granted()) {
            refusedTokens++;
            // The refusal names the rule broken, never the token: it is a credential.
            LOG.warn("CBS put-token refused for audience {}: {}", name, verdict.refusal());
            return NodeResponse.failure(NodeResponse.UNAUTHORIZED, "amqp:unauthorized-access", verdict.refusal());
        }
        grantedPaths.add(verdict.grantedPath());
        return NodeResponse.success(NodeResponse.ACCEPTED, null);
    }

    int refusedTokens() {
        return refusedTokens;
    }
}
