package io.cmkflow.azure;

import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import io.micrometer.core.instrument.MeterRegistry;
import reactor.core.publisher.Mono;

/**
 * Counts every HTTP request the Azure SDK sends to ARM or Key Vault, retries included:
 * {@code cmkflow_arm_requests_total{operation, status}}. The operation is the SDK method the call came from (the
 * {@code caller-method} its REST proxy puts in the call's context, e.g. {@code VaultsClient.createOrUpdate}), so the
 * label stays bounded; status is the HTTP status code, or {@code error} when no response came back.
 */
public final class ArmCallMetrics implements HttpPipelinePolicy {
    public static final String REQUESTS = "cmkflow.arm.requests";
    private static final String CALLER_METHOD = "caller-method";

    private final MeterRegistry registry;

    public ArmCallMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        String operation = operation(context.getData(CALLER_METHOD).map(Object::toString).orElse(null),
                context.getHttpRequest().getHttpMethod().name());
        return next.process()
                .doOnSuccess(response -> count(operation, Integer.toString(response.getStatusCode())))
                .doOnError(failure -> count(operation, "error"));
    }

    private void count(String operation, String status) {
        registry.counter(REQUESTS, "operation", operation, "status", status).increment();
    }

    /**
     * {@code com.azure...implementation.VaultsClientImpl$VaultsService.createOrUpdate} becomes {@code
     * VaultsClient.createOrUpdate}; a call without a caller method is named by its HTTP method.
     */
    static String operation(String callerMethod, String httpMethod) {
        if (callerMethod == null || callerMethod.isBlank()) {
            return httpMethod;
        }
        int method = callerMethod.lastIndexOf('.');
        String type = method < 0 ? callerMethod : callerMethod.substring(0, method);
        String simple = type.substring(type.lastIndexOf('.') + 1);
        int nested = simple.indexOf('$');
        if (nested >= 0) {
            simple = simple.substring(0, nested);
        }
        if (simple.endsWith("Impl")) {
            simple = simple.substring(0, simple.length() - "Impl".length());
        }
        return method < 0 ? simple : simple + callerMethod.substring(method);
    }
}
