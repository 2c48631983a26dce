package io.cmkflow.operator.api;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;

/**
 * A stand-in for a Microsoft Entra ID tenant's signing side: an RSA key, its JWKS served over HTTP as
 * {@code login.microsoftonline.com/<tenant>/discovery/v2.0/keys} serves it, and access tokens shaped like Entra's v2
 * tokens (issuer, audience, subject, app roles in {@code roles}).
 */
final class EntraTokens implements AutoCloseable {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String ISSUER = "https://login.microsoftonline.com/" + TENANT + "/v2.0";
    static final String AUDIENCE = "api://cmkflow-operator-api";
    /** The client application the tokens were issued to (v2 tokens' {@code azp}). */
    static final String CLIENT_APPLICATION = "5b1f3c2a-9d8e-4f7a-8b6c-1d2e3f4a5b6c";

    private final RSAKey key;
    private final RSAKey otherKey;
    private final HttpServer server;

    EntraTokens() {
        try {
            key = new RSAKeyGenerator(2048).keyID("entra-test-key").generate();
            otherKey = new RSAKeyGenerator(2048).keyID("entra-test-key").generate();
            byte[] jwks = new JWKSet(key.toPublicJWK()).toString().getBytes(StandardCharsets.UTF_8);
            server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
            server.createContext("/" + TENANT + "/discovery/v2.0/keys", exchange -> {
                exchange.getResponseHeaders().add("Content-Type", "application/json");
                exchange.sendResponseHeaders(200, jwks.length);
                exchange.getResponseBody().write(jwks);
                exchange.close();
            });
            server.start();
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    URI jwksUrl() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/" + TENANT + "/discovery/v2.0/keys");
    }

    /** A valid access token for {@code subject} with app roles {@code roles}. */
    String token(String subject, String... roles) {
        return sign(key, ISSUER, AUDIENCE, subject, Instant.now().plus(Duration.ofHours(1)), roles);
    }

    String withAudience(String audience, String role) {
        return sign(key, ISSUER, audience, "app-other-audience", Instant.now().plus(Duration.ofHours(1)), role);
    }

    String withIssuer(String issuer, String role) {
        return sign(key, issuer, AUDIENCE, "app-other-issuer", Instant.now().plus(Duration.ofHours(1)), role);
    }

    String expired(String role) {
        return sign(key, ISSUER, AUDIENCE, "app-expired", Instant.now().minus(Duration.ofHours(1)), role);
    }

    /** Signed by a key the tenant does not publish (same key id). */
    String forged(String role) {
        return sign(otherKey, ISSUER, AUDIENCE, "app-forged", Instant.now().plus(Duration.ofHours(1)), role);
    }

    /** The object id Entra ID gives {@code subject}'s service principal (stable per subject). */
    static String objectId(String subject) {
        return UUID.nameUUIDFromBytes(("oid|" + subject).getBytes(StandardCharsets.UTF_8)).toString();
    }

    private static String sign(RSAKey with, String issuer, String audience, String subject, Instant expires, String... roles) {
        JWTClaimsSet claims = new JWTClaimsSet.Builder().issuer(issuer).audience(audience).subject(subject)
                .issueTime(Date.from(expires.minus(Duration.ofHours(2)))).notBeforeTime(Date.from(expires.minus(Duration.ofHours(2))))
                .expirationTime(Date.from(expires)).claim("roles", List.of(roles)).claim("oid", objectId(subject))
                .claim("azp", CLIENT_APPLICATION).build();
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(with.getKeyID()).build(), claims);
        try {
            jwt.sign(new RSASSASigner(with));
        } catch (JOSEException e) {
            throw new IllegalStateException(e);
        }
        return jwt.serialize();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
