package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;

/** What a route answers: a status, headers and an optional JSON body. */
final class ArmResponse {
    final int status;
    final JsonNode body;
    final Map<String, String> headers = new LinkedHashMap<>();
    /** The ARM error code when this is an error answer (journaled). */
    String errorCode;

    private ArmResponse(int status, JsonNode body) {
        this.status = status;
        this.body = body;
    }

    static ArmResponse ok(JsonNode body) {
        return new ArmResponse(200, body);
    }

    static ArmResponse status(int status, JsonNode body) {
        return new ArmResponse(status, body);
    }

    static ArmResponse empty(int status) {
        return new ArmResponse(status, null);
    }

    /** With {@code Retry-After} (whole seconds, at least 1) as a long-running operation's in-progress answer has it; none for zero. */
    ArmResponse retryAfter(java.time.Duration wait) {
        return wait.isZero() ? this : header("Retry-After", Long.toString(Math.max(1, wait.toSeconds())));
    }

    ArmResponse header(String name, String value) {
        headers.put(name, value);
        return this;
    }
}
