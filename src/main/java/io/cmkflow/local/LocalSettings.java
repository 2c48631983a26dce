package io.cmkflow.local;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;
import io.micronaut.core.bind.annotation.Bindable;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The in-process stand-ins of dev mode. The Service Bus stand-in listens on the emulator's port so tools written for the
 * official emulator reach it unchanged; the ARM simulator takes any free port (only cmkflow calls it). With
 * {@code armStateFile} (dev mode sets it in its state folder) the simulator keeps its state there, so simulated Azure
 * survives a restart as Azure would. With {@code armEndpoint} and {@code armCertificate} (the PEM file
 * {@code ArmSimulator.writeCertificate} wrote) no simulator is started: the application uses the one already serving
 * there, in another process (a test keeping one simulator across worker processes it kills).
 */
@ConfigurationProperties("cmkflow.local")
public record LocalSettings(
        @Bindable(defaultValue = "5672") int serviceBusPort,
        @Bindable(defaultValue = "0") int armPort,
        @Bindable(defaultValue = "PT1S") Duration workspaceOperationDuration,
        @Nullable Path armStateFile,
        @Nullable URI armEndpoint,
        @Nullable Path armCertificate) {
}
