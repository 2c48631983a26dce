package io.cmkflow.temporal;

import io.cmkflow.workflow.CmkSearchAttributes;
import io.micronaut.context.annotation.Context;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.annotation.Value;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import jakarta.annotation.PreDestroy;

/**
 * Tests only: the Java SDK's test server bound to {@code cmkflow.test.embedded-temporal-port}, reached by the
 * application's normal client over gRPC (the test sets {@code cmkflow.temporal.address} to it). Created with the
 * context, before any role starts; it starts with no custom search attributes, so it registers cmkflow's at once.
 */
@Context
@Requires(env = "test")
@Requires(property = "cmkflow.test.embedded-temporal-port")
public class EmbeddedTemporalServer implements AutoCloseable {

    private final TestServer.PortBoundTestServer server;

    public EmbeddedTemporalServer(@Value("${cmkflow.test.embedded-temporal-port}") int port, TemporalSettings settings) {
        this.server = TestServer.createPortBoundServer(port);
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setTarget("localhost:" + port).validateAndBuildWithDefaults());
        try {
            CmkSearchAttributes.register(operator, settings.namespace());
        } finally {
            operator.shutdown();
        }
    }

    @PreDestroy
    @Override
    public void close() {
        server.close();
    }
}
