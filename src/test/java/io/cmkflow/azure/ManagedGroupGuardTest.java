package io.cmkflow.azure;

import io.cmkflow.standins.arm.RoleDefinition;
import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.AzureCloud;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpRequest;
import com.azure.core.util.Context;
import com.azure.resourcemanager.AzureResourceManager;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.contract.ManagedGroupOutcome;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static io.cmkflow.testing.TestRequests.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

/** Every path to a DELETE in the managed group is refused before it leaves the process. */
class ManagedGroupGuardTest {

    @RegisterExtension
    // Deletes ordinary resource groups too, which cmkflow's role does not allow: the guard is under test, not the role.
    static final CmkStack azure = CmkStack.azureOnly().callerRole(RoleDefinition.owner()).requestTarget().build();
    private static ProvisionedRun run;

    @BeforeAll
    static void steps() {
        run = ProvisionedRun.of(azure, TestRequests.request("guard"), TestRequests.owner("guard"));
    }

    @BeforeEach
    void clearJournal() {
        azure.arm().journal().clear();
    }

    @Test
    void refusesEveryDeleteAimedAtTheManagedGroupOrItsResources_knownFromTheWorkspace() {
        AzureResourceManager arm = azure.clients().forRequest(run.request());
        ManagedGroupOutcome group = run.managedGroup();

        assertRefused(() -> arm.resourceGroups().deleteByName(group.resourceGroupName()), group.resourceGroupName());
        assertRefused(() -> arm.resourceGroups().beginDeleteByName(group.resourceGroupName()), group.resourceGroupName());
        assertRefused(() -> arm.genericResources().deleteById(group.cosmosDbAccountId()), group.resourceGroupName());
        assertRefused(() -> arm.genericResources().deleteById(group.searchServiceId()), group.resourceGroupName());
        assertRefused(() -> arm.storageAccounts().deleteById(group.storageAccountId()), group.resourceGroupName());
        assertRefused(() -> arm.storageAccounts().deleteByResourceGroup(group.resourceGroupName(),
                group.storageAccountId().substring(group.storageAccountId().lastIndexOf('/') + 1)), group.resourceGroupName());

        assertThat(azure.arm().journal().entries()).noneMatch(e -> "DELETE".equals(e.method()));
        assertThat(azure.arm().state().refusedDeletes()).isEmpty();
        assertThat(azure.arm().state().resourceGroup(SUBSCRIPTION, group.resourceGroupName())).isPresent();
    }

    @Test
    void aProcessThatNeverSawTheWorkspaceAsksArmForManagedByAndRefuses() {
        AzureClients cold = new AzureClients(azure.connection());
        AzureResourceManager arm = cold.resourceManager(AzureCloud.PUBLIC, TENANT, SUBSCRIPTION);
        String groupName = run.managedGroup().resourceGroupName();

        AzureStepException e = AzureStepException.class.cast(catchThrowable(() -> AzureStepException.classifying(() -> {
            arm.genericResources().deleteById(run.managedGroup().cosmosDbAccountId());
            return null;
        })));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("ManagedGroupDeleteRefused");
        assertThat(e.getMessage()).contains(groupName, run.workspace().workspaceId());
        assertThat(azure.arm().journal().entries()).noneMatch(entry -> "DELETE".equals(entry.method()));
        assertThat(azure.arm().journal().byOperation("ResourceGroups_Get")).isNotEmpty();
        assertThat(cold.managedGroups().managerOf(SUBSCRIPTION, groupName)).isEqualToIgnoringCase(run.workspace().workspaceId());
        assertThat(azure.arm().state().refusedDeletes()).isEmpty();
    }

    @Test
    void aGroupSeededWithManagedByIsRefusedToo_whileAnOrdinaryGroupCanBeDeleted() {
        AzureResourceManager arm = azure.clients().forRequest(run.request());
        arm.resourceGroups().define("rg-ordinary").withRegion(TestRequests.LOCATION).create();
        azure.arm().journal().clear();

        arm.resourceGroups().deleteByName("rg-ordinary");

        assertThat(azure.arm().journal().entries()).anyMatch(e -> "DELETE".equals(e.method()) && e.path().contains("rg-ordinary"));
        assertThat(azure.arm().state().resourceGroup(SUBSCRIPTION, "rg-ordinary")).isEmpty();
    }

    @Test
    void aHandBuiltDeleteOnTheSharedPipelineIsRefusedToo() {
        AzureResourceManager arm = azure.clients().forRequest(run.request());
        String url = azure.arm().endpoint().toString().replaceAll("/$", "") + run.managedGroup().searchServiceId()
                + "?api-version=2025-05-01";

        assertRefused(() -> arm.genericResources().manager().httpPipeline()
                .sendSync(new HttpRequest(HttpMethod.DELETE, url), Context.NONE), run.managedGroup().resourceGroupName());
        assertThat(azure.arm().journal().entries()).noneMatch(e -> "DELETE".equals(e.method()));
    }

    @Test
    void whenArmCannotSayWhetherAGroupIsManagedTheDeleteIsRefused() {
        AzureClients cold = new AzureClients(azure.connection());
        AzureResourceManager arm = cold.resourceManager(AzureCloud.PUBLIC, TENANT, SUBSCRIPTION);
        azure.arm().faults().inject(FaultRule.forOperation("ResourceGroups_Get").status(500).code("InternalServerError")
                .message("unavailable").times(5));
        try {
            AzureStepException e = AzureStepException.class.cast(catchThrowable(() -> AzureStepException.classifying(() -> {
                arm.genericResources().deleteById(run.managedGroup().storageAccountId());
                return null;
            })));

            assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.RETRYABLE);
            assertThat(e.failure().code()).isEqualTo("ManagedGroupLookupFailed");
            assertThat(azure.arm().journal().entries()).noneMatch(entry -> "DELETE".equals(entry.method()));
            assertThat(azure.arm().state().resource(run.managedGroup().storageAccountId())).isPresent();
        } finally {
            azure.arm().faults().clear();
        }
    }

    private static void assertRefused(Executable delete, String group) {
        Throwable thrown = catchThrowable(delete::execute);
        assertThat(thrown).isInstanceOf(ManagedGroupDeleteRefusedException.class);
        assertThat(((ManagedGroupDeleteRefusedException) thrown).resourceGroup()).isEqualToIgnoringCase(group);
        assertThat(thrown.getMessage()).contains("refused DELETE", "Microsoft-managed");
    }
}
