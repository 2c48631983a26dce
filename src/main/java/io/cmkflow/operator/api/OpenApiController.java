package io.cmkflow.operator.api;

import io.micronaut.core.io.ResourceResolver;
import io.micronaut.http.HttpResponse;
import io.micronaut.http.annotation.Controller;
import io.micronaut.http.annotation.Get;
import io.micronaut.security.annotation.Secured;
import io.micronaut.security.rules.SecurityRule;
import io.swagger.v3.oas.annotations.Hidden;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * Serves the OpenAPI document micronaut-openapi generates from these controllers at compile time
 * ({@value #DOCUMENT} in the jar; openapi.properties names it), without authentication: it holds no secret.
 */
@Controller("/api/openapi.yml")
@Secured(SecurityRule.IS_ANONYMOUS)
@Hidden
public class OpenApiController {
    static final String DOCUMENT = "META-INF/swagger/cmkflow-operator-api.yml";

    private final byte[] document;

    OpenApiController(ResourceResolver resources) {
        try (InputStream in = resources.getResourceAsStream("classpath:" + DOCUMENT)
                .orElseThrow(() -> new IllegalStateException(DOCUMENT + " is missing: the build generates it (micronaut-openapi)"))) {
            document = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Get(produces = "application/yaml")
    public HttpResponse<byte[]> document() {
        return HttpResponse.ok(document);
    }
}
