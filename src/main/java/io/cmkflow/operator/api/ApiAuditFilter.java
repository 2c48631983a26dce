package io.cmkflow.operator.api;

import io.micronaut.core.order.Ordered;
import io.micronaut.http.HttpMethod;
import io.micronaut.http.HttpRequest;
import io.micronaut.http.MutableHttpResponse;
import io.micronaut.http.annotation.ResponseFilter;
import io.micronaut.http.annotation.ServerFilter;
import io.micronaut.http.filter.ServerFilterPhase;
import io.micronaut.security.authentication.Authentication;

/**
 * Audits what the controllers do not: every read (GET) and every refusal (401, 403) of the operator API. Ordered
 * before the security filter, so its response side also sees the answers the security filter gives without reaching
 * a controller.
 */
@ServerFilter("/api/**")
class ApiAuditFilter implements Ordered {
    private final AuditLog audit;

    ApiAuditFilter(AuditLog audit) {
        this.audit = audit;
    }

    @Override
    public int getOrder() {
        return ServerFilterPhase.SECURITY.before();
    }

    @ResponseFilter
    void audit(HttpRequest<?> request, MutableHttpResponse<?> response) {
        int status = response.code();
        if (status == 401 || status == 403 || request.getMethod() == HttpMethod.GET) {
            audit.call(request.getUserPrincipal(Authentication.class).orElse(null), request.getMethodName(),
                    request.getPath(), status);
        }
    }
}
