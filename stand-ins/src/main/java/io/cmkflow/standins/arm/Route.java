package io.cmkflow.standins.arm;

import java.util.function.Supplier;

/** A matched operation: its Azure operation id and what serving it does (run under the state's lock). */
record Route(String operation, Supplier<ArmResponse> action) {

    /** One family of operations (vaults, keys, workspaces, ...). */
    interface Family {
        /** The route for this request, or null when the request is not this family's. */
        Route match(ArmRequest request);
    }
}
