package io.cmkflow.standins.arm;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * One request the simulator received and what it answered.
 *
 * @param method      HTTP method
 * @param path        normalised path (no {@code //}), as sent otherwise
 * @param query       decoded query parameters
 * @param operation   the Azure operation id, e.g. {@code Vaults_CreateOrUpdate}; {@code Unknown} when no route matched
 * @param subscription the subscription in the path, or null
 * @param status      the HTTP status answered
 * @param errorCode   the ARM error code answered, or null on success
 * @param requestBody the request body as sent (null when empty)
 * @param handled     false when no route matched: a gap in the simulator
 * @param receivedAt  when the request arrived
 * @param actions     the actions (Key Vault: data actions) the request was authorized with, linked checks included;
 *                    the last one is the one refused when the answer is an authorization failure
 */
public record JournalEntry(
        String method,
        String path,
        Map<String, String> query,
        String operation,
        String subscription,
        int status,
        String errorCode,
        String requestBody,
        boolean handled,
        Instant receivedAt,
        List<String> actions) {

    public boolean isWrite() {
        return !("GET".equalsIgnoreCase(method) || "HEAD".equalsIgnoreCase(method));
    }
}
