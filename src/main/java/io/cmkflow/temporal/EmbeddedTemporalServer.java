package io.cmkflow.temporal;

import io.cmkflow.workflow.CmkSearchAttributes;
import io.micronaut.context.annotation.Requires;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The local default's Temporal: the Java test server bound to a real port, reached by the normal client over
 * gRPC. It keeps everything in memory (runs are lost on exit) and lacks visibility queries; see temporal-notes.
 * It starts with no custom search attributes and refuses a start that sets one, so it registers cmkflow's at once:
 * an intake running without the worker role (which registers them too) could otherwise start nothing.
 */
@Singleton
@Requires(condition = NoTemporalAddress.class)
public class EmbeddedTemporalServer implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(EmbeddedTemporalServer.class);

    private final TestServer.PortBoundTestServer server;
    private final int port;

    public EmbeddedTemporalServer(TemporalSettings settings) {
        this.port = settings.embeddedPort();
        this.server = TestServer.createPortBoundServer(port);
        registerSearchAttributes(port, settings.namespace());
        log.info("Embedded Temporal test server listening on localhost:{}", port);
    }

    private static void registerSearchAttributes(int port, String namespace) {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setTarget("localhost:" + port).validateAndBuildWithDefaults());
        try {
            CmkSearchAttributes.register(operator, namespace);
        } finally {
            operator.shutdown();
        }
    }

    public int port() {
        return port;
    }

    @PreDestroy
    @Override
    public void close() {
        server.close();
    }
}
