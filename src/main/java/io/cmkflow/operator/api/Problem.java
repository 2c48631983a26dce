package io.cmkflow.operator.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.cmkflow.request.Violation;

import java.util.List;

/**
 * An error answer (RFC 9457 problem details, {@code application/problem+json}): the HTTP status, a title, why in
 * {@code detail}; for bad input also the {@code field} and {@code rule}, or the intake's {@code reason} with every
 * violation.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Problem(int status, String title, String detail, String field, String rule, String reason,
                      List<Violation> violations) {

    static Problem of(int status, String title, String detail) {
        return new Problem(status, title, detail, null, null, null, null);
    }
}
