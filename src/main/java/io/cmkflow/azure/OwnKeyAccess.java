package io.cmkflow.azure;

import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.KeyVaultRoles;
import com.azure.core.exception.HttpResponseException;
import com.azure.resourcemanager.authorization.fluent.RoleAssignmentsClient;
import com.azure.resourcemanager.authorization.fluent.models.RoleAssignmentInner;
import com.azure.resourcemanager.authorization.models.PrincipalType;
import com.azure.resourcemanager.authorization.models.RoleAssignmentCreateParameters;
import com.azure.resourcemanager.keyvault.fluent.models.VaultAccessPolicyParametersInner;
import com.azure.resourcemanager.keyvault.fluent.models.VaultInner;
import com.azure.resourcemanager.keyvault.models.AccessPolicyEntry;
import com.azure.resourcemanager.keyvault.models.AccessPolicyUpdateKind;
import com.azure.resourcemanager.keyvault.models.KeyPermissions;
import com.azure.resourcemanager.keyvault.models.Permissions;
import com.azure.resourcemanager.keyvault.models.VaultAccessPolicyProperties;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * cmkflow's own access to the keys of a vault this run owns, as Microsoft's procedure asks of the principal that
 * creates the key: key Create, Get, Delete and Purge (Contributor on the vault it already has through its resource
 * group). On an access-policy vault it is an entry in the vault's initial access policies (added when a recovered
 * vault lacks it); on an RBAC vault the role "Key Vault Crypto Officer" at the vault, under a name derived from
 * (vault, principal, role). Key create goes through ARM and needs none of this; the key undo is a data-plane delete
 * and does.
 * <p>
 * Undo order: the workflow deletes the key before the vault, so this access is removed with the vault's undo
 * ({@link #revoke}), after the key delete that needs it.
 */
public final class OwnKeyAccess {

    /**
     * What the procedure lists for the principal that creates the key, plus Recover: a rerun recovers the key an earlier
     * compensation of this target soft-deleted (purge protection forbids purging it), a data-plane call that needs it.
     */
    static final List<KeyPermissions> SEED_KEY_PERMISSIONS = List.of(KeyPermissions.CREATE, KeyPermissions.GET,
            KeyPermissions.DELETE, KeyPermissions.PURGE, KeyPermissions.RECOVER);

    private final AzureClients clients;

    public OwnKeyAccess(AzureClients clients) {
        this.clients = clients;
    }

    /** The access policies a new vault starts with: cmkflow's own entry (none on an RBAC vault, which ignores them). */
    public List<AccessPolicyEntry> initialPolicies(CmkRequest request) {
        if (request.keyVault().rbacAuthorization()) {
            return List.of();
        }
        return List.of(entry(request, clients.principals().ownObjectId(request)));
    }

    /**
     * Makes sure cmkflow holds its key permissions on {@code vault}, which this run owns. Idempotent: an entry that
     * already grants them, or the assignment under its derived name (or the same role under another name), is kept
     * and nothing is written.
     */
    public void ensure(CmkRequest request, VaultInner vault) {
        String own = clients.principals().ownObjectId(request);
        if (Boolean.TRUE.equals(vault.properties().enableRbacAuthorization())) {
            RoleAssignmentsClient assignments = assignments(request);
            String id = assignmentId(vault.id(), own);
            if (ArmLookup.find(() -> assignments.getById(id)).isPresent()) {
                return;
            }
            try {
                assignments.create(vault.id(), assignmentName(vault.id(), own), new RoleAssignmentCreateParameters()
                        .withRoleDefinitionId("/subscriptions/" + request.subscriptionId()
                                + "/providers/Microsoft.Authorization/roleDefinitions/" + KeyVaultRoles.CRYPTO_OFFICER)
                        .withPrincipalId(own)
                        .withPrincipalType(PrincipalType.SERVICE_PRINCIPAL));
            } catch (HttpResponseException e) {
                // The same role at the same scope under another name: cmkflow already holds it, and it is not ours.
                if (!"RoleAssignmentExists".equalsIgnoreCase(AzureErrorClassifier.classify(e).code())) {
                    throw e;
                }
            }
            return;
        }
        List<AccessPolicyEntry> entries = vault.properties().accessPolicies();
        boolean granted = entries != null && entries.stream().anyMatch(e -> own.equalsIgnoreCase(e.objectId())
                && e.applicationId() == null && e.permissions() != null && e.permissions().keys() != null
                && e.permissions().keys().containsAll(SEED_KEY_PERMISSIONS));
        if (!granted) {
            ArmResourceId id = ArmResourceId.parse(vault.id()).orElseThrow();
            clients.forRequest(request).vaults().manager().serviceClient().getVaults().updateAccessPolicy(
                    id.resourceGroup(), id.name(), AccessPolicyUpdateKind.ADD, new VaultAccessPolicyParametersInner()
                            .withProperties(new VaultAccessPolicyProperties().withAccessPolicies(
                                    List.of(entry(request, own)))));
        }
    }

    /**
     * Removes cmkflow's role assignment from an RBAC vault this run owns, just before the vault is deleted; an
     * access-policy entry is part of the vault and goes with it. Idempotent: an assignment already gone is fine.
     */
    public void revoke(CmkRequest request, VaultInner vault) {
        if (!Boolean.TRUE.equals(vault.properties().enableRbacAuthorization())) {
            return;
        }
        RoleAssignmentsClient assignments = assignments(request);
        String id = assignmentId(vault.id(), clients.principals().ownObjectId(request));
        if (ArmLookup.find(() -> assignments.getById(id)).isPresent()) {
            assignments.deleteById(id);
        }
    }

    /**
     * Runs a data-plane call on {@code vault}'s keys. On an RBAC vault, a 403 while cmkflow's role assignment there is
     * younger than {@link PrincipalSettings#roleAssignmentPropagation()} is an assignment Azure has not applied yet:
     * the call is retried, heartbeating, until it passes or that time is up (then the 403 stands). The bound is the
     * assignment's {@code createdOn}, not this attempt's start, so an activity retried by Temporal waits no longer.
     */
    public <T> T whileOwnRoleApplies(CmkRequest request, VaultInner vault, Runnable heartbeat, Supplier<T> call) {
        Duration propagation = clients.principals().settings().roleAssignmentPropagation();
        // Most assignments apply within seconds: start short, back off to 10 s.
        Duration pause = Duration.ofMillis(100);
        while (true) {
            try {
                return call.get();
            } catch (HttpResponseException e) {
                if (e.getResponse() == null || e.getResponse().getStatusCode() != 403
                        || !Boolean.TRUE.equals(vault.properties().enableRbacAuthorization())) {
                    throw e;
                }
                Optional<Instant> appliesBy = ownAssignmentCreatedOn(request, vault).map(c -> c.plus(propagation));
                if (appliesBy.isEmpty() || Instant.now().isAfter(appliesBy.get())) {
                    throw e;
                }
                heartbeat.run();
                sleep(pause);
                pause = min(pause.multipliedBy(2), Duration.ofSeconds(10));
            }
        }
    }

    private Optional<Instant> ownAssignmentCreatedOn(CmkRequest request, VaultInner vault) {
        String id = assignmentId(vault.id(), clients.principals().ownObjectId(request));
        return ArmLookup.find(() -> assignments(request).getById(id))
                .map(RoleAssignmentInner::createdOn).map(c -> c.toInstant());
    }

    private static AccessPolicyEntry entry(CmkRequest request, String objectId) {
        return new AccessPolicyEntry().withTenantId(UUID.fromString(request.tenantId())).withObjectId(objectId)
                .withPermissions(new Permissions().withKeys(SEED_KEY_PERMISSIONS));
    }

    private RoleAssignmentsClient assignments(CmkRequest request) {
        return clients.forRequest(request).accessManagement().roleAssignments().manager().roleServiceClient()
                .getRoleAssignments();
    }

    /** A name derived from (vault, principal, role) makes a retried create hit the same assignment. */
    static String assignmentName(String vaultId, String principal) {
        return UUID.nameUUIDFromBytes((vaultId.toLowerCase(Locale.ROOT) + "|" + principal + "|"
                + KeyVaultRoles.CRYPTO_OFFICER).getBytes(StandardCharsets.UTF_8)).toString();
    }

    static String assignmentId(String vaultId, String principal) {
        return vaultId + "/providers/Microsoft.Authorization/roleAssignments/" + assignmentName(vaultId, principal);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static void sleep(Duration pause) {
        try {
            Thread.sleep(pause.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AzureStepException(AzureFailure.retryable("Interrupted", "interrupted while waiting for a role "
                    + "assignment to apply"));
        }
    }
}
