package io.cmkflow.request;

import java.util.List;
import java.util.stream.Collectors;

/** A request that must not start a run: the reason code and every violation found. */
public class RequestRejectedException extends Exception {
    private final RejectionReason reason;
    private final List<Violation> violations;

    public RequestRejectedException(RejectionReason reason, List<Violation> violations) {
        super(reason + ": " + violations.stream().map(Violation::toString).collect(Collectors.joining("; ")));
        this.reason = reason;
        this.violations = List.copyOf(violations);
    }

    public RejectionReason reason() {
        return reason;
    }

    public List<Violation> violations() {
        return violations;
    }

    /** One line naming each field and rule, for DeadLetterErrorDescription (which Service Bus caps at 4096 characters). */
    public String description() {
        String text = violations.stream().map(Violation::toString).collect(Collectors.joining("; "));
        return text.length() <= 4096 ? text : text.substring(0, 4093) + "...";
    }
}
