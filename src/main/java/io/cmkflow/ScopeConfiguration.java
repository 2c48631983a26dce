package io.cmkflow;

import io.cmkflow.contract.AuthorizationScope;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Property;
import io.micronaut.core.annotation.Nullable;
import jakarta.inject.Singleton;

import java.util.List;

/**
 * The authorization scope the intake and the Azure activities check every request against, from {@code
 * cmkflow.azure.scope} ({@code CMKFLOW_AZURE_SCOPE}): entries {@code cloud/tenant/subscription/group-pattern}, comma
 * separated or a YAML list. Dev mode and the tests set {@code *} (everything); {@link ServeSettingsCheck} refuses an
 * empty scope and {@code *} for serve.
 */
@Factory
public class ScopeConfiguration {
    public static final String PROPERTY = "cmkflow.azure.scope";

    @Singleton
    AuthorizationScope authorizationScope(@Nullable @Property(name = PROPERTY) List<String> entries) {
        return AuthorizationScope.of(entries);
    }
}
