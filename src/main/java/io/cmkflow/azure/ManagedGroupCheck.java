package io.cmkflow.azure;

import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.resources.fluent.ResourcesClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceExpandedInner;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedGroupOutcome;
import io.cmkflow.contract.WorkspaceOutcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Step 6, strictly read-only: the workspace's Microsoft-managed resource group (named by the workspace's
 * {@code serviceProvisionedResourceGroup}, never guessed) exists and holds the Cosmos DB account, storage account and
 * AI Search service that the CMK encrypts. Polls until they are all there or the deadline passes.
 */
public final class ManagedGroupCheck {

    static final String COSMOS = "Microsoft.DocumentDB/databaseAccounts";
    static final String STORAGE = "Microsoft.Storage/storageAccounts";
    static final String SEARCH = "Microsoft.Search/searchServices";

    private final AzureClients clients;
    private final PollingPolicy polling;

    public ManagedGroupCheck(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.polling = polling;
    }

    public ManagedGroupOutcome verify(CmkRequest request, WorkspaceOutcome workspace, Runnable heartbeat) {
        return AzureStepException.classifying(() -> verifyInAzure(request, workspace, heartbeat));
    }

    private ManagedGroupOutcome verifyInAzure(CmkRequest request, WorkspaceOutcome workspace, Runnable heartbeat) {
        AzureResourceManager azure = clients.forRequest(request);
        ResourcesClient resources = azure.genericResources().manager().serviceClient().getResources();
        String workspaceId = workspace.workspaceId();
        if (request.workspace().serviceSide()) {
            return verifyServiceSide(resources.getById(workspaceId, WorkspaceStep.ML_API_VERSION));
        }
        // The first look uses the group step 5 read from the workspace; later ones read the workspace again.
        String[] known = {workspace.serviceProvisionedResourceGroup()};
        return polling.await("the managed resource group of " + workspaceId + " and its CMK resources", heartbeat, () -> {
            String value = known[0] != null ? known[0]
                    : ResourceProperties.string(resources.getById(workspaceId, WorkspaceStep.ML_API_VERSION), "serviceProvisionedResourceGroup");
            known[0] = null;
            if (value == null) {
                return Optional.empty();
            }
            String group = WorkspaceStep.groupName(value);
            clients.managedGroups().remember(request.subscriptionId(), group, workspaceId);
            // The group and its contents are read at the same time; a group that is not there yet has no contents either.
            Concurrently.Both<Optional<ResourceGroupInner>, List<GenericResourceExpandedInner>> read = Concurrently.both(
                    () -> ArmLookup.find(() -> azure.resourceGroups().manager().serviceClient().getResourceGroups().get(group)),
                    () -> ArmLookup.find(() -> {
                        List<GenericResourceExpandedInner> contents = new ArrayList<>();
                        resources.listByResourceGroup(group).forEach(contents::add);
                        return contents;
                    }).orElse(List.of()));
            Optional<ResourceGroupInner> rg = read.first();
            if (rg.isEmpty()) {
                return Optional.empty();
            }
            List<GenericResourceExpandedInner> contents = read.second();
            Optional<String> cosmos = firstOfType(contents, COSMOS);
            Optional<String> storage = firstOfType(contents, STORAGE);
            Optional<String> search = firstOfType(contents, SEARCH);
            if (cosmos.isEmpty() || storage.isEmpty() || search.isEmpty()) {
                return Optional.empty();
            }
            return Optional.of(new ManagedGroupOutcome(group, rg.get().id(), cosmos.get(), storage.get(), search.get()));
        });
    }

    /**
     * Service-side mode keeps the metadata in Microsoft's own stores: the workspace must report the mode, and a
     * managed resource group appearing means it runs in the classic mode after all (its data in the subscription).
     */
    private static ManagedGroupOutcome verifyServiceSide(GenericResourceInner workspace) {
        String group = ResourceProperties.string(workspace, "serviceProvisionedResourceGroup");
        boolean mode = "true".equalsIgnoreCase(ResourceProperties.string(workspace, WorkspaceDefinition.SERVICE_SIDE_ENCRYPTION));
        if (!mode || group != null) {
            throw new AzureStepException(AzureFailure.nonRetryable("ServiceSideModeMissing", "workspace " + workspace.id()
                    + " was created for service-side CMK encryption but reports " + WorkspaceDefinition.SERVICE_SIDE_ENCRYPTION
                    + "=" + mode + (group == null ? "" : " and managed resource group " + group)));
        }
        return ManagedGroupOutcome.SERVICE_SIDE;
    }

    private static Optional<String> firstOfType(List<GenericResourceExpandedInner> resources, String type) {
        return resources.stream().filter(r -> type.equalsIgnoreCase(r.type())).map(GenericResourceExpandedInner::id).findFirst();
    }
}
