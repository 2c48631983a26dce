package io.cmkflow.temporal;

import io.cmkflow.testing.TestServerInFlightRuns;
import io.cmkflow.workflow.InFlightRuns;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Primary;
import io.micronaut.context.annotation.Requires;
import io.temporal.client.WorkflowClient;
import jakarta.inject.Singleton;

/**
 * Tests only: with {@link EmbeddedTemporalServer}, which has no visibility queries, the undos learn which runs are in
 * flight by {@link TestServerInFlightRuns} instead of {@code RunControl}'s query.
 */
@Factory
@Requires(env = "test")
@Requires(property = "cmkflow.test.embedded-temporal-port")
class EmbeddedTemporalInFlightRuns {

    @Singleton
    @Primary
    InFlightRuns inFlightRuns(WorkflowClient client) {
        return new TestServerInFlightRuns(client);
    }
}
