package io.cmkflow.azure;

import io.cmkflow.contract.AzureErrorClass;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.http.HttpHeaders;
import com.azure.core.http.HttpResponse;
import com.azure.core.management.exception.ManagementError;
import com.azure.core.management.exception.ManagementException;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Sorts Azure failures into {@link AzureErrorClass}es (docs/azure-behaviour.md, "Error classes"), so the workflow acts
 * on the class and never on message strings. Azure's error code decides first (a failed long-running operation
 * carries its code in a 200 poll answer), then the HTTP status.
 */
public final class AzureErrorClassifier {

    /** Used when ARM answers 429 without a usable Retry-After (ARM's token buckets refill within seconds). */
    static final Duration DEFAULT_THROTTLE_DELAY = Duration.ofSeconds(10);

    private static final Set<String> RETRYABLE_CODES = lower(Set.of(
            "RetryableErrorDueToAnotherOperation", "AnotherOperationInProgress", "Registering", "RegisteringDns",
            "InternalServerError", "ServiceUnavailable", "GatewayTimeout", "RequestTimeout", "TooManyRequests"));

    private static final Set<String> NON_RETRYABLE_CODES = lower(Set.of(
            "InvalidAuthenticationToken", "InvalidAuthenticationTokenTenant", "AuthenticationFailed",
            "AuthorizationFailed", "LinkedAuthorizationFailed", "RequestDisallowedByPolicy",
            "DenyAssignmentAuthorizationFailed", "QuotaExceeded", "SkuNotAvailable", "VaultAlreadyExists",
            "ResourceGroupNotFound", "NoRegisteredProviderFound", "InvalidRequestContent", "InvalidParameter",
            "BadRequest", "LocationNotAvailableForResourceType", "StorageAccountAlreadyTaken"));

    private static final Pattern ERROR_CODE = Pattern.compile("\"code\"\\s*:\\s*\"([^\"]+)\"");

    private static final Set<Integer> RETRYABLE_STATUSES = Set.of(408, 500, 502, 503, 504);

    private AzureErrorClassifier() {
    }

    /** Classifies any throwable a step can meet: SDK exceptions, guard refusals, I/O failures. */
    public static AzureFailure classify(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof AzureStepException step) {
                return step.failure();
            }
            if (t instanceof ManagedGroupDeleteRefusedException refused) {
                return AzureFailure.nonRetryable("ManagedGroupDeleteRefused", refused.getMessage());
            }
            if (t instanceof HttpResponseException http) {
                return fromResponse(http);
            }
            if (t instanceof IOException || t instanceof UncheckedIOException || t instanceof TimeoutException) {
                return AzureFailure.retryable("ConnectionFailure", String.valueOf(t.getMessage()));
            }
        }
        return AzureFailure.retryable("UnexpectedError", error.getClass().getSimpleName() + ": " + error.getMessage());
    }

    /** Classifies an Azure answer given as code and status (e.g. a failed long-running operation's body). */
    public static AzureFailure classify(String code, int httpStatus, String message, HttpHeaders headers) {
        String key = code == null ? "" : code.toLowerCase(Locale.ROOT);
        if (httpStatus == 429 || "toomanyrequests".equals(key)) {
            return new AzureFailure(AzureErrorClass.THROTTLED, code == null ? "TooManyRequests" : code, httpStatus,
                    message, retryAfter(headers));
        }
        if (isDeletedVaultConflict(message) || NON_RETRYABLE_CODES.contains(key)) {
            return new AzureFailure(AzureErrorClass.NON_RETRYABLE, code, httpStatus, message, null);
        }
        if (RETRYABLE_CODES.contains(key) || RETRYABLE_STATUSES.contains(httpStatus)) {
            return new AzureFailure(AzureErrorClass.RETRYABLE, code, httpStatus, message, null);
        }
        if (httpStatus >= 400 && httpStatus < 500) {
            return new AzureFailure(AzureErrorClass.NON_RETRYABLE, code, httpStatus, message, null);
        }
        // A long-running operation that failed with a code we do not know: the step is idempotent, so let
        // Temporal retry it a bounded number of times before the run parks for an operator.
        return new AzureFailure(AzureErrorClass.RETRYABLE, code, httpStatus, message, null);
    }

    private static AzureFailure fromResponse(HttpResponseException http) {
        HttpResponse response = http.getResponse();
        int status = response == null ? 0 : response.getStatusCode();
        HttpHeaders headers = response == null ? new HttpHeaders() : response.getHeaders();
        String code = null;
        String message = http.getMessage();
        if (http instanceof ManagementException management && management.getValue() != null) {
            ManagementError value = management.getValue();
            code = value.getCode();
            message = value.getMessage() != null ? value.getMessage() : message;
        }
        if (code == null) {
            code = codeInBody(http.getMessage());
        }
        if (code == null) {
            code = status == 0 ? "NoResponse" : "Http" + status;
        }
        return classify(code, status, message, headers);
    }

    /** Azure's code and message, either null when absent. */
    record ErrorBody(String code, String message) {
    }

    /**
     * Reads an ARM error body ({@code {"error": {"code": ..., "message": ...}}}), as a failed long-running operation
     * or a hand-sent request returns it without an SDK exception to parse it; anything else yields two nulls.
     */
    static ErrorBody errorBody(String body) {
        if (body == null || body.isBlank()) {
            return new ErrorBody(null, null);
        }
        try (JsonReader reader = JsonProviders.createReader(body)) {
            if (reader.readUntyped() instanceof Map<?, ?> map && map.get("error") instanceof Map<?, ?> error) {
                return new ErrorBody(stringOrNull(error.get("code")), stringOrNull(error.get("message")));
            }
        } catch (IOException | RuntimeException unreadable) {
            // not an Azure error body
        }
        return new ErrorBody(null, null);
    }

    private static String stringOrNull(Object value) {
        return value == null ? null : String.valueOf(value);
    }

    /** Data-plane exceptions (Key Vault) carry the Azure error body in their message rather than a parsed value. */
    private static String codeInBody(String message) {
        if (message == null) {
            return null;
        }
        Matcher m = ERROR_CODE.matcher(message);
        return m.find() ? m.group(1) : null;
    }

    private static boolean isDeletedVaultConflict(String message) {
        return message != null && message.toLowerCase(Locale.ROOT).contains("already exists in deleted state");
    }

    /** Reads Retry-After (seconds or HTTP date) or the millisecond variants ARM and data planes send. */
    static Duration retryAfter(HttpHeaders headers) {
        return retryAfterIn(headers).orElse(DEFAULT_THROTTLE_DELAY);
    }

    /** The wait an answer asks for (Retry-After or its millisecond variants), if it carries a readable one. */
    static Optional<Duration> retryAfterIn(HttpHeaders headers) {
        if (headers == null) {
            return Optional.empty();
        }
        for (String name : new String[] {"retry-after-ms", "x-ms-retry-after-ms"}) {
            String value = headers.getValue(name);
            if (value != null) {
                try {
                    return Optional.of(Duration.ofMillis(Long.parseLong(value.trim())));
                } catch (NumberFormatException ignored) {
                    // fall through to the next header
                }
            }
        }
        String value = headers.getValue("Retry-After");
        if (value == null || value.isBlank()) {
            return Optional.empty();
        }
        try {
            return Optional.of(Duration.ofSeconds(Long.parseLong(value.trim())));
        } catch (NumberFormatException notSeconds) {
            try {
                Duration until = Duration.between(ZonedDateTime.now(),
                        ZonedDateTime.parse(value.trim(), DateTimeFormatter.RFC_1123_DATE_TIME));
                return Optional.of(until.isNegative() ? Duration.ZERO : until);
            } catch (DateTimeParseException notDate) {
                return Optional.empty();
            }
        }
    }

    private static Set<String> lower(Set<String> codes) {
        return codes.stream().map(c -> c.toLowerCase(Locale.ROOT)).collect(Collectors.toUnmodifiableSet());
    }
}
