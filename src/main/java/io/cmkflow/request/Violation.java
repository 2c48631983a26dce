package io.cmkflow.request;

/** One broken rule of a request: the field (JSON pointer), the rule (schema keyword or named rule), and what is wrong. */
public record Violation(String field, String rule, String message) {

    @Override
    public String toString() {
        return (field.isEmpty() ? "(message)" : field) + ": " + rule + ": " + message;
    }
}
