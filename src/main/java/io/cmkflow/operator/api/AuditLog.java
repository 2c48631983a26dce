package io.cmkflow.operator.api;

import io.cmkflow.contract.RunLogKeys;
import io.cmkflow.logging.LogText;
import io.micronaut.security.authentication.Authentication;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

import java.time.Instant;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Every operator API call, under the logger {@value #LOGGER}: who (the token's name, or for a Microsoft Entra ID JWT
 * its subject with the caller's object id, user name and application id), when, what, which run, and the result.
 * Actions are recorded by the controllers with their outcome; reads and refusals (401, 403) by {@link ApiAuditFilter}.
 * Every value is written as {@code key=value}, quoted when it holds anything but plain name characters, so a value
 * (a reason, a claim) cannot imitate another field. The run records actions too: the update's reason and the
 * cancellation's cause carry {@link #stamp}, so the Temporal UI's history shows who acted.
 */
@Singleton
public class AuditLog {
    public static final String LOGGER = "io.cmkflow.audit";
    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._@:/+-]+");

    /** What the run records as the action's reason: {@code by alice via api: <reason>}. */
    public String stamp(Authentication who, String reason) {
        return "by " + who.getName() + " via api: " + (reason == null || reason.isBlank() ? "no reason given" : reason);
    }

    /** An action; {@code workflowId} is null for a request refused before it became a run. */
    public void record(Authentication who, String action, String workflowId, String result) {
        if (workflowId == null) {
            write(who, action, "-", result);
            return;
        }
        // The workflow id in the MDC makes the log line link to the run in the Temporal UI (RunLinkConverter).
        try (var run = MDC.putCloseable(RunLogKeys.WORKFLOW_ID, workflowId)) {
            write(who, action, workflowId, result);
        }
    }

    /** A call the API answered without acting: a read (GET) or a refusal (401 with no one authenticated, 403). */
    public void call(Authentication who, String method, String path, int status) {
        String action = status == 401 || status == 403 ? "refused" : "read";
        log.info("{} at={} action={} call={} result={}", actor(who), Instant.now(), action,
                field(method + " " + path), status);
    }

    private static void write(Authentication who, String action, String workflowId, String result) {
        log.info("{} at={} action={} workflowId={} result={}", actor(who), Instant.now(), action, field(workflowId),
                field(result));
    }

    /** The caller: {@code actor=NAME}, and for an Entra ID token its {@code oid}, {@code upn} and {@code appid}. */
    static String actor(Authentication who) {
        if (who == null) {
            return "actor=-";
        }
        Map<String, Object> claims = who.getAttributes();
        StringBuilder actor = new StringBuilder("actor=").append(field(who.getName()));
        claim(actor, "oid", claims.get("oid"));
        claim(actor, "upn", claims.get("upn") != null ? claims.get("upn") : claims.get("preferred_username"));
        // v1 tokens name the calling application in appid, v2 tokens in azp.
        claim(actor, "appid", claims.get("appid") != null ? claims.get("appid") : claims.get("azp"));
        return actor.toString();
    }

    private static void claim(StringBuilder actor, String name, Object value) {
        if (value != null) {
            actor.append(' ').append(name).append('=').append(field(value.toString()));
        }
    }

    /** {@code value} as is when it is plain, else quoted with its quotes and backslashes escaped. */
    static String field(String value) {
        if (value == null || value.isEmpty()) {
            return "-";
        }
        if (PLAIN.matcher(value).matches()) {
            return value;
        }
        return '"' + LogText.escape(value.replace("\\", "\\\\").replace("\"", "\\\"")) + '"';
    }
}
