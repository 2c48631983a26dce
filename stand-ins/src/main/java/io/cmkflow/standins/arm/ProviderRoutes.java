package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Providers_Register / Providers_Get / Providers_List, and the subscription itself. */
final class ProviderRoutes implements Route.Family {
    private final ProviderStore providers;
    private final ResourceGroupStore groups;

    ProviderRoutes(ProviderStore providers, ResourceGroupStore groups) {
        this.providers = providers;
        this.groups = groups;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions")) {
            return null;
        }
        String method = r.method.toUpperCase();
        if (r.size() == 1 && method.equals("GET")) {
            return new Route("Subscriptions_List", this::listSubscriptions);
        }
        if (r.size() == 2 && method.equals("GET")) {
            return new Route("Subscriptions_Get", () -> ArmResponse.ok(subscription(r.segment(1))));
        }
        if (!r.is(2, "providers")) {
            return null;
        }
        String subscription = r.segment(1);
        if (r.size() == 3 && method.equals("GET")) {
            return new Route("Providers_List", () -> ArmResponse.ok(JsonDocuments.list(
                    ProviderCatalog.namespaces().stream().map(ns -> document(providers.read(subscription, ns))).toList())));
        }
        if (r.size() == 4 && method.equals("GET")) {
            return new Route("Providers_Get", () -> get(subscription, r.segment(3)));
        }
        if (r.size() == 5 && r.is(4, "register") && method.equals("POST")) {
            return new Route("Providers_Register", () -> register(subscription, r.segment(3)));
        }
        return null;
    }

    private ArmResponse listSubscriptions() {
        Set<String> ids = new LinkedHashSet<>();
        groups.all().forEach(g -> ids.add(ResourceIds.after(g.get("id").asText(), "subscriptions")));
        ids.addAll(providers.subscriptions());
        return ArmResponse.ok(JsonDocuments.list(ids.stream().map(ProviderRoutes::subscription).toList()));
    }

    private static ObjectNode subscription(String id) {
        ObjectNode s = JsonDocuments.object();
        s.put("id", "/subscriptions/" + id);
        s.put("subscriptionId", id);
        s.put("displayName", "Simulated subscription " + id);
        s.put("state", "Enabled");
        s.put("tenantId", "00000000-0000-0000-0000-000000000000");
        return s;
    }

    private ArmResponse get(String subscription, String namespace) {
        requireKnown(namespace);
        return ArmResponse.ok(document(providers.read(subscription, namespace)));
    }

    private ArmResponse register(String subscription, String namespace) {
        requireKnown(namespace);
        return ArmResponse.ok(document(providers.register(subscription, namespace)));
    }

    private static void requireKnown(String namespace) {
        if (!ProviderCatalog.known(namespace)) {
            throw new ArmError(404, "InvalidResourceNamespace", "The resource namespace '" + namespace
                    + "' is invalid.");
        }
    }

    private static ObjectNode document(ArmState.ProviderView provider) {
        ObjectNode p = JsonDocuments.object();
        p.put("id", "/subscriptions/" + provider.subscription() + "/providers/" + provider.namespace());
        p.put("namespace", provider.namespace());
        p.put("registrationState", provider.registrationState());
        p.put("registrationPolicy", "RegistrationRequired");
        ArrayNode types = p.putArray("resourceTypes");
        for (Map.Entry<String, List<String>> type : ProviderCatalog.resourceTypes(provider.namespace()).entrySet()) {
            ObjectNode t = types.addObject();
            t.put("resourceType", type.getKey());
            t.set("locations", JsonDocuments.arrayOf(List.of("West Europe", "East US", "East US 2", "North Europe")));
            t.set("apiVersions", JsonDocuments.arrayOf(type.getValue()));
            t.put("capabilities", "SupportsTags, SupportsLocation");
        }
        return p;
    }
}
