package io.cmkflow.workflow;

import java.util.List;

/**
 * The runs still in flight that name a key vault ({@code CmkKeyVault}). Before an undo deletes a vault or a key or
 * removes key access, it asks this as well as Azure: another run given the vault by {@code keyVault.existingId} depends
 * on it before any workspace of its own exists.
 */
public interface InFlightRuns {

    /**
     * The workflow ids of the open runs, other than {@code ownWorkflowId}, whose request names {@code vaultId}. Throws
     * when it cannot tell: an undo that cannot ask does not act.
     */
    List<String> namingVault(String vaultId, String ownWorkflowId);
}
