package io.cmkflow.azure;

import java.net.URI;
import java.util.Locale;

/**
 * Key and vault URLs compared as Azure means them, not as text: Key Vault's management plane answers key URLs with
 * the default port ({@code https://myvault.vault.azure.net:443/keys/k}) while the vault's {@code vaultUri} has none
 * ({@code https://myvault.vault.azure.net/}), and host names are compared without case.
 */
final class KeyUrls {

    private KeyUrls() {
    }

    /** {@code url} without the default HTTPS port and a trailing slash, its scheme and host lower case. */
    static String normalized(String url) {
        if (url == null) {
            return null;
        }
        URI uri = URI.create(url.trim());
        if (uri.getHost() == null) {
            return url;
        }
        int port = uri.getPort() == 443 && "https".equalsIgnoreCase(uri.getScheme()) ? -1 : uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath().replaceAll("/+$", "");
        return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT)
                + (port == -1 ? "" : ":" + port) + path;
    }

    /** Whether two key URLs name the same key (version) once normalized. */
    static boolean same(String a, String b) {
        return a != null && b != null && normalized(a).equals(normalized(b));
    }

    /** Whether {@code url} lies under {@code base} (a vault's URI, a key's URL) once both are normalized. */
    static boolean within(String url, String base) {
        if (url == null || base == null) {
            return false;
        }
        String under = normalized(url);
        String root = normalized(base);
        return under.equals(root) || under.startsWith(root + "/");
    }
}
