package io.cmkflow;

import io.cmkflow.azure.ArmConnection;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.local.LocalStandIns;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.arm.SimulatedDirectory;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;

/**
 * {@code cmkflow serve} against an ARM simulator served elsewhere ({@link SimulatorConnectionSettings}): the compose
 * stack's default, so it runs without an Azure account. Only asked for explicitly ({@code cmkflow.azure.mode=simulator}
 * with an endpoint); {@link ServeSettingsCheck} refuses the mode without one.
 */
@Factory
@Requires(notEnv = {LocalStandIns.DEV_ENVIRONMENT, "test"})
@Requires(property = "cmkflow.azure.mode", value = "simulator")
@Requires(property = "cmkflow.azure.simulator.endpoint")
public class ServeArmSimulator {

    @Singleton
    ArmConnection simulatorConnection(SimulatorConnectionSettings settings) {
        return ArmConnection.simulator(ArmSimulator.azureEnvironment(settings.endpoint()),
                ArmSimulator.trusting(settings.certificate()), SimulatedDirectory::credential);
    }

    @Singleton
    PollingPolicy simulatorPacing() {
        return LocalStandIns.SIMULATOR_PACING;
    }
}
