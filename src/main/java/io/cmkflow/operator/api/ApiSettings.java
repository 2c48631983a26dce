package io.cmkflow.operator.api;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

import java.util.List;

/**
 * The operator API's bearer tokens ({@code CMKFLOW_API_TOKENS}): entries {@code name:role:sha256}, comma separated or a
 * YAML list, where {@code role} is {@code viewer} or {@code operator} and {@code sha256} is the hex SHA-256 of the token
 * (so the configuration never holds a token itself). Microsoft Entra ID tokens are validated by micronaut-security-jwt
 * ({@code micronaut.security.token.jwt.*} in application.yml).
 */
@ConfigurationProperties("cmkflow.api")
public record ApiSettings(@Nullable List<String> tokens) {
}
