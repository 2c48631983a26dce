package io.cmkflow.operator.api;

import io.cmkflow.operator.RunControl;
import io.micronaut.context.annotation.Factory;
import io.swagger.v3.oas.annotations.OpenAPIDefinition;
import io.swagger.v3.oas.annotations.enums.SecuritySchemeType;
import io.swagger.v3.oas.annotations.info.Info;
import io.swagger.v3.oas.annotations.security.SecurityScheme;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;

/** {@link RunControl} on the application's Temporal client (the operator API's, and the undos' {@code InFlightRuns}); and the OpenAPI document's header. */
@Factory
@OpenAPIDefinition(info = @Info(title = "cmkflow operator API", version = "1",
        description = "Runs of the CMK workspace workflow: list, show, retry, abort, cancel; start requests. Bearer"
                + " tokens from cmkflow.api.tokens or Microsoft Entra ID JWTs; role viewer reads, operator acts."))
@SecurityScheme(name = "bearer", type = SecuritySchemeType.HTTP, scheme = "bearer")
class OperatorApiBeans {

    @Singleton
    RunControl runControl(WorkflowClient client) {
        return new RunControl(client);
    }
}
