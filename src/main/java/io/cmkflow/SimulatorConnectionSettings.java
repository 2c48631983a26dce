package io.cmkflow;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

import java.net.URI;
import java.nio.file.Path;

/**
 * {@code cmkflow serve} with {@code cmkflow.azure.mode=simulator}: the ARM simulator another process serves
 * ({@code cmkflow arm-simulator}, the compose stack's {@code arm-simulator} service) at {@code endpoint}, trusted
 * through the PEM {@code certificate} it wrote. Serve never starts a simulator itself.
 */
@ConfigurationProperties("cmkflow.azure.simulator")
public record SimulatorConnectionSettings(@Nullable URI endpoint, @Nullable Path certificate) {

    public boolean configured() {
        return endpoint != null && certificate != null;
    }
}
