package io.cmkflow.azure;

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
import io.cmkflow.request.CmkRequest;
import io.cmkflow.workflow.CosmosGrantOutcome;
import io.cmkflow.workflow.CosmosGrantOutcome.Mode;
import io.cmkflow.workflow.UndoOutcome;
import io.cmkflow.workflow.VaultOutcome;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;

/**
 * Step 4: Azure Cosmos DB (the service that encrypts the workspace's managed account) may use the key: keys
 * get/wrapKey/unwrapKey through {@code accessPolicies/add}, or on an RBAC vault the role "Key Vault Crypto Service
 * Encryption User" at the vault's scope.
 */
public final class CosmosKeyAccessStep {

    public static final String CRYPTO_SERVICE_ENCRYPTION_USER_ROLE = "e147488a-f6f5-4113-8e2d-b22465e65bf6";
    static final List<KeyPermissions> KEY_PERMISSIONS = List.of(KeyPermissions.GET, KeyPermissions.UNWRAP_KEY, KeyPermissions.WRAP_KEY);

    private final AzureClients clients;

    public CosmosKeyAccessStep(AzureClients clients) {
        this.clients = clients;
    }

    public CosmosGrantOutcome grant(CmkRequest request, VaultOutcome vault) {
        return AzureStepException.classifying(() -> grantInAzure(request, vault));
    }

    private CosmosGrantOutcome grantInAzure(CmkRequest request, VaultOutcome vault) {
        StepPreconditions.check(request);
        String principal = AzureCloud.of(request).cosmosDbPrincipalId();
        AzureResourceManager azure = clients.forRequest(request);
        if (vault.rbacAuthorization()) {
            return grantRole(request, azure, vault, principal);
        }
        VaultsClient vaults = azure.vaults().manager().serviceClient().getVaults();
        VaultInner current = vaults.getByResourceGroup(vault.resourceGroup(), vault.name());
        Optional<AccessPolicyEntry> entry = entryFor(current, request.tenantId(), principal);
        if (entry.isEmpty() || !hasAllPermissions(entry.get())) {
            vaults.updateAccessPolicy(vault.resourceGroup(), vault.name(), AccessPolicyUpdateKind.ADD,
                    policyFor(request.tenantId(), principal));
        }
        // An entry that existed before (even with fewer permissions) is not this run's: undo will leave it alone.
        return new CosmosGrantOutcome(vault.vaultId(), principal, Mode.ACCESS_POLICY, entry.isPresent(), null);
    }

    /** Removes the entry or role assignment this run added; an entry or assignment that existed before the run is left alone. */
    public UndoOutcome undo(CmkRequest request, CosmosGrantOutcome grant) {
        return AzureStepException.classifying(() -> undoInAzure(request, grant));
    }

    private UndoOutcome undoInAzure(CmkRequest request, CosmosGrantOutcome grant) {
        StepPreconditions.check(request);
        if (grant.alreadyPresent()) {
            return new UndoOutcome(grant.vaultId(), UndoOutcome.Result.NOT_OURS,
                    "Cosmos DB's access existed before this run; left untouched", null);
        }
        AzureResourceManager azure = clients.forRequest(request);
        if (grant.mode() == Mode.RBAC) {
            RoleAssignmentsClient assignments = azure.accessManagement().roleAssignments().manager().roleServiceClient().getRoleAssignments();
            if (ArmLookup.find(() -> assignments.getById(grant.roleAssignmentId())).isEmpty()) {
                return new UndoOutcome(grant.roleAssignmentId(), UndoOutcome.Result.ALREADY_GONE, "role assignment does not exist", null);
            }
            assignments.deleteById(grant.roleAssignmentId());
            return new UndoOutcome(grant.roleAssignmentId(), UndoOutcome.Result.DELETED, "role assignment removed", null);
        }
        ArmResourceId vaultId = ArmResourceId.parse(grant.vaultId()).orElseThrow();
        VaultsClient vaults = azure.vaults().manager().serviceClient().getVaults();
        Optional<VaultInner> vault = ArmLookup.find(() -> vaults.getByResourceGroup(vaultId.resourceGroup(), vaultId.name()));
        if (vault.isEmpty() || entryFor(vault.get(), request.tenantId(), grant.principalObjectId()).isEmpty()) {
            return new UndoOutcome(grant.vaultId(), UndoOutcome.Result.ALREADY_GONE, "no access policy entry for Cosmos DB", null);
        }
        vaults.updateAccessPolicy(vaultId.resourceGroup(), vaultId.name(), AccessPolicyUpdateKind.REMOVE,
                policyFor(request.tenantId(), grant.principalObjectId()));
        return new UndoOutcome(grant.vaultId(), UndoOutcome.Result.DELETED,
                "removed Cosmos DB's key permissions " + KEY_PERMISSIONS + " from the vault's access policies", null);
    }

    private CosmosGrantOutcome grantRole(CmkRequest request, AzureResourceManager azure, VaultOutcome vault, String principal) {
        RoleAssignmentsClient assignments = azure.accessManagement().roleAssignments().manager().roleServiceClient().getRoleAssignments();
        for (RoleAssignmentInner existing : assignments.listForScope(vault.vaultId())) {
            if (principal.equalsIgnoreCase(existing.principalId()) && existing.roleDefinitionId() != null
                    && existing.roleDefinitionId().toLowerCase(Locale.ROOT).endsWith(CRYPTO_SERVICE_ENCRYPTION_USER_ROLE)) {
                return new CosmosGrantOutcome(vault.vaultId(), principal, Mode.RBAC, true, existing.id());
            }
        }
        // A name derived from (vault, principal, role) makes a retried create hit the same assignment.
        String name = UUID.nameUUIDFromBytes((vault.vaultId().toLowerCase(Locale.ROOT) + "|" + principal + "|"
                + CRYPTO_SERVICE_ENCRYPTION_USER_ROLE).getBytes(StandardCharsets.UTF_8)).toString();
        RoleAssignmentInner created = assignments.create(vault.vaultId(), name, new RoleAssignmentCreateParameters()
                .withRoleDefinitionId("/subscriptions/" + request.subscriptionId()
                        + "/providers/Microsoft.Authorization/roleDefinitions/" + CRYPTO_SERVICE_ENCRYPTION_USER_ROLE)
                .withPrincipalId(principal)
                .withPrincipalType(PrincipalType.SERVICE_PRINCIPAL));
        return new CosmosGrantOutcome(vault.vaultId(), principal, Mode.RBAC, false, created.id());
    }

    private static boolean hasAllPermissions(AccessPolicyEntry entry) {
        return entry.permissions() != null && entry.permissions().keys() != null
                && entry.permissions().keys().containsAll(KEY_PERMISSIONS);
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

    private static VaultAccessPolicyParametersInner policyFor(String tenantId, String principal) {
        return new VaultAccessPolicyParametersInner().withProperties(new VaultAccessPolicyProperties()
                .withAccessPolicies(List.of(new AccessPolicyEntry()
                        .withTenantId(UUID.fromString(tenantId))
                        .withObjectId(principal)
                        .withPermissions(new Permissions().withKeys(KEY_PERMISSIONS)))));
    }
}
