package io.cmkflow.workflow;

import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.DecommissionOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.ProviderRegistration;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceKeyOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import java.util.ArrayList;
import java.util.List;

/**
 * The sentences status events carry for finished steps: what happened, to which resource, so that a person reading
 * the events learns it without looking the ids up (the ids themselves travel in the event's {@code resources}).
 */
final class StatusMessages {

    private static final String COSMOS_KEY_PERMISSIONS = "get/wrapKey/unwrapKey";
    private static final int SHOWN_VERSION_CHARACTERS = 8;

    private StatusMessages() {
    }

    static String registerResourceProviders(ProviderRegistration registration) {
        List<String> all = registration.namespaces() == null ? List.of() : registration.namespaces();
        List<String> now = registration.registeredNow() == null ? List.of() : registration.registeredNow();
        if (now.isEmpty()) {
            return "resource providers already registered: " + String.join(", ", all);
        }
        List<String> before = new ArrayList<>(all);
        before.removeAll(now);
        return "resource providers registered: " + String.join(", ", now)
                + (before.isEmpty() ? "" : " (already registered: " + String.join(", ", before) + ")");
    }

    static String createKeyVault(VaultOutcome vault) {
        String what = switch (vault.disposition()) {
            case CREATED -> "key vault " + vault.name() + " created";
            case ADOPTED -> "existing key vault " + vault.name() + " adopted";
            case RECOVERED -> "key vault " + vault.name() + " recovered from soft delete";
        };
        return what + " in " + vault.resourceGroup() + " (soft delete, purge protection, "
                + (vault.rbacAuthorization() ? "Azure RBAC" : "access policies") + ")";
    }

    static String createKey(KeyOutcome key) {
        String version = lastSegment(key.keyUrlWithVersion());
        String shown = version == null ? "" : " (version " + (version.length() > SHOWN_VERSION_CHARACTERS
                ? version.substring(0, SHOWN_VERSION_CHARACTERS) + "…" : version) + ")";
        return "key " + key.name() + (key.created() ? " created" : " existed, used as it is") + shown;
    }

    static String readWorkspaceKey(WorkspaceKeyOutcome key) {
        return "workspace uses key " + key.keyIdentifier();
    }

    static String readWorkspaceVault(VaultOutcome vault) {
        return "workspace's key vault " + vault.name() + " in " + vault.resourceGroup() + " ("
                + (vault.rbacAuthorization() ? "Azure RBAC" : "access policies") + ")";
    }

    /** How the accepted event names what the run does. */
    static String operation(Operation operation) {
        return switch (operation) {
            case CREATE -> "run";
            case ROTATE_KEY -> "key rotation";
            case REPAIR_KEY_ACCESS -> "key access repair";
            case DECOMMISSION -> "decommission";
        };
    }

    static String checkWorkspace(DecommissionOutcome d) {
        return "workspace is the one its create run made; it reports managed resource group " + d.managedResourceGroup()
                + ", which cmkflow never deletes";
    }

    static String decommissionWorkspace(DecommissionOutcome d) {
        return d.purged() ? "workspace deleted and purged: its name is free"
                : "workspace soft-deleted: Azure keeps it, and its name blocked, for its retention period (14 days) unless purged";
    }

    static String awaitManagedGroupRemoval(DecommissionOutcome d) {
        if (d.managedResourceGroup() == null) {
            return "the workspace reported no managed resource group";
        }
        return d.managedGroupRemoved() ? "Azure removed managed resource group " + d.managedResourceGroup()
                : "managed resource group " + d.managedResourceGroup() + " stays while the workspace is soft-deleted; Azure removes it when the workspace is purged";
    }

    static String deleteCreatedResources(List<UndoOutcome> outcomes) {
        if (outcomes.isEmpty()) {
            return "what the create made for the workspace is kept (decommission.deleteCreatedResources not asked)";
        }
        return outcomes.stream().map(o -> lastSegment(o.resourceId()) + " " + o.result() + (o.detail() == null ? "" : " (" + o.detail() + ")"))
                .collect(java.util.stream.Collectors.joining(", ", "made for it: ", ""));
    }

    static String checkKeyAccess(KeyAccessOutcome access, String vaultName) {
        return "Cosmos DB" + (access.identityPrincipalId() == null ? " has" : " and the user-assigned identity have")
                + " key access on " + vaultName + (access.mode() == KeyAccessOutcome.Mode.RBAC ? " (RBAC)" : " (access policy)")
                + ": it covers every key in the vault";
    }

    static String createKeyVersion(KeyOutcome key) {
        return key.created() ? "new key version " + key.keyUrlWithVersion() + " created"
                : "key " + key.name() + " used at its current version " + key.keyUrlWithVersion();
    }

    static String changeWorkspaceKey(WorkspaceKeyOutcome after, WorkspaceKeyOutcome before) {
        return "workspace now uses key " + after.keyIdentifier() + " (was " + before.keyIdentifier() + ")";
    }

    static String grantCosmosDbKeyAccess(KeyAccessOutcome grant, String vaultName) {
        String access = grant.mode() == KeyAccessOutcome.Mode.RBAC
                ? "role Key Vault Crypto Service Encryption User on " + vaultName + " (RBAC)"
                : COSMOS_KEY_PERMISSIONS + " on " + vaultName + " (access policy)";
        String cosmos = grant.alreadyPresent() ? "Cosmos DB already had " + access : "Cosmos DB granted " + access;
        if (grant.identityPrincipalId() != null) {
            cosmos += (grant.identityAddedByThisRun() ? "; user-assigned identity " : "; user-assigned identity already had it: ")
                    + grant.identityPrincipalId() + (grant.identityAddedByThisRun() ? " granted the same" : "");
        }
        return grant.nothingAdded() ? cosmos + "; nothing changed" : cosmos;
    }

    static String createWorkspace(WorkspaceOutcome workspace, String workspaceName, KeyOutcome key) {
        return "workspace " + workspaceName + (workspace.created() ? " created" : " existed with the same encryption, adopted")
                + ", encrypted with key " + key.name()
                + associated("storage account", workspace.storageAccountId(), workspace.storageAccountCreated())
                + associated("Application Insights", workspace.applicationInsightsId(), workspace.applicationInsightsCreated());
    }

    static String verifyManagedResourceGroup(ManagedGroupOutcome group) {
        if (group.serviceSide()) {
            return "service-side CMK mode verified: the workspace reports enableServiceSideCMKEncryption and has no managed resource group";
        }
        return "managed group " + group.resourceGroupName() + " verified: Cosmos DB, Storage, Search";
    }

    /** What compensation did, step by step: undone, kept (not this run's), failed; and what stays recoverable. */
    static String compensation(List<CmkRunState.UndoRecord> records) {
        List<String> undone = new ArrayList<>();
        List<String> kept = new ArrayList<>();
        List<String> failed = new ArrayList<>();
        List<String> recoverable = new ArrayList<>();
        for (CmkRunState.UndoRecord record : records) {
            switch (record.result()) {
                case DONE -> undone.add(record.step().title());
                case SKIPPED -> kept.add(record.step().title() + " (" + record.detail() + ")");
                case FAILED -> failed.add(record.step().title() + " (" + record.detail() + ")");
            }
            for (UndoOutcome outcome : record.outcomes()) {
                if (outcome.recoverableUntil() != null) {
                    recoverable.add(lastSegment(outcome.resourceId()) + " soft-deleted, recoverable until " + outcome.recoverableUntil());
                }
            }
        }
        List<String> parts = new ArrayList<>();
        if (!undone.isEmpty()) {
            parts.add("undone: " + String.join(", ", undone));
        }
        if (!kept.isEmpty()) {
            parts.add("kept: " + String.join(", ", kept));
        }
        if (!failed.isEmpty()) {
            parts.add("NOT undone: " + String.join(", ", failed));
        }
        parts.addAll(recoverable);
        return parts.isEmpty() ? "nothing to undo" : String.join("; ", parts);
    }

    private static String associated(String kind, String id, boolean created) {
        return id == null ? "" : "; " + kind + " " + lastSegment(id) + (created ? " created" : " used");
    }

    private static String lastSegment(String idOrUrl) {
        if (idOrUrl == null || idOrUrl.isEmpty()) {
            return null;
        }
        String trimmed = idOrUrl.endsWith("/") ? idOrUrl.substring(0, idOrUrl.length() - 1) : idOrUrl;
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
