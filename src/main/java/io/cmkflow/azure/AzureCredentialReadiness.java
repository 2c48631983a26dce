package io.cmkflow.azure;

import com.azure.core.credential.TokenRequestContext;
import io.cmkflow.contract.AzureCloud;
import io.micronaut.context.annotation.Property;
import io.micronaut.context.annotation.Requires;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthIndicator;
import io.micronaut.management.health.indicator.HealthResult;
import io.micronaut.management.health.indicator.annotation.Readiness;
import jakarta.inject.Singleton;
import org.reactivestreams.Publisher;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Readiness: the configured credential hands out an ARM token for {@code cmkflow.azure.readiness-cloud} in the home
 * tenant (the token itself is never reported or logged).
 * Only where a worker runs: the intake and the operator API make no Azure call.
 */
@Singleton
@Readiness
@Requires(property = "cmkflow.worker.enabled", notEquals = "false")
@Requires(beans = ArmConnection.class)
public class AzureCredentialReadiness implements HealthIndicator {
    static final String NAME = "azureCredential";
    private static final Duration TIMEOUT = Duration.ofSeconds(10);

    private final ArmConnection arm;
    private final AzureCloud cloud;

    public AzureCredentialReadiness(ArmConnection arm,
                                    @Property(name = "cmkflow.azure.readiness-cloud", defaultValue = "PUBLIC") AzureCloud cloud) {
        this.arm = arm;
        this.cloud = cloud;
    }

    @Override
    public Publisher<HealthResult> getResult() {
        Map<String, Object> details = new LinkedHashMap<>();
        String resourceManager = arm.environment(cloud).getResourceManagerEndpoint();
        details.put("resourceManager", resourceManager);
        String scope = resourceManager.replaceAll("/+$", "") + "/.default";
        return arm.credential(cloud, null).getToken(new TokenRequestContext().addScopes(scope))
                .timeout(TIMEOUT)
                .map(token -> {
                    details.put("tokenExpiresAt", token.getExpiresAt().toString());
                    return HealthResult.builder(NAME, HealthStatus.UP).details(details).build();
                })
                .onErrorResume(failure -> {
                    details.put("error", failure.getClass().getSimpleName() + ": " + firstLine(failure.getMessage()));
                    return Mono.just(HealthResult.builder(NAME, HealthStatus.DOWN).details(details).build());
                });
    }

    private static String firstLine(String message) {
        return message == null ? "" : message.lines().findFirst().orElse("");
    }
}
