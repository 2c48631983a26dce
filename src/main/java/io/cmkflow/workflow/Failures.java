package io.cmkflow.workflow;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;

/** How the workflow words a failure for operators. */
final class Failures {

    private Failures() {
    }

    /** The innermost failure's type and message: that is what the activity raised. */
    static String text(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null) {
            cause = cause.getCause();
        }
        if (cause instanceof ApplicationFailure app) {
            // The Azure activities already name the type in their message ("createKey: NON_RETRYABLE ..."): say it once.
            String message = app.getOriginalMessage();
            return message != null && message.contains(app.getType()) ? message : app.getType() + ": " + message;
        }
        if (cause instanceof TemporalFailure temporal) {
            return cause.getClass().getSimpleName() + ": " + temporal.getOriginalMessage();
        }
        return cause.getClass().getSimpleName() + ": " + cause.getMessage();
    }
}
