package io.cmkflow.local.arm;

import java.util.Locale;
import java.util.function.Function;

/** Where the simulator answers: its ARM base URL and each vault's data-plane URI, known once its listeners are up. */
final class SimulatorEndpoints {
    private volatile String baseUrl = "https://localhost/";
    private volatile Function<String, String> vaultEndpoints = name -> baseUrl + "kv/" + name + "/";

    void baseUrl(String url) {
        this.baseUrl = url.endsWith("/") ? url : url + "/";
    }

    /** {@code https://localhost:PORT/} */
    String baseUrl() {
        return baseUrl;
    }

    /** Each vault's data plane has its own listener, so ids parse as Key Vault's do ({@code https://host/keys/k/v}). */
    void vaultEndpoints(Function<String, String> endpoints) {
        this.vaultEndpoints = endpoints;
    }

    String vaultUri(String vaultName) {
        return vaultEndpoints.apply(vaultName.toLowerCase(Locale.ROOT));
    }
}
