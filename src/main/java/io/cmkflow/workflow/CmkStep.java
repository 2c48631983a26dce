package io.cmkflow.workflow;

/** The Azure steps of the CMK procedure (workflows/cmk-workspace/README.md, steps 1-6), in the order a run performs them. */
public enum CmkStep {
    REGISTER_PROVIDERS(1, "register providers", "register_providers"),
    KEY_VAULT(2, "key vault", "key_vault"),
    KEY(3, "key", "key"),
    KEY_ACCESS(4, "grant Cosmos DB", "cosmos_grant"),
    WORKSPACE(5, "workspace", "workspace"),
    MANAGED_GROUP(6, "verify managed group", "managed_group");

    private final int number;
    private final String title;
    private final String stage;

    CmkStep(int number, String title, String stage) {
        this.number = number;
        this.title = title;
        this.stage = stage;
    }

    public int number() {
        return number;
    }

    public String title() {
        return title;
    }

    /**
     * The step's name in status events ({@code step} of status-event.schema.json) and in the {@code CmkStage} search
     * attribute while the step is current.
     */
    public String stage() {
        return stage;
    }
}
