package io.cmkflow.local;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import io.cmkflow.azure.ArmConnection;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.arm.SimulatedDirectory;
import io.cmkflow.local.arm.ArmSimulatorOptions;
import io.cmkflow.local.servicebus.EmulatorConfig;
import io.cmkflow.local.servicebus.ServiceBusStandIn;
import io.cmkflow.local.servicebus.StandInOptions;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * Dev mode's stand-ins (environment {@code dev}, and {@code test}); {@code cmkflow serve} never loads them. The ARM
 * simulator serves unless {@code cmkflow.azure.mode=azure} or {@code cmkflow.local.arm-endpoint} names one already
 * running; the Service Bus stand-in unless a namespace or connection string is set.
 */
@Factory
@Requires(env = {LocalStandIns.DEV_ENVIRONMENT, "test"})
public class LocalStandIns {
    /** The Micronaut environment of {@code cmkflow dev} (and {@code cmkflow demo}). */
    public static final String DEV_ENVIRONMENT = "dev";
    /** Set: use the ARM simulator already serving there instead of starting one. */
    public static final String ARM_ENDPOINT = "cmkflow.local.arm-endpoint";

    private static final Logger log = LoggerFactory.getLogger(LocalStandIns.class);

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(property = "cmkflow.azure.mode", value = "simulator", defaultValue = "simulator")
    @Requires(missingProperty = ARM_ENDPOINT)
    ArmSimulator armSimulator(LocalSettings settings) {
        ArmSimulator simulator = ArmSimulator.start(ArmSimulatorOptions.defaults()
                .withPort(settings.armPort())
                .withAutoCreateResourceGroups(true)
                .withWorkspaceOperationDuration(settings.workspaceOperationDuration())
                .withStateFile(settings.armStateFile()));
        log.info("ARM simulator serving {} (dev mode: no Azure account used)", simulator.endpoint());
        return simulator;
    }

    @Singleton
    @Requires(beans = ArmSimulator.class)
    ArmConnection simulatedArm(ArmSimulator simulator) {
        return ArmConnection.simulator(simulator.azureEnvironment(), simulator.sslContext(),
                SimulatedDirectory::credential);
    }

    /** The ARM simulator already serving at {@code cmkflow.local.arm-endpoint}, trusted through {@code arm-certificate}. */
    @Singleton
    @Requires(property = "cmkflow.azure.mode", value = "simulator", defaultValue = "simulator")
    @Requires(property = ARM_ENDPOINT)
    ArmConnection runningSimulator(LocalSettings settings) {
        if (settings.armCertificate() == null) {
            throw new IllegalStateException(ARM_ENDPOINT + " is set without cmkflow.local.arm-certificate (the PEM file"
                    + " the simulator's certificate was written to)");
        }
        log.info("Using the ARM simulator already serving {} (dev mode: no Azure account used)", settings.armEndpoint());
        return ArmConnection.simulator(ArmSimulator.azureEnvironment(settings.armEndpoint()),
                ArmSimulator.trusting(settings.armCertificate()), SimulatedDirectory::credential);
    }

    /** The simulator answers in milliseconds, so its operations are polled far faster than real ARM ones. */
    public static final PollingPolicy SIMULATOR_PACING =
            new PollingPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMinutes(5));

    @Singleton
    @Requires(beans = ArmSimulator.class)
    PollingPolicy simulatorPacing() {
        return SIMULATOR_PACING;
    }

    @Singleton
    @Requires(property = "cmkflow.azure.mode", value = "simulator", defaultValue = "simulator")
    @Requires(property = ARM_ENDPOINT)
    PollingPolicy runningSimulatorPacing() {
        return SIMULATOR_PACING;
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = NoServiceBusConfigured.class)
    ServiceBusStandIn serviceBusStandIn(LocalSettings settings) {
        ServiceBusStandIn standIn = ServiceBusStandIn.start(StandInOptions.builder()
                .port(settings.serviceBusPort())
                .config(EmulatorConfig.loadDefault())
                .sharedAccessKey(StandInOptions.EMULATOR_KEY_NAME, StandInOptions.EMULATOR_KEY_VALUE)
                .build());
        log.info("Service Bus stand-in listening on localhost:{} (emulator connection string accepted)", standIn.port());
        return standIn;
    }

    @Primary
    @Singleton
    @Requires(beans = ServiceBusStandIn.class)
    ServiceBusClientBuilder standInClients(ServiceBusStandIn standIn) {
        return new ServiceBusClientBuilder().connectionString(standIn.connectionString());
    }
}
