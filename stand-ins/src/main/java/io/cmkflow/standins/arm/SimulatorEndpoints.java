package io.cmkflow.standins.arm;

import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Where the simulator answers: its ARM base URL and each vault's data-plane URI, known once its listeners are up.
 * Their ports change from one start to the next, so a state file holds these URLs as placeholders instead
 * ({@link #portable}, {@link #local}).
 */
final class SimulatorEndpoints {
    private static final String ARM_PLACEHOLDER = "{{arm}}";
    private static final Pattern VAULT_PLACEHOLDER = Pattern.compile("\\{\\{vault:([^}]+)}}");

    private volatile String baseUrl = "https://localhost/";
    private volatile Function<String, String> vaultEndpoints = name -> baseUrl + "kv/" + name + "/";
    /** Data-plane URI by lower-case vault name, for every vault given one since start. */
    private final Map<String, String> vaultUris = new ConcurrentHashMap<>();

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
        String name = vaultName.toLowerCase(Locale.ROOT);
        String uri = vaultEndpoints.apply(name);
        vaultUris.put(name, uri);
        return uri;
    }

    /** Data-plane URIs by lower-case vault name, of the vaults given one since start. */
    Map<String, String> vaultUris() {
        return Map.copyOf(vaultUris);
    }

    /**
     * {@code json} with this run's URLs (wherever they appear: vault URIs, key identifiers a client sent, ...) as
     * placeholders that {@link #local} turns into the URLs of the run that reads them.
     */
    String portable(String json) {
        String text = json;
        for (Map.Entry<String, String> vault : vaultUris.entrySet()) {
            text = text.replace(vault.getValue(), "{{vault:" + vault.getKey() + "}}");
        }
        return text.replace(baseUrl, ARM_PLACEHOLDER);
    }

    /** {@code json} as {@link #portable} wrote it, with this run's URLs (a vault's listener is made when needed). */
    String local(String json) {
        Matcher m = VAULT_PLACEHOLDER.matcher(json.replace(ARM_PLACEHOLDER, baseUrl));
        StringBuilder text = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(text, Matcher.quoteReplacement(vaultUri(m.group(1))));
        }
        m.appendTail(text);
        return text.toString();
    }
}
