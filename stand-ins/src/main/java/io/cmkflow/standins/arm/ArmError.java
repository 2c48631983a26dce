package io.cmkflow.standins.arm;

import java.util.LinkedHashMap;
import java.util.Map;

/** An error answer in ARM's shape ({@code {"error":{"code","message"}}}), thrown by a route and rendered by the server. */
final class ArmError extends RuntimeException {
    private final int status;
    private final String code;
    private final Map<String, String> headers = new LinkedHashMap<>();
    /** Key Vault's {@code innererror.code} (e.g. ForbiddenByPolicy), null for ARM's errors, which carry none. */
    private String innerCode;

    ArmError(int status, String code, String message) {
        super(message);
        this.status = status;
        this.code = code;
    }

    ArmError header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    ArmError inner(String code) {
        this.innerCode = code;
        return this;
    }

    String innerCode() {
        return innerCode;
    }

    int status() {
        return status;
    }

    String code() {
        return code;
    }

    Map<String, String> headers() {
        return headers;
    }

    static ArmError notFound(String type, String id) {
        return new ArmError(404, "ResourceNotFound", "The Resource '" + type + "' under id '" + id + "' was not found.");
    }

    static ArmError badRequest(String code, String message) {
        return new ArmError(400, code, message);
    }

    static ArmError conflict(String code, String message) {
        return new ArmError(409, code, message);
    }
}
