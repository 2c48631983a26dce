package io.cmkflow.request;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Rules of a request that JSON Schema cannot express; checked after the schema, before any Azure call. */
public final class RequestRules {
    /** Azure Machine Learning CMK needs an RSA key of 3072 bits or more. */
    public static final int MIN_KEY_SIZE = 3072;

    private RequestRules() {
    }

    public static List<Violation> check(CmkRequest request) {
        List<Violation> violations = new ArrayList<>();
        CmkRequest.KeyVault vault = request.keyVault();
        if (vault.existingId() != null) {
            String vaultSubscription = subscriptionOf(vault.existingId());
            if (!request.subscriptionId().equalsIgnoreCase(vaultSubscription)) {
                violations.add(new Violation("/keyVault/existingId", "same-subscription",
                        "the key vault must be in the workspace's subscription " + request.subscriptionId()
                                + ", not " + vaultSubscription));
            }
        }
        CmkRequest.Key key = request.key();
        if (key.size() != null && key.size() < MIN_KEY_SIZE) {
            violations.add(new Violation("/key/size", "min-key-size",
                    "an RSA key for a CMK workspace needs at least " + MIN_KEY_SIZE + " bits, got " + key.size()));
        }
        if ("RSA-HSM".equals(key.type()) && vault.existingId() == null && !"premium".equals(vault.sku())) {
            violations.add(new Violation("/key/type", "hsm-needs-premium",
                    "an RSA-HSM key needs a premium vault; set keyVault.sku to premium or use key type RSA"));
        }
        return violations;
    }

    /** The subscription segment of an ARM resource id (ids are case-insensitive). */
    static String subscriptionOf(String resourceId) {
        String[] parts = resourceId.split("/");
        for (int i = 0; i + 1 < parts.length; i++) {
            if (parts[i].toLowerCase(Locale.ROOT).equals("subscriptions")) {
                return parts[i + 1];
            }
        }
        return "";
    }
}
