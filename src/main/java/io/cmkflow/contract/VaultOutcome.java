package io.cmkflow.contract;

/** Step 2: the key vault that holds the CMK, and how this run came to use it. */
public record VaultOutcome(
        String vaultId,
        String name,
        String resourceGroup,
        String vaultUri,
        String location,
        boolean rbacAuthorization,
        Disposition disposition) {

    public enum Disposition {
        /** This run created the vault (it carries this run's tags). */
        CREATED,
        /** A compliant vault existed; this run uses it and never changes or removes it. */
        ADOPTED,
        /**
         * A soft-deleted vault cmkflow made for this target was recovered with createMode=recover; it carries this
         * run's tags and is undone like a created one (keys and access policies from before come back with it).
         */
        RECOVERED
    }

    public boolean createdByThisRun() {
        return disposition == Disposition.CREATED;
    }
}
