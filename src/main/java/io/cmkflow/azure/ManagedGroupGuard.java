package io.cmkflow.azure;

import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipeline;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpRequest;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import com.azure.core.util.Context;
import com.azure.json.JsonProviders;
import com.azure.json.JsonReader;
import com.azure.resourcemanager.resources.fluent.models.ResourceGroupInner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Pipeline policy on every ARM client cmkflow builds: refuses any DELETE aimed at a Microsoft-managed resource group
 * (a workspace's {@code serviceProvisionedResourceGroup}) or at anything inside it, whatever code path sends it.
 * Azure removes that group itself with its workspace; deleting it or its Cosmos DB / storage / search would break
 * the workspace's encryption.
 *
 * <p>A group is known to be managed when a step recorded it in the {@link ManagedGroupRegistry}; otherwise the guard
 * asks ARM for the group before letting the DELETE through and refuses when it has {@code managedBy} set. If that
 * question cannot be answered the DELETE is refused too (fail closed, RETRYABLE).
 */
public final class ManagedGroupGuard implements HttpPipelinePolicy {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedGroupGuard.class);
    private static final Pattern IN_GROUP = Pattern.compile("^/subscriptions/([^/]+)/resourcegroups/([^/]+)(/.*)?$",
            Pattern.CASE_INSENSITIVE);
    static final String RESOURCE_GROUP_API_VERSION = "2025-04-01";

    private final ManagedGroupRegistry registry;
    private final HttpPipeline lookupPipeline;

    /**
     * @param registry       managed groups already known (shared by all clients of the process)
     * @param lookupPipeline an authenticated pipeline without this guard, used to read a group's {@code managedBy}
     */
    public ManagedGroupGuard(ManagedGroupRegistry registry, HttpPipeline lookupPipeline) {
        this.registry = registry;
        this.lookupPipeline = lookupPipeline;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        Optional<Target> target = deleteTarget(context.getHttpRequest());
        if (target.isEmpty()) {
            return next.process();
        }
        // The lookup is a blocking HTTP call: keep it off the HTTP client's and reactor's non-blocking threads.
        return Mono.fromRunnable(() -> refuseIfManaged(target.get()))
                .subscribeOn(Schedulers.boundedElastic())
                .then(Mono.defer(next::process));
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        deleteTarget(context.getHttpRequest()).ifPresent(this::refuseIfManaged);
        return next.processSync();
    }

    private void refuseIfManaged(Target target) {
        String manager = registry.managerOf(target.subscriptionId, target.group);
        if (manager == null) {
            manager = lookUpManager(target);
            if (manager != null) {
                registry.remember(target.subscriptionId, target.group, manager);
            }
        }
        if (manager != null) {
            String message = "refused DELETE " + target.path + ": resource group '" + target.group
                    + "' is the Microsoft-managed group of " + manager
                    + "; Azure deletes it (and everything in it) only together with its workspace";
            LOG.warn(message);
            throw new ManagedGroupDeleteRefusedException(target.group, message);
        }
    }

    private String lookUpManager(Target target) {
        String url = target.origin + "/subscriptions/" + target.subscriptionId + "/resourcegroups/" + target.group
                + "?api-version=" + RESOURCE_GROUP_API_VERSION;
        try (HttpResponse response = lookupPipeline.sendSync(new HttpRequest(HttpMethod.GET, url), Context.NONE)) {
            int status = response.getStatusCode();
            if (status == 404) {
                return null;
            }
            if (status != 200) {
                throw new AzureStepException(AzureFailure.retryable("ManagedGroupLookupFailed",
                        "refused DELETE " + target.path + ": could not tell whether resource group '" + target.group
                                + "' is managed (HTTP " + status + ")"));
            }
            try (JsonReader reader = JsonProviders.createReader(response.getBodyAsBinaryData().toBytes())) {
                return ResourceGroupInner.fromJson(reader).managedBy();
            }
        } catch (IOException e) {
            throw new AzureStepException(AzureFailure.retryable("ManagedGroupLookupFailed",
                    "refused DELETE " + target.path + ": could not read resource group '" + target.group + "'"), e);
        }
    }

    private static Optional<Target> deleteTarget(HttpRequest request) {
        if (request.getHttpMethod() != HttpMethod.DELETE) {
            return Optional.empty();
        }
        URI uri;
        try {
            uri = request.getUrl().toURI();
        } catch (URISyntaxException e) {
            return Optional.empty();
        }
        // The SDK sends "//subscriptions/..." for deletes by id; ARM treats repeated slashes as one.
        String path = uri.getPath() == null ? "" : uri.getPath().replaceAll("/{2,}", "/");
        Matcher m = IN_GROUP.matcher(path);
        if (!m.matches()) {
            return Optional.empty();
        }
        String origin = uri.getScheme() + "://" + uri.getRawAuthority();
        return Optional.of(new Target(origin, m.group(1), m.group(2), path));
    }

    private record Target(String origin, String subscriptionId, String group, String path) {
    }
}
