package io.cmkflow.request;

import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import com.azure.messaging.servicebus.ServiceBusReceiverAsyncClient;
import com.azure.messaging.servicebus.ServiceBusSenderAsyncClient;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Readiness: Service Bus answers on the queue this replica's role uses, over the connection the intake and the status
 * senders share. The intake's queue is peeked (a management call that takes no lock and moves nothing); a worker
 * without the intake opens its send link to the status queue. Bounded, so an unreachable namespace reports DOWN
 * within seconds instead of after the client's retries. Not loaded where neither role runs (the operator API).
 */
@Singleton
@Readiness
@Requires(condition = ServiceBusReadiness.ServiceBusRole.class)
public class ServiceBusReadiness implements HealthIndicator, AutoCloseable {
    static final String NAME = "serviceBus";
    private static final Duration TIMEOUT = Duration.ofSeconds(5);

    private final IntakeSettings settings;
    private final boolean intake;
    private final ServiceBusReceiverAsyncClient requestQueue;
    private final ServiceBusSenderAsyncClient statusQueue;

    public ServiceBusReadiness(ServiceBusClientBuilder clients, IntakeSettings settings,
                               @Property(name = "cmkflow.intake.enabled", defaultValue = "true") boolean intake) {
        this.settings = settings;
        this.intake = intake;
        this.requestQueue = intake ? clients.receiver().queueName(settings.requestQueue()).buildAsyncClient() : null;
        this.statusQueue = intake ? null : clients.sender().queueName(settings.statusQueue()).buildAsyncClient();
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        details.put("namespace", blank(settings.fullyQualifiedNamespace()) ? "connection string" : settings.fullyQualifiedNamespace());
        details.put("queue", intake ? settings.requestQueue() : settings.statusQueue());
        Mono<?> probe = intake ? requestQueue.peekMessage().map(peeked -> true).defaultIfEmpty(true)
                : statusQueue.createMessageBatch();
        return probe.timeout(TIMEOUT)
                .map(answered -> HealthResult.builder(NAME, HealthStatus.UP).details(details).build())
                .onErrorResume(failure -> {
                    details.put("error", failure.toString());
                    return Mono.just(HealthResult.builder(NAME, HealthStatus.DOWN).details(details).build());
                });
    }

    /** The intake or the worker (which sends status events) runs here. */
    public static final class ServiceBusRole implements Condition {
        @Override
        public boolean matches(ConditionContext context) {
            return !"false".equals(context.getProperty("cmkflow.intake.enabled", String.class).orElse("true"))
                    || !"false".equals(context.getProperty("cmkflow.worker.enabled", String.class).orElse("true"));
        }
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }

    @PreDestroy
    @Override
    public void close() {
        if (requestQueue != null) {
            requestQueue.close();
        }
        if (statusQueue != null) {
            statusQueue.close();
        }
    }
}
