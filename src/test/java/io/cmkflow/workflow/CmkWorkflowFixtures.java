package io.cmkflow.workflow;

import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.KeyAccessOutcome;
import io.cmkflow.contract.KeyOutcome;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.ProviderRegistration;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.contract.WorkspaceOutcome;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.testing.TestRequests;

import org.mockito.ArgumentMatchers;
import org.mockito.Mockito;
import org.mockito.stubbing.Stubber;
import org.mockito.verification.VerificationMode;

import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** A request and the outcomes a fully successful run's activities report, shared by the workflow tests. */
final class CmkWorkflowFixtures {

    static final String SUBSCRIPTION = "5D7E2C1A-0000-4000-8000-00000000ABCD";
    static final String RESOURCE_GROUP = "rg-ML-Prod";
    static final String WORKSPACE_NAME = "ws-Cmk";
    static final String RG_ID = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + RESOURCE_GROUP;
    static final String VAULT_ID = RG_ID + "/providers/Microsoft.KeyVault/vaults/kv-cmk";
    static final String KEY_ID = VAULT_ID + "/keys/cmk-key";
    static final String KEY_URL = "https://kv-cmk.vault.azure.net/keys/cmk-key";
    static final String KEY_URL_VERSION = KEY_URL + "/0a1b2c3d4e5f";
    static final String WORKSPACE_ID = RG_ID + "/providers/Microsoft.MachineLearningServices/workspaces/ws-Cmk";
    static final String STORAGE_ID = RG_ID + "/providers/Microsoft.Storage/storageAccounts/stwscmk";
    static final String INSIGHTS_ID = RG_ID + "/providers/Microsoft.Insights/components/ai-ws-cmk";
    static final String LOGS_ID = RG_ID + "/providers/Microsoft.OperationalInsights/workspaces/ws-cmk-logs";
    static final String MANAGED_GROUP = "azureml-rg-ws-cmk_0d9c8b7a";
    static final String MANAGED_GROUP_ID = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/" + MANAGED_GROUP;

    private CmkWorkflowFixtures() {
    }

    static CmkRequest request(String requestId) {
        return request(requestId, 3072);
    }

    /** The suite's one request factory, with the target these scenarios (and their recorded histories) use. */
    static CmkRequest request(String requestId, int keySize) {
        return TestRequests.copy(TestRequests.request("workflow")).requestId(requestId).subscriptionId(SUBSCRIPTION)
                .tenantId("72f988bf-0000-4000-8000-000000000001").cloud(CmkRequest.AZURE_CLOUD)
                .resourceGroup(RESOURCE_GROUP).location("westeurope")
                .workspace(new CmkRequest.Workspace(WORKSPACE_NAME, "CMK workspace", true, null, null, null, null))
                .vault(new CmkRequest.KeyVault("kv-cmk", null, "standard", 90, false))
                .key(new CmkRequest.Key("cmk-key", keySize, "RSA"))
                .tags(Map.of("costCenter", "4711")).build();
    }

    static ProviderRegistration providers() {
        return new ProviderRegistration(List.of("Microsoft.MachineLearningServices", "Microsoft.Storage",
                "Microsoft.KeyVault", "Microsoft.DocumentDB", "Microsoft.Search"), List.of("Microsoft.Search"));
    }

    static VaultOutcome vault(VaultOutcome.Disposition disposition) {
        return new VaultOutcome(VAULT_ID, "kv-cmk", RESOURCE_GROUP, "https://kv-cmk.vault.azure.net/", "westeurope", false, disposition);
    }

    static KeyOutcome key(boolean created) {
        return new KeyOutcome(KEY_ID, "cmk-key", KEY_URL, KEY_URL_VERSION, created);
    }

    static KeyAccessOutcome grant(boolean alreadyPresent) {
        return new KeyAccessOutcome(VAULT_ID, AzureCloud.PUBLIC.cosmosDbApplicationId(),
                KeyAccessOutcome.Mode.ACCESS_POLICY, alreadyPresent, null);
    }

    static WorkspaceOutcome workspace() {
        return new WorkspaceOutcome(WORKSPACE_ID, true, "Succeeded", STORAGE_ID, true, INSIGHTS_ID, true, LOGS_ID, true, MANAGED_GROUP);
    }

    static ManagedGroupOutcome managedGroup() {
        return new ManagedGroupOutcome(MANAGED_GROUP, MANAGED_GROUP_ID,
                MANAGED_GROUP_ID + "/providers/Microsoft.DocumentDB/databaseAccounts/cosmos1",
                MANAGED_GROUP_ID + "/providers/Microsoft.Storage/storageAccounts/st1",
                MANAGED_GROUP_ID + "/providers/Microsoft.Search/searchServices/search1");
    }

    /** The step's activity method on {@link ProvisioningActivities}: the constant's name in lower camel case. */
    static String activityName(CmkStep step) {
        StringBuilder name = new StringBuilder();
        for (String word : step.name().toLowerCase(Locale.ROOT).split("_")) {
            name.append(name.length() == 0 ? word : Character.toUpperCase(word.charAt(0)) + word.substring(1));
        }
        return name.toString();
    }

    /** Stubs {@code step}'s activity on {@code provisioning} (a mock) with {@code stubber}, for any arguments. */
    static void onStep(ProvisioningActivities provisioning, CmkStep step, Stubber stubber) {
        callWithAnyArguments(stubber.when(provisioning), step);
    }

    /** Verifies {@code step}'s activity was called on {@code provisioning} (a mock) as {@code mode} says, with any arguments. */
    static void verifyStep(ProvisioningActivities provisioning, CmkStep step, VerificationMode mode) {
        callWithAnyArguments(Mockito.verify(provisioning, mode), step);
    }

    private static void callWithAnyArguments(ProvisioningActivities target, CmkStep step) {
        Method activity = Arrays.stream(ProvisioningActivities.class.getMethods())
                .filter(m -> m.getName().equals(activityName(step))).findFirst().orElseThrow();
        Object[] any = new Object[activity.getParameterCount()];
        for (int i = 0; i < any.length; i++) {
            any[i] = ArgumentMatchers.any();
        }
        try {
            activity.invoke(target, any);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
    }

    /** What a successful run's step reports. */
    static Object outcome(CmkStep step) {
        return switch (step) {
            case REGISTER_RESOURCE_PROVIDERS -> providers();
            case CREATE_KEY_VAULT -> vault(VaultOutcome.Disposition.CREATED);
            case CREATE_KEY -> key(true);
            case GRANT_COSMOS_DB_KEY_ACCESS -> grant(false);
            case CREATE_WORKSPACE -> workspace();
            case VERIFY_MANAGED_RESOURCE_GROUP -> managedGroup();
            case READ_WORKSPACE_KEY, CHECK_KEY_ACCESS, CREATE_KEY_VERSION, CHANGE_WORKSPACE_KEY, READ_WORKSPACE_VAULT,
                 RESTORE_KEY_ACCESS, CHECK_WORKSPACE, DECOMMISSION_WORKSPACE, AWAIT_MANAGED_GROUP_REMOVAL,
                 DELETE_CREATED_RESOURCES -> throw new IllegalArgumentException("a create's fixtures have no outcome of step " + step
                    + " of " + step.operation().wireName());
        };
    }
}
