package io.cmkflow.contract;

/** What one compensation did to one resource. */
public record UndoOutcome(String resourceId, Result result, String detail, String recoverableUntil) {

    public enum Result {
        DELETED,
        /** Nothing to undo: the resource was already gone (undo is idempotent). */
        ALREADY_GONE,
        /** The resource exists but does not carry this run's tags, so it was left untouched. */
        NOT_OURS,
        /** This run made it, but a workspace other than the run's own uses it (the detail names them): left in place. */
        IN_USE,
        /** A workspace's key was set back to the one it used before this run changed it. */
        RESTORED
    }
}
