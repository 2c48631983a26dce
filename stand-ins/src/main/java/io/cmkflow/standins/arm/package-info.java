/**
 * An in-process stand-in for Azure Resource Manager (and the Key Vault data plane) that the real
 * {@code azure-resourcemanager} SDK reaches over HTTPS through a custom {@code AzureEnvironment}.
 * <p>
 * It exists so that cmkflow's Azure steps, compensations and workflow scenarios run locally and in tests against
 * real SDK code paths: it keeps state (providers, resource groups, key vaults, keys, access policies, role
 * assignments, storage accounts, Application Insights, ML workspaces and their Microsoft-managed resource group),
 * answers long-running operations the way ARM does, refuses deletes in the managed group, authorizes the key data
 * plane by access policy or Key Vault role (a new role assignment may take a while to apply), serves Microsoft
 * Graph's service principals per tenant ({@link io.cmkflow.standins.arm.SimulatedDirectory}), and lets tests inject
 * latency, faults and ARM-style throttling. Every request is journaled so tests can assert what the SDK sent.
 * Start one with {@link io.cmkflow.standins.arm.ArmSimulator#start(ArmSimulatorOptions)}. The Azure behaviour it
 * reproduces, with Microsoft's sources, is described in docs/azure-behaviour.md.
 */
package io.cmkflow.standins.arm;
