package io.cmkflow.standins.servicebus;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.Base64;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Checks a Service Bus shared access signature
 * ({@code SharedAccessSignature sr=<resource>&sig=<signature>&se=<expiry>&skn=<key name>}) against the configured keys:
 * the signature is HMAC-SHA256 of {@code <url-encoded resource>\n<expiry>} with the named key.
 */
final class SharedAccessSignatureValidator {

    private static final String PREFIX = "SharedAccessSignature ";

    private final Map<String, String> keys;

    SharedAccessSignatureValidator(Map<String, String> keys) {
        this.keys = Map.copyOf(keys);
    }

    /** Outcome of a check: the entity path (below the host) the token grants, or why it is refused. */
    record Verdict(boolean granted, String grantedPath, String refusal) {
        static Verdict grant(String path) {
            return new Verdict(true, path, null);
        }

        static Verdict refuse(String refusal) {
            return new Verdict(false, null, refusal);
        }
    }

    /**
     * @param token    the token as put to the CBS node (never logged: it is a credential)
     * @param audience the {@code name} of the put-token request, e.g. {@code amqp://localhost/cmk-requests}
     */
    Verdict check(String token, String audience, Instant now) {
        if (token == null || !token.startsWith(PREFIX)) {
            return Verdict.refuse("InvalidToken: the token is not a SharedAccessSignature");
        }
        Map<String, String> fields = new HashMap<>();
        for (String pair : token.substring(PREFIX.length()).split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                fields.put(pair.substring(0, eq), pair.substring(eq + 1));
            }
        }
        String encodedResource = fields.get("sr");
        String signature = fields.get("sig");
        String expiry = fields.get("se");
        String keyName = fields.get("skn");
        if (encodedResource == null || signature == null || expiry == null || keyName == null) {
            return Verdict.refuse("InvalidToken: the token lacks one of sr, sig, se, skn");
        }
        String key = keys.get(URLDecoder.decode(keyName, StandardCharsets.UTF_8));
        if (key == null) {
            return Verdict.refuse("InvalidSignature: unknown key name");
        }
        long expiresAt;
        try {
            expiresAt = Long.parseLong(URLDecoder.decode(expiry, StandardCharsets.UTF_8));
        } catch (NumberFormatException e) {
            return Verdict.refuse("InvalidToken: se is not a number of seconds");
        }
        if (expiresAt <= now.getEpochSecond()) {
            return Verdict.refuse("ExpiredToken: the token expired at " + Instant.ofEpochSecond(expiresAt));
        }
        byte[] expected = hmac(key, encodedResource + "\n" + URLDecoder.decode(expiry, StandardCharsets.UTF_8));
        byte[] presented;
        try {
            presented = Base64.getDecoder().decode(URLDecoder.decode(signature, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return Verdict.refuse("InvalidSignature: sig is not base64");
        }
        if (!MessageDigest.isEqual(expected, presented)) {
            return Verdict.refuse("InvalidSignature: the token has an invalid signature");
        }
        String resourcePath = pathBelowHost(URLDecoder.decode(encodedResource, StandardCharsets.UTF_8));
        String audiencePath = pathBelowHost(audience);
        if (!covers(resourcePath, audiencePath)) {
            return Verdict.refuse("InvalidAudience: the token's resource does not cover " + audience);
        }
        return Verdict.grant(audiencePath);
    }

    /** Whether a grant for {@code grantedPath} (empty = whole namespace) allows the entity at {@code entityPath}. */
    static boolean covers(String grantedPath, String entityPath) {
        String granted = grantedPath.toLowerCase(Locale.ROOT);
        String entity = entityPath.toLowerCase(Locale.ROOT);
        return granted.isEmpty() || entity.equals(granted) || entity.startsWith(granted + "/");
    }

    /** {@code amqp://host/a/b} or {@code sb://host/a/b} to {@code a/b}; any host is accepted, like the emulator. */
    static String pathBelowHost(String address) {
        String rest = address;
        int scheme = rest.indexOf("://");
        if (scheme >= 0) {
            rest = rest.substring(scheme + 3);
            int slash = rest.indexOf('/');
            rest = slash < 0 ? "" : rest.substring(slash + 1);
        }
        while (rest.endsWith("/")) {
            rest = rest.substring(0, rest.length() - 1);
        }
        return rest;
    }

    private static byte[] hmac(String key, String text) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(key.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal(text.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is unavailable", e);
        }
    }
}
