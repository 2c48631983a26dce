package io.cmkflow.operator.api;

import io.cmkflow.contract.RunLogKeys;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;

/**
 * Every operator API action, under the logger {@value #LOGGER}: who (the token's name or the JWT's subject), when,
 * which run, what, and the result. The run records it too: the update's reason and the cancellation's cause carry
 * {@link #stamp}, so the Temporal UI's history shows who acted.
 */
@Singleton
public class AuditLog {
    public static final String LOGGER = "io.cmkflow.audit";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);

    /** What the run records as the action's reason: {@code by alice via api: <reason>}. */
    public String stamp(Authentication who, String reason) {
        return "by " + who.getName() + " via api: " + (reason == null || reason.isBlank() ? "no reason given" : reason);
    }

    /** {@code workflowId} is null for a request refused before it became a run. */
    public void record(Authentication who, String action, String workflowId, String result) {
        if (workflowId == null) {
            log.info("actor={} at={} action={} workflowId=- result={}", who.getName(), Instant.now(), action, result);
            return;
        }
        // The workflow id in the MDC makes the log line link to the run in the Temporal UI (RunLinkConverter).
        try (var run = MDC.putCloseable(RunLogKeys.WORKFLOW_ID, workflowId)) {
            log.info("actor={} at={} action={} workflowId={} result={}", who.getName(), Instant.now(), action,
                    workflowId, result);
        }
    }
}
