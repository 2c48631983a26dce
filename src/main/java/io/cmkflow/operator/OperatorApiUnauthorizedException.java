package io.cmkflow.operator;

/** The operator API refused the caller's token (HTTP 401: none or unknown; 403: its role may not do this). */
public class OperatorApiUnauthorizedException extends RuntimeException {
    public OperatorApiUnauthorizedException(String message) {
        super(message);
    }
}
