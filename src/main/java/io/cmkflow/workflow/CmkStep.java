package io.cmkflow.workflow;

/** The Azure steps of the CMK procedure (design.md, steps 1-6), in the order a run performs them. */
public enum CmkStep {
    REGISTER_PROVIDERS(1, "register providers"),
    KEY_VAULT(2, "key vault"),
    KEY(3, "key"),
    COSMOS_GRANT(4, "grant Cosmos DB"),
    WORKSPACE(5, "workspace"),
    MANAGED_GROUP(6, "verify managed group");

    private final int number;
    private final String title;

    CmkStep(int number, String title) {
        this.number = number;
        this.title = title;
    }

    public int number() {
        return number;
    }

    public String title() {
        return title;
    }

    /** The value of the {@code CmkStage} search attribute while this step is current. */
    public String stage() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
