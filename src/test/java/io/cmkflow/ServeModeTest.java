package io.cmkflow;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import io.cmkflow.azure.ArmConnection;
import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.standins.arm.ArmSimulator;
import io.cmkflow.standins.arm.SimulatedDirectory;
import io.cmkflow.standins.servicebus.ServiceBusStandIn;
import io.cmkflow.request.RequestIntake;
import io.cmkflow.temporal.TemporalSettings;
import io.cmkflow.temporal.WorkerRole;
import io.micronaut.context.ApplicationContext;
import io.temporal.serviceclient.WorkflowServiceStubs;
import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;

import com.azure.core.credential.TokenRequestContext;
import com.azure.core.http.HttpHeaderName;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.util.Context;
import io.cmkflow.contract.AzureCloud;
import io.cmkflow.standins.arm.ArmSimulatorOptions;
import io.cmkflow.testing.TestRequests;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `cmkflow serve`: real endpoints only, never a stand-in; a missing or inconsistent setting stops it, named. */
class ServeModeTest {

    @Test
    void serveStartsNoStandInAndTargetsTheConfiguredEndpoints() {
        Map<String, Object> real = Map.of(
                "cmkflow.temporal.address", "temporal.example.internal:7233",
                "cmkflow.temporal.namespace", "cmk-prod",
                "cmkflow.servicebus.fully-qualified-namespace", "cmk-prod.servicebus.windows.net",
                "cmkflow.worker.enabled", "false",
                "cmkflow.intake.enabled", "false");

        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(real).start()) {
            assertThat(context.containsBean(ServiceBusStandIn.class)).isFalse();
            assertThat(context.containsBean(ArmSimulator.class)).isFalse();
            assertThat(context.containsBean(WorkerRole.class)).isFalse();
            assertThat(context.containsBean(RequestIntake.class)).isFalse();
            assertThat(context.getBean(ArmConnection.class).environment(AzureCloud.PUBLIC).getResourceManagerEndpoint())
                    .isEqualTo("https://management.azure.com/");
            assertThat(context.getBean(WorkflowServiceStubs.class).getOptions().getTarget()).isEqualTo("temporal.example.internal:7233");
            assertThat(context.getBean(TemporalSettings.class).namespace()).isEqualTo("cmk-prod");
            assertThat(context.getBean(ServiceBusClientBuilder.class)).isNotNull();
        }
    }

    @Test
    void serveWithNothingConfiguredNamesEveryMissingSetting() {
        Map<String, Object> blank = Map.of(
                "cmkflow.temporal.address", "",
                "cmkflow.servicebus.connection-string", "",
                "cmkflow.servicebus.fully-qualified-namespace", "");

        assertThatThrownBy(() -> ApplicationContext.builder().deduceEnvironment(false).properties(blank).start())
                .rootCause()
                .hasMessageContaining("cmkflow.temporal.address (TEMPORAL_ADDRESS) is not set")
                .hasMessageContaining("cmkflow.servicebus.fully-qualified-namespace (SERVICEBUS_FULLY_QUALIFIED_NAMESPACE)")
                .hasMessageContaining("cmkflow.azure.scope (CMKFLOW_AZURE_SCOPE) is empty");
    }

    @Test
    void serveRefusesAnArmEndpointWithoutItsAuthorityAndGraph_andTheSimulatorsTimeoutCap() {
        Map<String, Object> simulated = Map.of(
                "cmkflow.temporal.address", "temporal.example.internal:7233",
                "cmkflow.servicebus.fully-qualified-namespace", "cmk-prod.servicebus.windows.net",
                "cmkflow.azure.arm-endpoint", "https://management.local.azurestack.external/",
                "cmkflow.servicebus.activity-timeout-cap", "PT20S");

        assertThatThrownBy(() -> ApplicationContext.builder().deduceEnvironment(false).properties(simulated).start())
                .rootCause()
                .hasMessageContaining("cmkflow.azure.arm-endpoint (CMKFLOW_AZURE_ARM_ENDPOINT) is set without"
                        + " cmkflow.azure.authority-host (CMKFLOW_AZURE_AUTHORITY_HOST) and cmkflow.azure.graph-endpoint")
                .hasMessageContaining("cmkflow.servicebus.activity-timeout-cap is set (PT20S)")
                .hasMessageNotContaining("cmkflow.temporal.address");
    }

    @Test
    void serveRefusesAnEmptyAuthorizationScopeAndTheDevModeEverything() {
        Map<String, Object> noScope = Map.of(
                "cmkflow.temporal.address", "temporal.example.internal:7233",
                "cmkflow.servicebus.fully-qualified-namespace", "cmk-prod.servicebus.windows.net",
                "cmkflow.azure.scope", "");
        Map<String, Object> everything = new HashMap<>(noScope);
        everything.put("cmkflow.azure.scope", "*");

        assertThatThrownBy(() -> ApplicationContext.builder().deduceEnvironment(false).properties(noScope).start())
                .rootCause()
                .hasMessageContaining("cmkflow.azure.scope (CMKFLOW_AZURE_SCOPE) is empty")
                .hasMessageNotContaining("cmkflow.azure.arm-endpoint");
        assertThatThrownBy(() -> ApplicationContext.builder().deduceEnvironment(false).properties(everything).start())
                .rootCause()
                .hasMessageContaining("cmkflow.azure.scope (CMKFLOW_AZURE_SCOPE) is '*' (everything): that is for `cmkflow dev`");
    }

    @Test
    void serveWithAScopeStartsAndChecksRequestsAgainstIt() {
        Map<String, Object> scoped = Map.of(
                "cmkflow.temporal.address", "temporal.example.internal:7233",
                "cmkflow.servicebus.fully-qualified-namespace", "cmk-prod.servicebus.windows.net",
                "cmkflow.azure.scope", "AzureCloud/72f988bf-86f1-41af-91ab-2d7cd011db47/00000000-1111-2222-3333-444444444444/rg-ml-*,"
                        + "AzureUSGovernment/72f988bf-86f1-41af-91ab-2d7cd011db47/*/rg-gov",
                "cmkflow.worker.enabled", "false",
                "cmkflow.intake.enabled", "false");

        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(scoped).start()) {
            assertThat(context.getBean(AuthorizationScope.class).grants()).extracting(AuthorizationScope.Grant::resourceGroupPattern)
                    .containsExactly("rg-ml-*", "rg-gov");
        }
    }

    @Test
    void serveReachesAnArmEndpointOfItsOwnThroughOrdinarySettings_theSimulatorAnotherProcessServes(@TempDir Path dir)
            throws Exception {
        try (ArmSimulator served = ArmSimulator.start(ArmSimulatorOptions.defaults())) {
            Path certificate = served.writeCertificate(dir.resolve("arm-simulator.pem"));
            Map<String, Object> compose = Map.of(
                    "cmkflow.temporal.address", "temporal.example.internal:7233",
                    "cmkflow.servicebus.connection-string", "Endpoint=sb://servicebus;SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;",
                    "cmkflow.azure.arm-endpoint", served.endpoint().toString(),
                    "cmkflow.azure.authority-host", served.endpoint().toString(),
                    "cmkflow.azure.graph-endpoint", served.endpoint().toString(),
                    "cmkflow.azure.trusted-certificate", certificate.toString(),
                    "cmkflow.azure.client-id", SimulatedDirectory.CALLER_APPLICATION_ID,
                    "cmkflow.azure.client-secret", SimulatedDirectory.CALLER_CLIENT_SECRET,
                    "cmkflow.worker.enabled", "false",
                    "cmkflow.intake.enabled", "false");

            try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(compose).start()) {
                assertThat(context.containsBean(ArmSimulator.class)).isFalse();
                ArmConnection arm = context.getBean(ArmConnection.class);
                String resourceManager = arm.environment(AzureCloud.PUBLIC).getResourceManagerEndpoint();
                assertThat(resourceManager).isEqualTo(served.endpoint().toString());
                // Over TLS, trusting the certificate file, with ClientSecretCredential's token from the simulator's token
                // endpoint (as from Entra ID): the simulator answers and journals the ARM call.
                String token = arm.credential(AzureCloud.PUBLIC, TestRequests.TENANT)
                        .getTokenSync(new TokenRequestContext().addScopes(resourceManager + ".default")).getToken();
                HttpResponse response = arm.httpClient().sendSync(new HttpRequest(HttpMethod.GET,
                        resourceManager + "subscriptions/" + TestRequests.SUBSCRIPTION + "/resourcegroups/rg-none?api-version=2021-04-01")
                        .setHeader(HttpHeaderName.AUTHORIZATION, "Bearer " + token), Context.NONE);
                assertThat(response.getStatusCode()).isEqualTo(404);
                assertThat(served.journal().byOperation("ResourceGroups_Get")).hasSize(1);
            }
        }
    }

    @Test
    void serveRefusesAClientCertificateWithoutItsKey() {
        Map<String, Object> halfTls = Map.of(
                "cmkflow.temporal.address", "my-ns.a1b2c.tmprl.cloud:7233",
                "cmkflow.temporal.tls-cert-path", "/certs/client.pem",
                "cmkflow.servicebus.fully-qualified-namespace", "cmk-prod.servicebus.windows.net");

        assertThatThrownBy(() -> ApplicationContext.builder().deduceEnvironment(false).properties(halfTls).start())
                .rootCause()
                .hasMessageContaining("cmkflow.temporal.tls-cert-path (TEMPORAL_TLS_CLIENT_CERT_PATH) and cmkflow.temporal.tls-key-path")
                .hasMessageNotContaining("cmkflow.azure.arm-endpoint");
    }
}
