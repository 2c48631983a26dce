package io.cmkflow.standins.servicebus;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The official Node.js SDK ({@code @azure/service-bus}, pinned in dev/src/test/node/servicebus-conformance) against the
 * stand-in: {@code conformance.js} runs the exchanges of {@link ServiceBusStandInConformanceTest} and reports each
 * case; see {@link SdkConformance#runSuite}. Needs node and npm on PATH; installs the SDK itself when missing.
 */
class NodeSdkConformanceTest {

    private static final Path SUITE = SdkConformance.PROJECT.resolve("dev/src/test/node/servicebus-conformance");

    @Test
    void theNodeSdkPassesEveryExchange() throws Exception {
        SdkConformance.ensureInstalled("node", SUITE.resolve("node_modules/@azure/service-bus/package.json"));

        SdkConformance.runSuite("node-sdk", List.of("node", SUITE.resolve("conformance.js").toString()));
    }
}
