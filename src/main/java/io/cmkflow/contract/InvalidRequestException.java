package io.cmkflow.contract;

/** A request breaks a rule checked before any Azure call; names the field and the rule so the sender can fix it. */
public class InvalidRequestException extends RuntimeException {
    /** The Temporal failure type of a request refused by {@link RequestRules}: never retried. */
    public static final String FAILURE_TYPE = "INVALID_REQUEST";

    private final String field;
    private final String rule;

    public InvalidRequestException(String field, String rule, String message) {
        super(field + ": " + message + " [" + rule + "]");
        this.field = field;
        this.rule = rule;
    }

    public String field() {
        return field;
    }

    public String rule() {
        return rule;
    }
}
