package io.cmkflow.workflow;

/** Why a run stopped trying (operator abort, park timeout): the failure type the workflow fails with, after compensating. */
final class RunAbandoned extends RuntimeException {
    private final String type;

    RunAbandoned(String type, String message) {
        super(message);
        this.type = type;
    }

    String type() {
        return type;
    }
}
