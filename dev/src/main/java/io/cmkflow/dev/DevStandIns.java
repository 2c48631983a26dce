package io.cmkflow.dev;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import io.cmkflow.azure.ArmConnection;
import io.cmkflow.azure.AzureConnectionSettings;
import io.cmkflow.azure.PollingPolicy;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.standins.arm.VaultSeed;
import io.cmkflow.standins.servicebus.EmulatorConfig;
import io.cmkflow.standins.servicebus.ServiceBusStandIn;
import io.cmkflow.standins.servicebus.StandInOptions;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Dev mode's beans (environment {@code dev}); the product never loads them. The ARM simulator serves unless
 * {@code cmkflow.azure.arm-endpoint} names an ARM endpoint already, and the application reaches it as it reaches any
 * ARM endpoint of its own: {@link AzureConnectionSettings} with the simulator as ARM, authority and Graph, its
 * certificate trusted, the simulated application's client secret (a token from the simulator's Entra-like endpoint).
 * The Service Bus stand-in serves unless a namespace or connection string is set. Azure calls are polled at the
 * simulator's pace.
 */
@Factory
@Requires(env = DevStandIns.DEV_ENVIRONMENT)
public class DevStandIns {
    /** The Micronaut environment of {@code cmkflow dev} (and {@code cmkflow demo}). */
    public static final String DEV_ENVIRONMENT = "dev";
    private static final String ARM_ENDPOINT = "cmkflow.azure.arm-endpoint";

    /** The simulator answers in milliseconds, so its operations are polled far faster than real ARM ones. */
    public static final PollingPolicy SIMULATOR_PACING =
            new PollingPolicy(Duration.ofMillis(50), Duration.ofMillis(500), Duration.ofMinutes(5));

    private static final Logger log = LoggerFactory.getLogger(DevStandIns.class);

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(missingProperty = ARM_ENDPOINT)
    ArmSimulator armSimulator(DevSettings settings) {
        ArmSimulator simulator = ArmSimulator.start(ArmSimulatorOptions.defaults()
                .withPort(settings.armPort())
                .withAutoCreateResourceGroups(true)
                .withWorkspaceOperationDuration(settings.workspaceOperationDuration())
                .withStateFile(settings.armStateFile())
                .withCallerRole(LeastPrivilegeRole.load()));
        log.info("ARM simulator serving {} (dev mode: no Azure account used)", simulator.endpoint());
        return simulator;
    }

    @Primary
    @Singleton
    @Requires(beans = ArmSimulator.class)
    ArmConnection simulatorConnection(ArmSimulator simulator, DevSettings settings) {
        Path certificate;
        try {
            certificate = settings.armStateFile() != null
                    ? settings.armStateFile().resolveSibling("arm-simulator.pem")
                    : Files.createTempFile("arm-simulator", ".pem");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        simulator.writeCertificate(certificate);
        return new ArmConnection(new AzureConnectionSettings(simulator.endpoint(), simulator.endpoint(),
                simulator.endpoint(), certificate, VaultSeed.DEFAULT_TENANT, SimulatedDirectory.CALLER_APPLICATION_ID,
                SimulatedDirectory.CALLER_CLIENT_SECRET, false));
    }

    @Primary
    @Singleton
    PollingPolicy simulatorPacing() {
        return SIMULATOR_PACING;
    }

    @Singleton
    @Bean(preDestroy = "close")
    @Requires(condition = NoServiceBusConfigured.class)
    ServiceBusStandIn serviceBusStandIn(DevSettings settings) {
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
