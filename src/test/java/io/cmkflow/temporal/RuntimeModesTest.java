package io.cmkflow.temporal;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import io.cmkflow.azure.ArmConnection;
import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.servicebus.ServiceBusStandIn;
import io.cmkflow.request.RequestIntake;
import io.micronaut.context.ApplicationContext;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Configuration decides what runs: real endpoints start no stand-in; each role can be switched off. */
class RuntimeModesTest {

    @Test
    void realModeStartsNoStandInAndTargetsTheConfiguredEndpoints() {
        Map<String, Object> real = Map.of(
                "cmkflow.temporal.address", "temporal.example.internal:7233",
                "cmkflow.temporal.namespace", "cmk-prod",
                "cmkflow.servicebus.fully-qualified-namespace", "cmk-prod.servicebus.windows.net",
                "cmkflow.azure.mode", "azure",
                "cmkflow.worker.enabled", "false",
                "cmkflow.intake.enabled", "false");

        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(real).start()) {
            assertThat(context.containsBean(EmbeddedTemporalServer.class)).isFalse();
            assertThat(context.containsBean(ServiceBusStandIn.class)).isFalse();
            assertThat(context.containsBean(ArmSimulator.class)).isFalse();
            assertThat(context.containsBean(WorkerRole.class)).isFalse();
            assertThat(context.containsBean(RequestIntake.class)).isFalse();
            assertThat(context.getBean(ArmConnection.class).simulated()).isFalse();
            assertThat(context.getBean(WorkflowServiceStubs.class).getOptions().getTarget()).isEqualTo("temporal.example.internal:7233");
            assertThat(context.getBean(TemporalSettings.class).namespace()).isEqualTo("cmk-prod");
            assertThat(context.getBean(ServiceBusClientBuilder.class)).isNotNull();
        }
    }

    @Test
    void emptyEnvironmentValuesMeanTheLocalDefault() {
        Map<String, Object> blank = Map.of(
                "cmkflow.temporal.address", "",
                "cmkflow.servicebus.connection-string", "",
                "cmkflow.servicebus.fully-qualified-namespace", "",
                "cmkflow.temporal.embedded-port", "0",
                "cmkflow.local.service-bus-port", "0",
                "cmkflow.worker.enabled", "false",
                "cmkflow.intake.enabled", "false");

        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(blank).start()) {
            assertThat(context.containsBean(EmbeddedTemporalServer.class)).isTrue();
            assertThat(context.containsBean(ServiceBusStandIn.class)).isTrue();
            assertThat(context.getBean(ArmConnection.class).simulated()).isTrue();
        }
    }
}
