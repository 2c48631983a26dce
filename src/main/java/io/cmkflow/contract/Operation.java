package io.cmkflow.contract;

import java.util.Arrays;
import java.util.Optional;

/** What a request asks cmkflow to do with its workspace: {@code operation} of request.schema.json. */
public enum Operation {
    /** Provision the workspace with its key vault and key (the default). */
    CREATE("create"),
    /** Change the key of a workspace an earlier create run made, within its vault. */
    ROTATE_KEY("rotateKey"),
    /** Grant Azure Cosmos DB (and the identity) key access on the vault of a workspace an earlier create run made, again. */
    REPAIR_KEY_ACCESS("repairKeyAccess"),
    /** Delete a workspace an earlier create run made (never its managed resource group: Azure removes that itself). */
    DECOMMISSION("decommission");

    private final String wireName;

    Operation(String wireName) {
        this.wireName = wireName;
    }

    /** The name in requests and status events. */
    public String wireName() {
        return wireName;
    }

    /** Whether the operation acts on a workspace that exists: only one an earlier create run of cmkflow made. */
    public boolean needsManagedWorkspace() {
        return this != CREATE;
    }

    /** The operation a request's {@code operation} names (absent means {@link #CREATE}); empty for an unknown name. */
    public static Optional<Operation> find(String wireName) {
        if (wireName == null) {
            return Optional.of(CREATE);
        }
        return Arrays.stream(values()).filter(o -> o.wireName.equals(wireName)).findFirst();
    }
}
