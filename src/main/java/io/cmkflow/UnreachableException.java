package io.cmkflow;

/** A boundary (Service Bus, Temporal, the operator API) did not answer in time: cmkflow's exit code 3. */
final class UnreachableException extends RuntimeException {
    UnreachableException(String message, Throwable cause) {
        super(message, cause);
    }
}
