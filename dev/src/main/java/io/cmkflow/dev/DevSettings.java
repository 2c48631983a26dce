package io.cmkflow.dev;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.nio.file.Path;
import java.time.Duration;

/**
 * The stand-ins of dev mode. The Service Bus stand-in listens on the emulator's port so tools written for the official
 * emulator reach it unchanged; the ARM simulator takes any free port (cmkflow learns it from {@link DevMode}). With
 * {@code armStateFile} (dev mode sets it in its state folder) the simulator keeps its state there, so simulated Azure
 * survives a restart as Azure would; its certificate is written beside that file (else to a temporary file).
 */
@ConfigurationProperties("cmkflow.dev")
public record DevSettings(
        @Bindable(defaultValue = "5672") int serviceBusPort,
        @Bindable(defaultValue = "0") int armPort,
        @Bindable(defaultValue = "PT1S") Duration workspaceOperationDuration,
        @Nullable Path armStateFile) {
}
