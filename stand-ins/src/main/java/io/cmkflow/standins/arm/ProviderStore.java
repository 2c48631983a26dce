package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;

import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Resource provider registrations per subscription. A register call may leave a namespace {@code Registering} for a
 * few reads, as ARM does, so clients that poll are exercised. Callers hold the ArmState lock.
 */
final class ProviderStore {
    /** Namespaces ARM always has registered. */
    private static final Set<String> ALWAYS_REGISTERED = Set.of("microsoft.resources", "microsoft.authorization");

    private static final class Registration {
        final String subscription;
        final String namespace;
        String state;
        int registeringReadsLeft;
        /** With a registration duration: when a Registering provider becomes Registered. */
        Instant registeredAt;

        Registration(String subscription, String namespace, String state) {
            this.subscription = subscription;
            this.namespace = namespace;
            this.state = state;
        }

        ArmState.ProviderView view() {
            return new ArmState.ProviderView(subscription, namespace, state);
        }
    }

    private final Map<String, Registration> byKey = new LinkedHashMap<>();
    private final ArmSimulatorOptions options;

    ProviderStore(ArmSimulatorOptions options) {
        this.options = options;
    }

    private Registration registration(String subscription, String namespace) {
        return byKey.computeIfAbsent(key(subscription, namespace), k -> new Registration(subscription, ProviderCatalog.canonicalName(namespace),
                options.providersRegisteredAtStart() || ALWAYS_REGISTERED.contains(namespace.toLowerCase(Locale.ROOT))
                        ? "Registered" : "NotRegistered"));
    }

    ArmState.ProviderView get(String subscription, String namespace) {
        return timed(registration(subscription, namespace)).view();
    }

    /**
     * The registration as a GET (or a Providers_List, which reads every namespace) answers it; a {@code Registering}
     * one moves on towards {@code Registered}, by its reads or by the clock.
     */
    ArmState.ProviderView read(String subscription, String namespace) {
        Registration registration = timed(registration(subscription, namespace));
        ArmState.ProviderView answer = registration.view();
        if ("Registering".equals(registration.state) && registration.registeredAt == null) {
            if (registration.registeringReadsLeft <= 1) {
                registration.state = "Registered";
            }
            registration.registeringReadsLeft--;
        }
        return answer;
    }

    ArmState.ProviderView register(String subscription, String namespace) {
        Registration registration = registration(subscription, namespace);
        if (!"Registered".equals(registration.state)) {
            if (!options.providerRegistrationDuration().isZero()) {
                if (!"Registering".equals(registration.state)) {
                    registration.state = "Registering";
                    registration.registeredAt = Instant.now().plus(options.providerRegistrationDuration());
                }
            } else if (options.providerRegisteringReads() == 0) {
                registration.state = "Registered";
            } else {
                registration.state = "Registering";
                registration.registeringReadsLeft = options.providerRegisteringReads();
            }
        }
        return registration.view();
    }

    /** A Registering provider whose registration time is up is Registered. */
    private static Registration timed(Registration registration) {
        if (registration.registeredAt != null && !Instant.now().isBefore(registration.registeredAt)) {
            registration.state = "Registered";
            registration.registeredAt = null;
        }
        return registration;
    }

    void markRegistered(String subscription, String namespace) {
        Registration registration = registration(subscription, namespace);
        registration.state = "Registered";
        registration.registeredAt = null;
    }

    void markNotRegistered(String subscription, String namespace) {
        Registration registration = registration(subscription, namespace);
        registration.state = "NotRegistered";
        registration.registeredAt = null;
    }

    boolean isRegistered(String subscription, String namespace) {
        return "Registered".equals(timed(registration(subscription, namespace)).state);
    }

    /** Every registration record with its state and the Registering reads it has left, for a snapshot. */
    ArrayNode export() {
        ArrayNode all = JsonDocuments.array();
        byKey.values().forEach(r -> all.addObject().put("subscription", r.subscription).put("namespace", r.namespace)
                .put("registrationState", r.state).put("registeringReadsLeft", r.registeringReadsLeft)
                .put("registeredAt", r.registeredAt == null ? null : r.registeredAt.toString()));
        return all;
    }

    /** Adds the registrations of a snapshot {@link #export()} wrote. */
    void load(JsonNode exported) {
        for (JsonNode r : exported) {
            Registration registration = new Registration(r.get("subscription").asText(), r.get("namespace").asText(),
                    r.get("registrationState").asText());
            registration.registeringReadsLeft = r.path("registeringReadsLeft").asInt();
            registration.registeredAt = r.path("registeredAt").isTextual() ? Instant.parse(r.get("registeredAt").asText()) : null;
            byKey.put(key(registration.subscription, registration.namespace), registration);
        }
    }

    private static String key(String subscription, String namespace) {
        return subscription.toLowerCase(Locale.ROOT) + "|" + namespace.toLowerCase(Locale.ROOT);
    }

    /** Subscriptions that have a registration record. */
    Set<String> subscriptions() {
        Set<String> ids = new java.util.LinkedHashSet<>();
        byKey.values().forEach(r -> ids.add(r.subscription));
        return ids;
    }
}
