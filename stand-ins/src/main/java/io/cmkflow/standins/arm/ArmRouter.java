package io.cmkflow.standins.arm;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Finds the operation for a request and applies ARM's cross-cutting rules before serving it: the deny on
 * Microsoft-managed resource groups, provider registration, and the resource group's existence (or its implicit
 * creation when {@link ArmSimulatorOptions#autoCreateResourceGroups()} is on).
 */
final class ArmRouter {
    /** The journal's operation name for a resource group the simulator made itself. */
    static final String AUTO_CREATE_OPERATION = "ResourceGroups_AutoCreate";

    private final ArmState state;
    private final Journal journal;
    private final List<Route.Family> families;

    ArmRouter(ArmState state, Journal journal, List<Route.Family> families) {
        this.state = state;
        this.journal = journal;
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
                var managed = state.managedGroups.containing(lowerPath);
                if (managed != null) {
                    state.managedGroups.recordRefusedDelete(request.path, request.operation,
                            request.header("User-Agent"), request.header("x-ms-client-request-id"));
                    return new ArmError(403, "DenyAssignmentAuthorizationFailed", "The client has permission to "
                            + "perform action 'Microsoft.Resources/subscriptions/resourceGroups/delete' on scope '"
                            + request.path + "', however the access is denied because of the deny assignment with "
                            + "name 'Deny assignment for Azure Machine Learning managed resource group' and Id '"
                            + "00000000-0000-0000-0000-00000000dead' at scope '" + managed.get("id").asText() + "'.");
                }
            }
            boolean inProvider = request.size() >= 6 && request.is(4, "providers");
            if (inProvider && request.isWrite() && state.options.enforceProviderRegistration()
                    && !state.providerStore.isRegistered(subscription, request.segment(5))) {
                String ns = ProviderCatalog.canonicalName(request.segment(5));
                return new ArmError(409, "MissingSubscriptionRegistration", "The subscription is not registered to "
                        + "use namespace '" + ns + "'. See https://aka.ms/rps-not-found for how to register "
                        + "subscriptions.");
            }
            boolean groupOperation = request.size() == 4;
            if (!groupOperation && !state.groupStore.exists(subscription, group)) {
                String location = implicitGroupLocation(request);
                if (location == null) {
                    return new ArmError(404, "ResourceGroupNotFound", "Resource group '" + group
                            + "' could not be found.");
                }
                state.groupStore.create(subscription, group, location, null, Map.of());
                journal.record(new JournalEntry("PUT", "/subscriptions/" + subscription + "/resourceGroups/" + group,
                        Map.of(), AUTO_CREATE_OPERATION, subscription, 201, null,
                        JsonDocuments.object().put("location", location).toString(), true, Instant.now(), List.of()));
            }
        }
        return null;
    }

    /** The location for a group made on the fly, or null when this request may not make one. */
    private String implicitGroupLocation(ArmRequest request) {
        if (!state.options.autoCreateResourceGroups() || !request.isWrite()
                || "DELETE".equalsIgnoreCase(request.method)) {
            return null;
        }
        try {
            String location = JsonDocuments.text(request.jsonBody(), "location");
            return location == null || location.isBlank() ? null : location;
        } catch (ArmError malformedBody) {
            // The route itself answers the malformed body; the group stays absent.
            return null;
        }
    }
}
