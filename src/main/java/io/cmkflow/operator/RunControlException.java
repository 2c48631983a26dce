package io.cmkflow.operator;

/** The workflow refused an operator action (e.g. `retry` on a run that is not parked); the message says why. */
public class RunControlException extends RuntimeException {
    public RunControlException(String message) {
        super(message);
    }
}
