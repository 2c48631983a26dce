package io.cmkflow.local.arm;

import java.util.List;

/**
 * Finds the operation for a request and applies ARM's cross-cutting rules before serving it: the deny on
 * Microsoft-managed resource groups, provider registration, and the resource group's existence.
 */
final class ArmRouter {
    private final ArmState state;
    private final List<Route.Family> families;

    ArmRouter(ArmState state, List<Route.Family> families) {
        this.state = state;
        this.families = families;
    }

    Route route(ArmRequest request) {
        if (request.is(0, "subscriptions") && request.size() >= 2) {
            request.subscription = request.segment(1);
        }
        for (Route.Family family : families) {
            Route route = family.match(request);
            if (route != null) {
                return route;
            }
        }
        return null;
    }

    /** Checks done in ARM's front door, before the resource provider sees the request; null when it may proceed. */
    ArmError frontDoor(ArmRequest request) {
        if (!request.is(0, "subscriptions") || !request.is(2, "resourceGroups") || request.size() < 4) {
            return null;
        }
        String subscription = request.segment(1);
        String group = request.segment(3);
        synchronized (state) {
            String lowerPath = ResourceIds.key(request.path);
            if ("DELETE".equalsIgnoreCase(request.method)) {
                var managed = state.managedGroupContaining(lowerPath);
                if (managed != null) {
                    state.refusedDeletes.add(new ArmState.RefusedDelete(request.path, request.operation,
                            request.header("User-Agent"), request.header("x-ms-client-request-id"), ArmState.now()));
                    return new ArmError(403, "DenyAssignmentAuthorizationFailed", "The client has permission to "
                            + "perform action 'Microsoft.Resources/subscriptions/resourceGroups/delete' on scope '"
                            + request.path + "', however the access is denied because of the deny assignment with "
                            + "name 'Deny assignment for Azure Machine Learning managed resource group' and Id '"
                            + "00000000-0000-0000-0000-00000000dead' at scope '" + managed.get("id").asText() + "'.");
                }
            }
            boolean inProvider = request.size() >= 6 && request.is(4, "providers");
            if (inProvider && request.isWrite() && state.options.enforceProviderRegistration()
                    && !state.isRegistered(subscription, request.segment(5))) {
                String ns = ProviderCatalog.canonicalName(request.segment(5));
                return new ArmError(409, "MissingSubscriptionRegistration", "The subscription is not registered to "
                        + "use namespace '" + ns + "'. See https://aka.ms/rps-not-found for how to register "
                        + "subscriptions.");
            }
            boolean groupOperation = request.size() == 4;
            if (!groupOperation && !state.groups.containsKey(ResourceIds.groupKey(subscription, group))) {
                return new ArmError(404, "ResourceGroupNotFound", "Resource group '" + group
                        + "' could not be found.");
            }
        }
        return null;
    }
}
