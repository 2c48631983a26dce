package io.cmkflow.local;

import io.cmkflow.local.arm.ArmSimulator;
import io.cmkflow.local.arm.ArmState;
import io.micronaut.context.ApplicationContext;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** README's first command, in-process: the local default provisions every valid example end to end. */
class LocalDemoTest {

    @Test
    void demoProvisionsEveryValidExampleThroughTheWholePath() throws IOException {
        Map<String, Object> ports = Map.of(
                "cmkflow.temporal.embedded-port", FreePorts.next(),
                "cmkflow.local.service-bus-port", FreePorts.next(),
                "cmkflow.local.workspace-operation-duration", "PT0.2S");
        ByteArrayOutputStream printed = new ByteArrayOutputStream();

        try (ApplicationContext context = ApplicationContext.builder().deduceEnvironment(false).properties(ports).start()) {
            int exitCode = context.getBean(LocalDemo.class).run(Path.of("workflows/cmk-workspace/examples/valid"),
                    Duration.ofMinutes(2), new PrintStream(printed, true, StandardCharsets.UTF_8));

            String output = printed.toString(StandardCharsets.UTF_8);
            assertThat(exitCode).as(output).isZero();
            assertThat(output).contains("demo: all 3 requests succeeded");
            for (String requestId : new String[] {"req-2026-0001", "req-2026-0002", "req-2026-0003"}) {
                assertThat(output).contains(requestId + "    accepted").contains(requestId + "    succeeded");
            }
            ArmState azure = context.getBean(ArmSimulator.class).state();
            assertThat(azure.workspaces()).extracting(ArmState.WorkspaceView::name)
                    .containsExactlyInAnyOrder("mlw-research-cmk", "mlw-gov-hsm", "mlw-uai-cmk");
            assertThat(azure.managedResourceGroups()).hasSize(3);
            // The user-assigned identity example works only because step 4 granted the seeded identity key access.
            ArmState.VaultView uaiVault = azure.vaults().stream().filter(v -> v.name().equals("kv-uai-cmk")).findFirst().orElseThrow();
            assertThat(uaiVault.accessPolicies()).anySatisfy(p -> {
                assertThat(p.objectId()).isEqualTo(LocalDemo.EXAMPLE_IDENTITY_PRINCIPAL);
                assertThat(p.keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
            });
            assertThat(azure.refusedDeletes()).isEmpty();
        }
    }

}
