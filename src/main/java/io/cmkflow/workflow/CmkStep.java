package io.cmkflow.workflow;

import java.util.Locale;

/**
 * The Azure steps of the CMK procedure (workflows/cmk-workspace/README.md, steps 1-6), in the order a run performs
 * them, named after Microsoft's procedure. A step has one name, spelled per place: the constant here, its
 * {@link #stage()} (lower case), its activity method on {@link ProvisioningActivities} (lower camel case; the activity
 * type and the metrics label {@code step} are that name capitalized) and its {@link #title()} (words).
 */
public enum CmkStep {
    REGISTER_RESOURCE_PROVIDERS("register resource providers"),
    CREATE_KEY_VAULT("create key vault"),
    CREATE_KEY("create key"),
    GRANT_COSMOS_DB_KEY_ACCESS("grant Cosmos DB key access"),
    CREATE_WORKSPACE("create workspace"),
    VERIFY_MANAGED_RESOURCE_GROUP("verify managed resource group");

    private final String title;

    CmkStep(String title) {
        this.title = title;
    }

    /** The step's number in the procedure, 1-6. */
    public int number() {
        return ordinal() + 1;
    }

    public String title() {
        return title;
    }

    /** How messages name the step: "4 (grant Cosmos DB key access)". */
    public String label() {
        return number() + " (" + title + ")";
    }

    /**
     * The step's name in status events ({@code step} of status-event.schema.json) and in the {@code CmkStage} search
     * attribute while the step is current.
     */
    public String stage() {
        return name().toLowerCase(Locale.ROOT);
    }
}
