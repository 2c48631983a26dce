package io.cmkflow.azure;

import com.azure.core.management.polling.PollResult;
import com.azure.core.util.polling.SyncPoller;
import com.azure.resourcemanager.AzureResourceManager;
import com.azure.resourcemanager.resources.fluent.ResourcesClient;
import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;
import com.azure.resourcemanager.storage.fluent.models.StorageAccountInner;
import com.azure.resourcemanager.storage.models.Kind;
import com.azure.resourcemanager.storage.models.MinimumTlsVersion;
import com.azure.resourcemanager.storage.models.Sku;
import com.azure.resourcemanager.storage.models.SkuName;
import com.azure.resourcemanager.storage.models.StorageAccount;
import com.azure.resourcemanager.storage.models.StorageAccountCreateParameters;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Ownership;
import io.cmkflow.contract.UndoOutcome;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static io.cmkflow.azure.WorkspaceStep.INSIGHTS_API_VERSION;
import static io.cmkflow.azure.WorkspaceStep.LOGS_API_VERSION;

/**
 * The workspace's storage account and Application Insights: the ones the request gives by id, or else ones created
 * under {@link WorkspaceStep}'s deterministic names with this run's tags, so a rerun finds them and undo deletes
 * only what carries those tags (never a given one). An Application Insights the run creates is workspace-based: its
 * data goes to a Log Analytics workspace the run creates beside it. Classic Application Insights is retired; a
 * component created without {@code WorkspaceResourceId} makes Azure create a Log Analytics workspace of its own in a
 * new resource group, which no undo would know of.
 */
final class AssociatedResources {

    record Associated(String id, boolean created) {
    }

    /** Application Insights and the Log Analytics workspace behind it (null when the request gives its own component). */
    record Insights(Associated component, Associated logs) {
    }

    private final AzureResourceManager azure;
    private final ResourcesClient resources;
    private final PollingPolicy polling;

    AssociatedResources(AzureResourceManager azure, PollingPolicy polling) {
        this.azure = azure;
        this.resources = azure.genericResources().manager().serviceClient().getResources();
        this.polling = polling;
    }

    Associated ensureStorage(CmkRequest request, Ownership owner, PreexistingResources preexisting, Runnable heartbeat) {
        String given = request.workspace().storageAccountId();
        if (given != null) {
            // The request's subscription (RequestRules: same subscription); the URL is built from the checked segments.
            ArmResourceId id = ArmResourceId.parse(given).orElseThrow();
            StorageAccount account = ArmLookup.find(() -> azure.storageAccounts().getByResourceGroup(id.resourceGroup(), id.name()))
                    .orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable("StorageAccountNotFound",
                            "workspace.storageAccountId " + given + " does not exist")));
            return new Associated(account.id(), false);
        }
        String name = WorkspaceStep.storageAccountName(request);
        Optional<StorageAccount> existing = ArmLookup.find(() ->
                azure.storageAccounts().getByResourceGroup(request.resourceGroup(), name));
        if (existing.isPresent()) {
            return found(existing.get().id(), existing.get().tags(), owner, preexisting);
        }
        // The storage module's inner client, so the long-running create is polled (and heartbeats) at this step's pace.
        SyncPoller<PollResult<StorageAccountInner>, StorageAccountInner> poller = azure.storageAccounts().manager()
                .serviceClient().getStorageAccounts().beginCreate(request.resourceGroup(), name,
                        new StorageAccountCreateParameters()
                                .withSku(new Sku().withName(SkuName.STANDARD_LRS))
                                .withKind(Kind.STORAGE_V2)
                                .withLocation(request.location())
                                .withTags(owner.tagsWith(request.tags()))
                                .withEnableHttpsTrafficOnly(true)
                                .withMinimumTlsVersion(MinimumTlsVersion.TLS1_2)
                                .withAllowBlobPublicAccess(false));
        polling.awaitCompletion("storage account " + name, heartbeat, poller);
        return new Associated(poller.getFinalResult().id(), true);
    }

    Insights ensureInsights(CmkRequest request, Ownership owner, PreexistingResources preexisting, Runnable heartbeat) {
        String given = request.workspace().applicationInsightsId();
        if (given != null) {
            String id = ArmResourceId.parse(given).orElseThrow().id();
            GenericResourceInner component = ArmLookup.find(() -> resources.getById(id, INSIGHTS_API_VERSION))
                    .orElseThrow(() -> new AzureStepException(AzureFailure.nonRetryable("ApplicationInsightsNotFound",
                            "workspace.applicationInsightsId " + given + " does not exist")));
            return new Insights(new Associated(component.id(), false), null);
        }
        Associated logs = ensureLogs(request, owner, preexisting, heartbeat);
        GenericResourceInner component = new GenericResourceInner().withKind("web")
                .withProperties(Map.of("Application_Type", "web", "WorkspaceResourceId", logs.id(),
                        "IngestionMode", "LogAnalytics"))
                .withLocation(request.location())
                .withTags(owner.tagsWith(request.tags()));
        return new Insights(ensureNamed(WorkspaceStep.applicationInsightsId(request), INSIGHTS_API_VERSION,
                "application insights", component, owner, preexisting, heartbeat), logs);
    }

    /** The Log Analytics workspace a created Application Insights stores its data in: this run's, under a fixed name. */
    private Associated ensureLogs(CmkRequest request, Ownership owner, PreexistingResources preexisting, Runnable heartbeat) {
        GenericResourceInner workspace = new GenericResourceInner()
                .withProperties(Map.of("sku", Map.of("name", "PerGB2018"), "retentionInDays", 30))
                .withLocation(request.location())
                .withTags(owner.tagsWith(request.tags()));
        return ensureNamed(WorkspaceStep.logAnalyticsWorkspaceId(request), LOGS_API_VERSION, "log analytics workspace",
                workspace, owner, preexisting, heartbeat);
    }

    /** The resource under its deterministic {@code id}: found (this run's, or recorded as pre-existing), or created. */
    private Associated ensureNamed(String id, String apiVersion, String what, GenericResourceInner body, Ownership owner,
                                   PreexistingResources preexisting, Runnable heartbeat) {
        Optional<GenericResourceInner> existing = ArmLookup.find(() -> resources.getById(id, apiVersion));
        if (existing.isPresent()) {
            return found(existing.get().id(), existing.get().tags(), owner, preexisting);
        }
        SyncPoller<PollResult<GenericResourceInner>, GenericResourceInner> poller =
                resources.beginCreateOrUpdateById(id, apiVersion, body);
        polling.awaitCompletion(what + " " + id, heartbeat, poller);
        GenericResourceInner created = poller.getFinalResult();
        return new Associated(created.id() != null ? created.id() : id, true);
    }

    /** One under its deterministic name that exists already: this run's (a rerun), or recorded as pre-existing. */
    private static Associated found(String id, Map<String, String> tags, Ownership owner, PreexistingResources preexisting) {
        boolean ours = owner.owns(id, tags);
        if (!ours) {
            preexisting.found(id);
        }
        return new Associated(id, ours);
    }

    /** Deletes the storage account and Application Insights this run created; given ones are not looked at. */
    List<UndoOutcome> undo(CmkRequest request, Ownership owner) {
        List<UndoOutcome> outcomes = new ArrayList<>();
        if (request.workspace().storageAccountId() == null) {
            String id = ArmResourceId.of(request.subscriptionId(), request.resourceGroup(), "Microsoft.Storage",
                    "storageAccounts", WorkspaceStep.storageAccountName(request));
            Optional<StorageAccount> account = ArmLookup.find(() -> azure.storageAccounts().getById(id));
            outcomes.add(undoOne(id, account.map(StorageAccount::tags), owner, () -> azure.storageAccounts().deleteById(id)));
        }
        if (request.workspace().applicationInsightsId() == null) {
            String id = WorkspaceStep.applicationInsightsId(request);
            Optional<GenericResourceInner> component = ArmLookup.find(() -> resources.getById(id, INSIGHTS_API_VERSION));
            outcomes.add(undoOne(id, component.map(GenericResourceInner::tags), owner,
                    () -> resources.deleteById(id, INSIGHTS_API_VERSION)));
            // After the component that sends it data. Azure keeps a deleted Log Analytics workspace recoverable for 14
            // days; a rerun that creates it under the same name gets it back.
            String logs = WorkspaceStep.logAnalyticsWorkspaceId(request);
            Optional<GenericResourceInner> workspace = ArmLookup.find(() -> resources.getById(logs, LOGS_API_VERSION));
            outcomes.add(undoOne(logs, workspace.map(GenericResourceInner::tags), owner,
                    () -> resources.deleteById(logs, LOGS_API_VERSION)));
        }
        return outcomes;
    }

    private static UndoOutcome undoOne(String id, Optional<Map<String, String>> tags, Ownership owner, Runnable delete) {
        if (tags.isEmpty()) {
            return new UndoOutcome(id, UndoOutcome.Result.ALREADY_GONE, "does not exist", null);
        }
        if (!owner.owns(id, tags.get())) {
            return new UndoOutcome(id, UndoOutcome.Result.NOT_OURS, owner.isPreexisting(id)
                    ? "existed before this run first looked; left untouched"
                    : "does not carry this run's tags; left untouched", null);
        }
        delete.run();
        return new UndoOutcome(id, UndoOutcome.Result.DELETED, "deleted", null);
    }
}
