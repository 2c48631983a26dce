package io.cmkflow.workflow;

import io.cmkflow.contract.Operation;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * The Azure steps of each operation, in the order a run performs them: the CMK procedure (workflows/cmk-workspace/
 * README.md, steps 1-6, named after Microsoft's procedure), the key rotation (steps 1-4), the key access repair
 * (steps 1-2) and the decommission (steps 1-4). A step has one name,
 * spelled per place: the constant here, its {@link #stage()} (lower case), its activity method on
 * {@link ProvisioningActivities} (lower camel case; the activity type and the metrics label {@code step} are that name
 * capitalized) and its {@link #title()} (words).
 */
public enum CmkStep {
    REGISTER_RESOURCE_PROVIDERS(Operation.CREATE, "register resource providers"),
    CREATE_KEY_VAULT(Operation.CREATE, "create key vault"),
    CREATE_KEY(Operation.CREATE, "create key"),
    GRANT_COSMOS_DB_KEY_ACCESS(Operation.CREATE, "grant Cosmos DB key access"),
    CREATE_WORKSPACE(Operation.CREATE, "create workspace"),
    VERIFY_MANAGED_RESOURCE_GROUP(Operation.CREATE, "verify managed resource group"),
    READ_WORKSPACE_KEY(Operation.ROTATE_KEY, "read workspace key"),
    CHECK_KEY_ACCESS(Operation.ROTATE_KEY, "check key access"),
    CREATE_KEY_VERSION(Operation.ROTATE_KEY, "create key version"),
    CHANGE_WORKSPACE_KEY(Operation.ROTATE_KEY, "change workspace key"),
    READ_WORKSPACE_VAULT(Operation.REPAIR_KEY_ACCESS, "read workspace vault"),
    RESTORE_KEY_ACCESS(Operation.REPAIR_KEY_ACCESS, "restore key access"),
    CHECK_WORKSPACE(Operation.DECOMMISSION, "check workspace"),
    DECOMMISSION_WORKSPACE(Operation.DECOMMISSION, "decommission workspace"),
    AWAIT_MANAGED_GROUP_REMOVAL(Operation.DECOMMISSION, "await managed group removal"),
    DELETE_CREATED_RESOURCES(Operation.DECOMMISSION, "delete created resources");

    private final Operation operation;
    private final String title;

    CmkStep(Operation operation, String title) {
        this.operation = operation;
        this.title = title;
    }

    /** The steps of {@code operation}, in order. */
    public static List<CmkStep> of(Operation operation) {
        return Arrays.stream(values()).filter(step -> step.operation == operation).toList();
    }

    public Operation operation() {
        return operation;
    }

    /** The step's number in its operation: 1-6 for a create, 1-4 for a key rotation, 1-2 for a key access repair, 1-4 for a decommission. */
    public int number() {
        return of(operation).indexOf(this) + 1;
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
