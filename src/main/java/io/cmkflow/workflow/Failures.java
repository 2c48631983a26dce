package io.cmkflow.workflow;

import io.temporal.failure.ApplicationFailure;
import io.temporal.failure.TemporalFailure;

import java.util.List;

/** How the workflow words a failure for operators, and what it keeps of one. */
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

    /**
     * The resources an Azure activity's failure says it found existing and not the run's (its third detail, see
     * {@code ActivityFailures}); none for any other failure.
     */
    @SuppressWarnings("unchecked")
    static List<String> preexisting(Throwable failure) {
        for (Throwable cause = failure; cause != null; cause = cause.getCause()) {
            if (cause instanceof ApplicationFailure app && app.getDetails().getSize() > 2) {
                try {
                    List<String> ids = app.getDetails().get(2, List.class);
                    return ids == null ? List.of() : ids;
                } catch (RuntimeException notAList) {
                    // Not one of ours: it records nothing, and must not fail the workflow task.
                    return List.of();
                }
            }
        }
        return List.of();
    }
}
