package io.cmkflow.crash;

import io.cmkflow.contract.CmkRequest;
import io.cmkflow.standins.arm.ArmState;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.workflow.CmkRunState;
import io.cmkflow.workflow.CmkStatus;

import java.util.List;
import java.util.Locale;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** The crash tests' requests and what a run that survived a crash must have left in the ARM simulator. */
final class CrashChecks {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String GROUP = "rg-crash";

    private CrashChecks() {
    }

    static void assertSucceededCleanly(CmkStack stack, CmkRequest request, CmkRunState state) {
        assertThat(state.status()).isEqualTo(CmkStatus.Succeeded);
        ArmState azure = stack.arm().state();
        String vault = request.keyVault().name();
        assertThat(azure.vaults()).filteredOn(v -> v.name().equals(vault)).as("one vault").hasSize(1);
        assertThat(successful(journal(stack, "Vaults_CreateOrUpdate", vault))).as("the vault created once").hasSize(1);
        String vaultId = azure.vault(request.subscriptionId(), GROUP, vault).orElseThrow().id();
        assertThat(azure.key(vaultId, request.key().name())).hasValueSatisfying(key ->
                assertThat(key.versionCount()).as("no second key version").isEqualTo(1));
        assertThat(azure.workspaces()).filteredOn(w -> w.name().equals(request.workspace().name())).as("one workspace")
                .singleElement().satisfies(w -> assertThat(w.provisioningState()).isEqualTo("Succeeded"));
        assertThat(azure.softDeletedWorkspaces()).noneMatch(w -> w.name().equals(request.workspace().name()));
        List<ArmState.ResourceView> resources = azure.resourcesIn(request.subscriptionId(), GROUP);
        assertThat(resources.stream().map(r -> r.type().toLowerCase(Locale.ROOT)).toList())
                .as("nothing orphaned: one resource of each type in the group: " + resources).doesNotHaveDuplicates();
        assertNothingTouchedInManagedGroups(stack);
    }

    static void assertNothingTouchedInManagedGroups(CmkStack stack) {
        ArmState azure = stack.arm().state();
        assertThat(azure.refusedDeletes()).isEmpty();
        List<String> managed = azure.managedResourceGroups().stream().map(g -> g.name().toLowerCase(Locale.ROOT)).toList();
        assertThat(stack.arm().journal().entries()).filteredOn(e -> e.method().equals("DELETE"))
                .noneMatch(e -> managed.stream().anyMatch(g -> e.path().toLowerCase(Locale.ROOT).contains("/resourcegroups/" + g)));
    }

    /** Journal entries of {@code operation} whose path names {@code resourceName} (a path segment). */
    static List<JournalEntry> journal(CmkStack stack, String operation, String resourceName) {
        String wanted = "/" + resourceName.toLowerCase(Locale.ROOT);
        return stack.arm().journal().byOperation(operation).stream()
                .filter(e -> {
                    String path = e.path().toLowerCase(Locale.ROOT);
                    return path.contains(wanted + "/") || path.endsWith(wanted);
                }).toList();
    }

    static List<JournalEntry> successful(List<JournalEntry> entries) {
        return entries.stream().filter(e -> e.status() >= 200 && e.status() < 300).toList();
    }

    static CmkRequest request(String name, int n) {
        String subscription = String.format("00000000-0000-4000-8000-0000000c7a%02d", n);
        return new CmkRequest("req-crash-" + name, subscription, TENANT, CmkRequest.AZURE_CLOUD, GROUP, "westeurope",
                new CmkRequest.Workspace("mlw-crash-" + name, null, false, null, null, null, null),
                new CmkRequest.KeyVault("kv-crash-" + name, null, "standard", 7, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"), Map.of());
    }
}
