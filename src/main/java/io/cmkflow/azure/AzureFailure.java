package io.cmkflow.azure;

import io.cmkflow.contract.AzureErrorClass;
import java.time.Duration;

/**
 * A classified Azure failure.
 *
 * @param errorClass what the workflow should do about it
 * @param code       Azure's error code (e.g. {@code QuotaExceeded}), or one of cmkflow's own codes for local refusals
 * @param httpStatus the HTTP status Azure answered, 0 when no response was received
 * @param message    Azure's message (never contains credentials: it comes from the response body)
 * @param retryAfter how long Azure asked to wait (THROTTLED only), otherwise null
 */
public record AzureFailure(AzureErrorClass errorClass, String code, int httpStatus, String message, Duration retryAfter) {

    public static AzureFailure nonRetryable(String code, String message) {
        return new AzureFailure(AzureErrorClass.NON_RETRYABLE, code, 0, message, null);
    }

    public static AzureFailure retryable(String code, String message) {
        return new AzureFailure(AzureErrorClass.RETRYABLE, code, 0, message, null);
    }

    public String describe() {
        String status = httpStatus > 0 ? " (HTTP " + httpStatus + ")" : "";
        String wait = retryAfter != null ? ", retry after " + retryAfter : "";
        return errorClass + " " + code + status + ": " + message + wait;
    }
}
