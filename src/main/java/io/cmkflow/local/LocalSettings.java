package io.cmkflow.local;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.bind.annotation.Bindable;

import java.time.Duration;

/**
 * The in-process stand-ins of dev mode. The Service Bus stand-in listens on the emulator's port so tools
 * written for the official emulator reach it unchanged; the ARM simulator takes any free port (only cmkflow calls it).
 */
@ConfigurationProperties("cmkflow.local")
public record LocalSettings(
        @Bindable(defaultValue = "5672") int serviceBusPort,
        @Bindable(defaultValue = "0") int armPort,
        @Bindable(defaultValue = "PT1S") Duration workspaceOperationDuration) {
}
