package io.cmkflow.operator.api;

import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.core.annotation.NonNull;
import io.micronaut.http.HttpRequest;
import io.micronaut.security.authentication.Authentication;
import io.micronaut.security.token.validator.TokenValidator;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Authenticates the bearer tokens configured in {@code cmkflow.api.tokens} by their SHA-256: the presented token is
 * hashed and compared with every configured hash in constant time, so neither the configuration nor a timing reveals a
 * token. A token that matches none is left to the JWT validator (Entra ID), which refuses what is not a valid JWT.
 */
@Singleton
public class ConfiguredTokens implements TokenValidator<HttpRequest<?>> {
    static final String SETTING = "cmkflow.api.tokens";

    private record Token(String name, String role, byte[] sha256) {
    }

    private final List<Token> tokens;

    public ConfiguredTokens(ApiSettings settings) {
        List<String> entries = settings.tokens() == null ? List.of() : settings.tokens();
        this.tokens = entries.stream().filter(entry -> !entry.isBlank()).map(ConfiguredTokens::parse).toList();
    }

    /** The hex SHA-256 a token is configured by ({@code name:role:<this>}). */
    public static String sha256Hex(String token) {
        return HexFormat.of().formatHex(sha256(token));
    }

    @Override
    public @NonNull Publisher<Authentication> validateToken(@NonNull String token, HttpRequest<?> request) {
        byte[] presented = sha256(token);
        Token match = null;
        for (Token candidate : tokens) {
            // Every entry is compared, so the time taken does not depend on which one matches.
            if (MessageDigest.isEqual(presented, candidate.sha256()) && match == null) {
                match = candidate;
            }
        }
        return match == null ? Mono.empty()
                : Mono.just(Authentication.build(match.name(), List.of(match.role()), Map.of("via", "token")));
    }

    @Override
    public int getOrder() {
        // Before the JWT validator: a configured token is never parsed as a JWT.
        return HIGHEST_PRECEDENCE;
    }

    private static Token parse(String entry) {
        String[] parts = entry.trim().split(":", -1);
        if (parts.length != 3 || parts[0].isBlank()) {
            // A lone part may be a token pasted in by mistake: never echo it.
            throw new ConfigurationException(SETTING + ": an entry must be name:role:sha256, got one with "
                    + parts.length + " part(s)" + (parts.length > 1 && !parts[0].isBlank() ? " named " + parts[0] : ""));
        }
        String name = parts[0];
        String role = parts[1];
        if (!Set.of(ApiRoles.VIEWER, ApiRoles.OPERATOR).contains(role)) {
            throw new ConfigurationException(SETTING + ": token " + name + " has role '" + role + "'; one of "
                    + ApiRoles.VIEWER + ", " + ApiRoles.OPERATOR);
        }
        if (!parts[2].matches("[0-9a-fA-F]{64}")) {
            throw new ConfigurationException(SETTING + ": token " + name + " needs the hex SHA-256 of the token (64 hex"
                    + " digits, e.g. `printf %s TOKEN | sha256sum`), not the token itself");
        }
        return new Token(name, role, HexFormat.of().parseHex(parts[2].toLowerCase(java.util.Locale.ROOT)));
    }

    private static byte[] sha256(String token) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
