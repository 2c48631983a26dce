package io.cmkflow.temporal;

import io.grpc.StatusRuntimeException;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import io.temporal.api.workflowservice.v1.DescribeNamespaceRequest;
import io.temporal.serviceclient.WorkflowServiceStubs;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Schedulers;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Readiness: the configured namespace answers a DescribeNamespace on the Temporal frontend. One cheap RPC with its own
 * deadline, so a stopped server turns the replica unready within seconds instead of after the SDK's retries.
 */
@Singleton
@Readiness
public class TemporalReadiness implements HealthIndicator {
    static final String NAME = "temporal";
    private static final Duration DEADLINE = Duration.ofSeconds(3);

    private final WorkflowServiceStubs stubs;
    private final TemporalSettings settings;

    public TemporalReadiness(WorkflowServiceStubs stubs, TemporalSettings settings) {
        this.stubs = stubs;
        this.settings = settings;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        return Mono.fromCallable(this::check).subscribeOn(Schedulers.boundedElastic());
    }

    private HealthResult check() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("address", settings.address());
        details.put("namespace", settings.namespace());
        try {
            stubs.blockingStub().withDeadlineAfter(DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .describeNamespace(DescribeNamespaceRequest.newBuilder().setNamespace(settings.namespace()).build());
            return HealthResult.builder(NAME, HealthStatus.UP).details(details).build();
        } catch (StatusRuntimeException unreachable) {
            details.put("error", unreachable.getStatus().getCode() + ": " + unreachable.getStatus().getDescription());
            return HealthResult.builder(NAME, HealthStatus.DOWN).details(details).build();
        }
    }
}
