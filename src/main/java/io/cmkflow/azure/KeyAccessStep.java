package io.cmkflow.azure;

import io.cmkflow.contract.KeyVaultRoles;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.AzureCloud;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.authorization.fluent.RoleAssignmentsClient;
import com.azure.resourcemanager.authorization.fluent.models.RoleAssignmentInner;
import com.azure.resourcemanager.authorization.models.PrincipalType;
import com.azure.resourcemanager.authorization.models.RoleAssignmentCreateParameters;
import com.azure.resourcemanager.keyvault.fluent.VaultsClient;
import com.azure.resourcemanager.keyvault.fluent.models.VaultAccessPolicyParametersInner;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.keyvault.models.AccessPolicyEntry;
import com.azure.resourcemanager.keyvault.models.AccessPolicyUpdateKind;
import com.azure.resourcemanager.keyvault.models.KeyPermissions;
import com.azure.resourcemanager.keyvault.models.Permissions;
import com.azure.resourcemanager.keyvault.models.VaultAccessPolicyProperties;
import com.azure.resourcemanager.msi.models.Identity;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyAccessOutcome.Mode;
import io.cmkflow.contract.UndoOutcome;
import io.cmkflow.contract.VaultOutcome;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * Step 4: Azure Cosmos DB (the service that encrypts the workspace's managed account) may use the key: keys
 * get/wrapKey/unwrapKey through {@code accessPolicies/add}, or on an RBAC vault the role "Key Vault Crypto Service
 * Encryption User" at the vault's scope, for Azure Cosmos DB's service principal in the request's tenant (its object
 * id, {@link PrincipalDirectory}: the application id would grant no one). When the request names a user-assigned
 * identity, the workspace reaches the key as that identity, and it gets the least Microsoft's current documentation
 * asks for a CMK: the same get/wrapKey/unwrapKey, or the same role (docs/azure-behaviour.md, "A workspace's
 * user-assigned identity"), not the 2023 article's create/delete/purge and Contributor, which it never uses. On a vault
 * the request adopted ({@code keyVault.existingId}) the identity is granted nothing unless
 * {@code cmkflow.azure.identity-grant-scopes} lists that vault or its resource group: anyone who may send a request
 * could otherwise give any identity access to any in-scope vault's keys. Role assignments are named from (vault,
 * principal, role), so a retried write finds its own.
 */
public final class KeyAccessStep {

    /** What Azure Cosmos DB and a workspace's identity need of the key, and all they get. */
    static final List<KeyPermissions> KEY_PERMISSIONS = List.of(KeyPermissions.GET, KeyPermissions.UNWRAP_KEY, KeyPermissions.WRAP_KEY);
    /** The access the workspace's key needs, in words. */
    static final String KEY_ACCESS = "get, wrapKey, unwrapKey; Key Vault Crypto Service Encryption User on an RBAC vault";

    private final AzureClients clients;
    private final KeyDependents dependents;

    public KeyAccessStep(AzureClients clients) {
        this.clients = clients;
        this.dependents = new KeyDependents(clients);
    }

    /**
     * Who already has the key access step 4 grants, read before it writes: the outcome the grant reports, with
     * {@code alreadyPresent} as found now. Read-only. Kept in the run's history, it tells a retried grant, and undo,
     * which entries were there before this run, even when the grant wrote and its worker died before reporting.
     */
    public KeyAccessOutcome accessBefore(CmkRequest request, VaultOutcome vault) {
        return AzureStepException.classifying(() -> readAccess(request, vault, clients.forRequest(request)));
    }

    /**
     * A key rotation's check that Azure Cosmos DB and the request's identity have key access (get, wrapKey, unwrapKey)
     * on the whole vault, hence on every key and version in it. Read-only; missing access is refused, naming who lacks
     * it: the rotation changes no access (a key switch to a key Cosmos DB cannot unwrap would break the workspace).
     */
    public KeyAccessOutcome requireCovers(CmkRequest request, VaultOutcome vault) {
        return AzureStepException.classifying(() -> {
            AzureResourceManager azure = clients.forRequest(request);
            KeyAccessOutcome access = readAccess(request, vault, azure);
            List<String> lacking = lacking(request, vault, access, azure);
            if (!lacking.isEmpty()) {
                throw new AzureStepException(AzureFailure.nonRetryable("KeyAccessMissing", String.join(" and ", lacking)
                        + " lack key access (" + KEY_ACCESS + ") on vault " + vault.vaultId()
                        + "; the workspace could not use the new key: grant it, then retry"));
            }
            return access;
        });
    }

    /**
     * Who of Azure Cosmos DB and the request's identity lacks key access (get, wrapKey, unwrapKey) on the whole vault,
     * as words ("Azure Cosmos DB (object id)"); empty when both have it. Read-only.
     */
    public List<String> lacking(CmkRequest request, VaultOutcome vault) {
        return AzureStepException.classifying(() -> {
            AzureResourceManager azure = clients.forRequest(request);
            return lacking(request, vault, readAccess(request, vault, azure), azure);
        });
    }

    private List<String> lacking(CmkRequest request, VaultOutcome vault, KeyAccessOutcome access, AzureResourceManager azure) {
        List<String> lacking = new ArrayList<>();
        if (vault.rbacAuthorization()) {
            if (!access.alreadyPresent()) {
                lacking.add("Azure Cosmos DB (" + access.principalObjectId() + ")");
            }
            if (access.identityPrincipalId() != null && !Boolean.TRUE.equals(access.identityAlreadyPresent())) {
                lacking.add("the identity (" + access.identityPrincipalId() + ")");
            }
            return lacking;
        }
        VaultInner current = vaults(azure).getByResourceGroup(vault.resourceGroup(), vault.name());
        if (entryFor(current, request.tenantId(), access.principalObjectId()).filter(e -> hasAll(e, KEY_PERMISSIONS)).isEmpty()) {
            lacking.add("Azure Cosmos DB (" + access.principalObjectId() + ")");
        }
        if (access.identityPrincipalId() != null && entryFor(current, request.tenantId(), access.identityPrincipalId())
                .filter(e -> hasAll(e, KEY_PERMISSIONS)).isEmpty()) {
            lacking.add("the identity (" + access.identityPrincipalId() + ")");
        }
        return lacking;
    }

    /**
     * Grants what is missing. Entries {@code before} ({@link #accessBefore}) found present are reported as present;
     * every other entry is this run's, also one a crashed earlier attempt of this grant wrote.
     */
    public KeyAccessOutcome grant(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before) {
        return AzureStepException.classifying(() -> grantInAzure(request, vault, before, clients.forRequest(request)));
    }

    private KeyAccessOutcome readAccess(CmkRequest request, VaultOutcome vault, AzureResourceManager azure) {
        String principal = clients.principals().cosmosDbObjectId(request);
        String identity = identityPrincipal(request);
        if (vault.rbacAuthorization()) {
            List<RoleAssignmentInner> atVault = assignmentsAt(azure, vault);
            Optional<String> cosmos = existingRole(atVault, principal, KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
            Optional<String> forIdentity = identity == null ? Optional.empty()
                    : existingRole(atVault, identity, KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
            return new KeyAccessOutcome(vault.vaultId(), principal, Mode.RBAC, cosmos.isPresent(), cosmos.orElse(null),
                    identity, identity == null ? null : forIdentity.isPresent(), forIdentity.orElse(null));
        }
        VaultInner current = vaults(azure).getByResourceGroup(vault.resourceGroup(), vault.name());
        // An entry that exists (even with fewer permissions) is not this run's: undo will leave it alone.
        return new KeyAccessOutcome(vault.vaultId(), principal, Mode.ACCESS_POLICY,
                entryFor(current, request.tenantId(), principal).isPresent(), null,
                identity, identity == null ? null : entryFor(current, request.tenantId(), identity).isPresent(), null);
    }

    /** The role assignments at an RBAC vault, listed once per read or grant. */
    private static List<RoleAssignmentInner> assignmentsAt(AzureResourceManager azure, VaultOutcome vault) {
        List<RoleAssignmentInner> listed = new ArrayList<>();
        assignments(azure).listForScope(vault.vaultId()).forEach(listed::add);
        return listed;
    }

    private KeyAccessOutcome grantInAzure(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before,
                                          AzureResourceManager azure) {
        requireRequestsPrincipals(request, before);
        if (Boolean.FALSE.equals(before.identityAlreadyPresent()) && vault.disposition() == VaultOutcome.Disposition.ADOPTED
                && !clients.principals().settings().identityGrantAllowedOn(vault.vaultId())) {
            throw new AzureStepException(AzureFailure.nonRetryable("IdentityGrantOnAdoptedVault",
                    "workspace.userAssignedIdentityId: the identity has no access to the keys of " + vault.vaultId()
                            + ", a vault this request adopted (keyVault.existingId); cmkflow grants an identity access"
                            + " there only where " + PrincipalSettings.IDENTITY_GRANT_SCOPES + " lists the vault or its"
                            + " resource group: ask the vault's owner to grant the identity keys get, wrapKey, unwrapKey"
                            + " (or Key Vault Crypto Service Encryption User), then retry"));
        }
        return grantKeyAccess(request, vault, before, azure);
    }

    private KeyAccessOutcome grantKeyAccess(CmkRequest request, VaultOutcome vault, KeyAccessOutcome before,
                                            AzureResourceManager azure) {
        String principal = before.principalObjectId();
        String identity = before.identityPrincipalId();
        if (vault.rbacAuthorization()) {
            // Listed now, not as the read found them: an assignment a crashed earlier attempt made is this run's.
            List<RoleAssignmentInner> atVault = assignmentsAt(azure, vault);
            RoleAssignmentsClient assignments = assignments(azure);
            String cosmos = before.alreadyPresent() ? before.roleAssignmentId()
                    : ensureRole(request, assignments, atVault, vault, principal, KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
            String forIdentity = identity == null ? null : Boolean.TRUE.equals(before.identityAlreadyPresent())
                    ? before.identityRoleAssignmentId()
                    : ensureRole(request, assignments, atVault, vault, identity, KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
            return new KeyAccessOutcome(vault.vaultId(), principal, Mode.RBAC, before.alreadyPresent(), cosmos,
                    identity, before.identityAlreadyPresent(), forIdentity);
        }
        VaultsClient vaults = vaults(azure);
        VaultInner current = vaults.getByResourceGroup(vault.resourceGroup(), vault.name());
        Optional<AccessPolicyEntry> cosmosEntry = entryFor(current, request.tenantId(), principal);
        Optional<AccessPolicyEntry> identityEntry = identity == null ? Optional.empty() : entryFor(current, request.tenantId(), identity);
        List<AccessPolicyEntry> missing = new ArrayList<>();
        if (cosmosEntry.isEmpty() || !hasAll(cosmosEntry.get(), KEY_PERMISSIONS)) {
            missing.add(entry(request.tenantId(), principal, KEY_PERMISSIONS));
        }
        if (identity != null && (identityEntry.isEmpty() || !hasAll(identityEntry.get(), KEY_PERMISSIONS))) {
            missing.add(entry(request.tenantId(), identity, KEY_PERMISSIONS));
        }
        if (!missing.isEmpty()) {
            // One add carries every missing entry: a single write, and a retry of it is harmless (add merges).
            vaults.updateAccessPolicy(vault.resourceGroup(), vault.name(), AccessPolicyUpdateKind.ADD,
                    new VaultAccessPolicyParametersInner().withProperties(new VaultAccessPolicyProperties()
                            .withAccessPolicies(missing)));
        }
        return before;
    }

    /**
     * The principals and role assignments an outcome names must be the request's: Azure Cosmos DB's in the request's
     * tenant and the request's identity, assignments at the vault. A workflow input is trusted no more than a message:
     * a forged outcome would otherwise grant (or take away) access for any principal on the vault.
     */
    void requireRequestsPrincipals(CmkRequest request, KeyAccessOutcome outcome) {
        String cosmosDb = clients.principals().cosmosDbObjectId(request);
        String identity = identityPrincipal(request);
        boolean assignmentsAtVault = Stream.of(outcome.roleAssignmentId(), outcome.identityRoleAssignmentId())
                .allMatch(id -> id == null || id.toLowerCase(Locale.ROOT).startsWith(
                        outcome.vaultId().toLowerCase(Locale.ROOT) + "/providers/microsoft.authorization/roleassignments/"));
        if (!cosmosDb.equalsIgnoreCase(outcome.principalObjectId())
                || (identity == null ? outcome.identityPrincipalId() != null : !identity.equalsIgnoreCase(outcome.identityPrincipalId()))
                || !assignmentsAtVault) {
            throw new AzureStepException(AzureFailure.nonRetryable("ActivityInputMismatch", "the key access handed to this"
                    + " activity names principals or role assignments that are not the request's (Azure Cosmos DB "
                    + cosmosDb + (identity == null ? "" : ", identity " + identity) + ", assignments at " + outcome.vaultId() + ")"));
        }
    }

    /**
     * The principal of the request's user-assigned identity, or null when it names none; read in the subscription its
     * own id names (it may differ from the workspace's), the URL built from the id's checked segments. A client id the
     * request gives must be the identity's: a request naming the wrong identity stops here, before any grant.
     */
    private String identityPrincipal(CmkRequest request) {
        String identityId = request.workspace().userAssignedIdentityId();
        if (identityId == null) {
            return null;
        }
        ArmResourceId id = ArmResourceId.parse(identityId).orElseThrow();
        AzureResourceManager home = clients.resourceManager(AzureCloud.of(request), request.tenantId(), id.subscriptionId());
        Identity found = ArmLookup.find(() -> home.identities().getByResourceGroup(id.resourceGroup(), id.name()))
                .orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable("UserAssignedIdentityNotFound",
                        "workspace.userAssignedIdentityId: the user-assigned identity '" + identityId
                                + "' does not exist; create it or name an existing identity")));
        String clientId = request.workspace().userAssignedIdentityClientId();
        if (clientId != null && !clientId.equalsIgnoreCase(found.clientId())) {
            throw new AzureStepException(AzureFailure.nonRetryable("UserAssignedIdentityClientIdMismatch",
                    "workspace.userAssignedIdentityClientId: " + clientId + " is not the client id of the user-assigned"
                            + " identity '" + identityId + "' (" + found.clientId() + "); name the identity you mean"));
        }
        String principal = found.principalId();
        if (principal == null) {
            throw new AzureStepException(AzureFailure.nonRetryable("UserAssignedIdentityWithoutPrincipal",
                    "workspace.userAssignedIdentityId: the user-assigned identity '" + identityId + "' has no principalId"));
        }
        return principal;
    }

    /** Removes the entries or role assignments this run added; an entry or assignment that existed before the run is left alone. */
    public UndoOutcome undo(CmkRequest request, KeyAccessOutcome grant) {
        return AzureStepException.classifying(() -> undoInAzure(request, grant));
    }

    private UndoOutcome undoInAzure(CmkRequest request, KeyAccessOutcome grant) {
        if (grant.nothingAdded()) {
            return new UndoOutcome(grant.vaultId(), UndoOutcome.Result.NOT_OURS,
                    "Cosmos DB's access" + (grant.identityPrincipalId() == null ? "" : " and the identity's access")
                            + " existed before this run; left untouched", null);
        }
        requireRequestsPrincipals(request, grant);
        // Azure Cosmos DB wraps the key of every workspace encrypted with one in this vault with the same access.
        List<String> using = dependents.workspacesUsing(request, grant.vaultId(), null);
        if (!using.isEmpty()) {
            return new UndoOutcome(grant.vaultId(), UndoOutcome.Result.IN_USE, "access left in place: workspace(s) "
                    + String.join(", ", using) + " are encrypted with a key in this vault", null);
        }
        AzureResourceManager azure = clients.forRequest(request);
        List<String> removed = new ArrayList<>();
        if (grant.mode() == Mode.RBAC) {
            RoleAssignmentsClient assignments = assignments(azure);
            if (!grant.alreadyPresent()) {
                String id = grant.roleAssignmentId() != null ? grant.roleAssignmentId()
                        : assignmentId(grant.vaultId(), grant.principalObjectId(), KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
                if (deleteAssignment(assignments, id)) {
                    removed.add("Cosmos DB's role assignment " + id);
                }
            }
            if (grant.identityAddedByThisRun()) {
                String id = grant.identityRoleAssignmentId() != null ? grant.identityRoleAssignmentId()
                        : assignmentId(grant.vaultId(), grant.identityPrincipalId(), KeyVaultRoles.CRYPTO_SERVICE_ENCRYPTION_USER);
                if (deleteAssignment(assignments, id)) {
                    removed.add("the identity's role assignment " + id);
                }
            }
            return summary(grant, removed, "no role assignment of this run exists");
        }
        ArmResourceId vaultId = ArmResourceId.parse(grant.vaultId()).orElseThrow();
        VaultsClient vaults = vaults(azure);
        Optional<VaultInner> vault = ArmLookup.find(() -> vaults.getByResourceGroup(vaultId.resourceGroup(), vaultId.name()));
        List<AccessPolicyEntry> entries = new ArrayList<>();
        if (vault.isPresent() && !grant.alreadyPresent()
                && entryFor(vault.get(), request.tenantId(), grant.principalObjectId()).isPresent()) {
            entries.add(entry(request.tenantId(), grant.principalObjectId(), KEY_PERMISSIONS));
            removed.add("Cosmos DB's key permissions " + KEY_PERMISSIONS);
        }
        if (vault.isPresent() && grant.identityAddedByThisRun()
                && entryFor(vault.get(), request.tenantId(), grant.identityPrincipalId()).isPresent()) {
            entries.add(entry(request.tenantId(), grant.identityPrincipalId(), KEY_PERMISSIONS));
            removed.add("the identity's key permissions " + KEY_PERMISSIONS);
        }
        if (!entries.isEmpty()) {
            vaults.updateAccessPolicy(vaultId.resourceGroup(), vaultId.name(), AccessPolicyUpdateKind.REMOVE,
                    new VaultAccessPolicyParametersInner().withProperties(new VaultAccessPolicyProperties()
                            .withAccessPolicies(entries)));
        }
        return summary(grant, removed, "no access policy entry of this run");
    }

    private static UndoOutcome summary(KeyAccessOutcome grant, List<String> removed, String nothingLeft) {
        if (removed.isEmpty()) {
            return new UndoOutcome(grant.vaultId(), UndoOutcome.Result.ALREADY_GONE, nothingLeft, null);
        }
        return new UndoOutcome(grant.vaultId(), UndoOutcome.Result.DELETED, "removed " + String.join(" and ", removed), null);
    }

    private static boolean deleteAssignment(RoleAssignmentsClient assignments, String id) {
        if (ArmLookup.find(() -> assignments.getById(id)).isEmpty()) {
            return false;
        }
        assignments.deleteById(id);
        return true;
    }

    private static VaultsClient vaults(AzureResourceManager azure) {
        return azure.vaults().manager().serviceClient().getVaults();
    }

    private static RoleAssignmentsClient assignments(AzureResourceManager azure) {
        return azure.accessManagement().roleAssignments().manager().roleServiceClient().getRoleAssignments();
    }

    /** The id of {@code principal}'s assignment of {@code role} among {@code atVault}, if it has one. */
    private static Optional<String> existingRole(List<RoleAssignmentInner> atVault, String principal, String role) {
        for (RoleAssignmentInner existing : atVault) {
            if (principal.equalsIgnoreCase(existing.principalId()) && existing.roleDefinitionId() != null
                    && existing.roleDefinitionId().toLowerCase(Locale.ROOT).endsWith(role)) {
                return Optional.of(existing.id());
            }
        }
        return Optional.empty();
    }

    /**
     * Creates the assignment the read before found missing; one there now (an earlier attempt of this grant made
     * it and died before reporting) is this run's, so it is used as it is.
     */
    private static String ensureRole(CmkRequest request, RoleAssignmentsClient assignments, List<RoleAssignmentInner> atVault,
                                     VaultOutcome vault, String principal, String role) {
        Optional<String> existing = existingRole(atVault, principal, role);
        if (existing.isPresent()) {
            return existing.get();
        }
        return assignments.create(vault.vaultId(), assignmentName(vault.vaultId(), principal, role),
                new RoleAssignmentCreateParameters()
                        .withRoleDefinitionId("/subscriptions/" + request.subscriptionId()
                                + "/providers/Microsoft.Authorization/roleDefinitions/" + role)
                        .withPrincipalId(principal)
                        .withPrincipalType(PrincipalType.SERVICE_PRINCIPAL)).id();
    }

    /** A name derived from (vault, principal, role) makes a retried create hit the same assignment. */
    private static String assignmentName(String vaultId, String principal, String role) {
        return UUID.nameUUIDFromBytes((vaultId.toLowerCase(Locale.ROOT) + "|" + principal + "|"
                + role).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String assignmentId(String vaultId, String principal, String role) {
        return vaultId + "/providers/Microsoft.Authorization/roleAssignments/" + assignmentName(vaultId, principal, role);
    }

    private static boolean hasAll(AccessPolicyEntry entry, List<KeyPermissions> permissions) {
        return entry.permissions() != null && entry.permissions().keys() != null
                && entry.permissions().keys().containsAll(permissions);
    }

    private static Optional<AccessPolicyEntry> entryFor(VaultInner vault, String tenantId, String principal) {
        List<AccessPolicyEntry> entries = vault.properties().accessPolicies();
        if (entries == null) {
            return Optional.empty();
        }
        return entries.stream()
                .filter(e -> principal.equalsIgnoreCase(e.objectId()) && e.applicationId() == null
                        && e.tenantId() != null && e.tenantId().toString().equalsIgnoreCase(tenantId))
                .findFirst();
    }

    private static AccessPolicyEntry entry(String tenantId, String principal, List<KeyPermissions> permissions) {
        return new AccessPolicyEntry().withTenantId(UUID.fromString(tenantId)).withObjectId(principal)
                .withPermissions(new Permissions().withKeys(permissions));
    }
}
