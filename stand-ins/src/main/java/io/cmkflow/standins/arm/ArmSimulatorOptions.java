package io.cmkflow.standins.arm;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How a simulator behaves. Start from {@link #defaults()} and adjust with the {@code with…} methods.
 *
 * @param port                        TCP port on 127.0.0.1; 0 picks a free one
 * @param workspaceOperationDuration  how long a workspace create or delete stays in progress
 * @param providerRegisteringReads    how many GETs a provider answers {@code Registering} after a register call
 * @param managedResourcesDelay       how long after a workspace succeeds its managed group's three resources appear
 * @param enforceProviderRegistration answer 409 {@code MissingSubscriptionRegistration} to writes into a namespace
 *                                    not registered in the subscription
 * @param providersRegisteredAtStart  every namespace starts Registered in every subscription
 * @param autoCreateResourceGroups    a write carrying a location into a resource group that does not exist creates
 *                                    the group first (journaled as {@code ResourceGroups_AutoCreate}) instead of
 *                                    answering 404 {@code ResourceGroupNotFound}; a local-default convenience
 * @param stateFile                   where the simulated Azure is kept across restarts (loaded at start when it
 *                                    exists, written after each change and at close); null = in memory only
 * @param host                        the name clients reach it by: null = {@code localhost}, listening on loopback
 *                                    only; a name (a compose service) = listening on every interface, that name in
 *                                    its URLs and certificate
 * @param roleAssignmentDelay         the longest a new role assignment takes to apply (real Azure: up to minutes); each
 *                                    draws its own time between half of this and all of it, and until then ARM's
 *                                    authorization, the data plane and the workspace's key checks ignore it
 * @param tenantsWithoutCosmosDb      tenants (lower case) whose Microsoft Graph has no Azure Cosmos DB service
 *                                    principal, as in a tenant where Microsoft.DocumentDB was never registered
 * @param providerRegistrationDuration how long a registered provider stays {@code Registering} (real Azure: tens of
 *                                    seconds to minutes); zero = count reads instead ({@code providerRegisteringReads})
 * @param operationRetryAfter         the {@code Retry-After} the long-running operations' answers carry while in
 *                                    progress, as Azure's do; zero = none
 * @param callerRole                  the role the simulated caller ({@link SimulatedDirectory#CALLER_OBJECT_ID}, the
 *                                    identity cmkflow signs in as) holds from the start, at the root scope; every ARM
 *                                    request is authorized against the caller's role assignments, this one included
 */
public record ArmSimulatorOptions(
        int port,
        Duration workspaceOperationDuration,
        int providerRegisteringReads,
        Duration managedResourcesDelay,
        boolean enforceProviderRegistration,
        boolean providersRegisteredAtStart,
        boolean autoCreateResourceGroups,
        Path stateFile,
        String host,
        Duration roleAssignmentDelay,
        Set<String> tenantsWithoutCosmosDb,
        Duration providerRegistrationDuration,
        Duration operationRetryAfter,
        RoleDefinition callerRole) {

    public ArmSimulatorOptions {
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0..65535, was " + port);
        }
        if (workspaceOperationDuration == null || workspaceOperationDuration.isNegative()) {
            throw new IllegalArgumentException("workspaceOperationDuration must be zero or positive");
        }
        if (providerRegisteringReads < 0) {
            throw new IllegalArgumentException("providerRegisteringReads must be >= 0, was " + providerRegisteringReads);
        }
        if (managedResourcesDelay == null || managedResourcesDelay.isNegative()) {
            throw new IllegalArgumentException("managedResourcesDelay must be zero or positive");
        }
        if (roleAssignmentDelay == null || roleAssignmentDelay.isNegative()) {
            throw new IllegalArgumentException("roleAssignmentDelay must be zero or positive");
        }
        if (providerRegistrationDuration == null || providerRegistrationDuration.isNegative()) {
            throw new IllegalArgumentException("providerRegistrationDuration must be zero or positive");
        }
        if (operationRetryAfter == null || operationRetryAfter.isNegative()) {
            throw new IllegalArgumentException("operationRetryAfter must be zero or positive");
        }
        if (callerRole == null) {
            throw new IllegalArgumentException("callerRole is required (Owner: BuiltInRoles)");
        }
        tenantsWithoutCosmosDb = tenantsWithoutCosmosDb.stream().map(t -> t.toLowerCase(Locale.ROOT))
                .collect(Collectors.toUnmodifiableSet());
    }

    /**
     * Ephemeral port, 50 ms workspace operations, one Registering read, no managed-group delay, registration
     * enforced, resource groups never made implicitly, role assignments effective at once, Azure Cosmos DB's service
     * principal in every tenant.
     */
    public static ArmSimulatorOptions defaults() {
        return new ArmSimulatorOptions(0, Duration.ofMillis(50), 1, Duration.ZERO, true, false, false, null, null,
                Duration.ZERO, Set.of(), Duration.ZERO, Duration.ZERO, RoleDefinition.owner());
    }

    public ArmSimulatorOptions withPort(int newPort) {
        return new ArmSimulatorOptions(newPort, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    public ArmSimulatorOptions withWorkspaceOperationDuration(Duration duration) {
        return new ArmSimulatorOptions(port, duration, providerRegisteringReads, managedResourcesDelay,
                enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    public ArmSimulatorOptions withProviderRegisteringReads(int reads) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, reads, managedResourcesDelay,
                enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    public ArmSimulatorOptions withManagedResourcesDelay(Duration delay) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads, delay,
                enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    public ArmSimulatorOptions withProvidersRegisteredAtStart(boolean registered) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, registered,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    public ArmSimulatorOptions withAutoCreateResourceGroups(boolean autoCreate) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart, autoCreate, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    /**
     * Keeps the simulated Azure in {@code file} (null = in memory): what a simulator started on it later finds is
     * what this one left, as a restarted cmkflow finds Azure as it was. See {@link ArmSimulator} for what is kept.
     */
    public ArmSimulatorOptions withStateFile(Path file) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, file, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    /** Serves as {@code name} on every interface (null: {@code localhost} on loopback). */
    public ArmSimulatorOptions withHost(String name) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, name, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    /** New role assignments apply only {@code delay} after they are made, as in real Azure. */
    public ArmSimulatorOptions withRoleAssignmentDelay(Duration delay) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, delay, tenantsWithoutCosmosDb, providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    /** Microsoft Graph in these tenants has no Azure Cosmos DB service principal. */
    public ArmSimulatorOptions withoutCosmosDbPrincipalIn(String... tenants) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, Set.of(tenants), providerRegistrationDuration, operationRetryAfter, callerRole);
    }

    /** A register call leaves the provider Registering for {@code duration} (instead of a number of reads). */
    public ArmSimulatorOptions withProviderRegistrationDuration(Duration duration) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, duration, operationRetryAfter, callerRole);
    }

    /** Long-running operations in progress answer with {@code Retry-After: seconds}. */
    public ArmSimulatorOptions withOperationRetryAfter(Duration retryAfter) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb, providerRegistrationDuration, retryAfter, callerRole);
    }

    public ArmSimulatorOptions withCallerRole(RoleDefinition newCallerRole) {
        return new ArmSimulatorOptions(port, workspaceOperationDuration, providerRegisteringReads,
                managedResourcesDelay, enforceProviderRegistration, providersRegisteredAtStart,
                autoCreateResourceGroups, stateFile, host, roleAssignmentDelay, tenantsWithoutCosmosDb,
                providerRegistrationDuration, operationRetryAfter, newCallerRole);
    }
}
