/**
 * The Azure layer: one class per CMK procedure step driving the real azure-resourcemanager SDK, their undo
 * operations, request preconditions checked before any Azure call, error classification for the workflow, and the
 * guard that keeps every DELETE away from a workspace's Microsoft-managed resource group.
 */
package io.cmkflow.azure;
