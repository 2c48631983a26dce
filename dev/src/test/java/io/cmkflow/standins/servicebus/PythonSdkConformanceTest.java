package io.cmkflow.standins.servicebus;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The official Python SDK ({@code azure-servicebus}, pinned in dev/src/test/python/servicebus-conformance) against the
 * stand-in: {@code conformance.py} runs the exchanges of {@link ServiceBusStandInConformanceTest} and reports each
 * case; see {@link SdkConformance#runSuite}. Needs python3 (with venv) on PATH; installs the SDK itself into
 * .cmkflow/tools/servicebus-python when missing.
 */
class PythonSdkConformanceTest {

    private static final Path VENV_PYTHON = SdkConformance.PROJECT.resolve(".cmkflow/tools/servicebus-python/bin/python");

    @Test
    void thePythonSdkPassesEveryExchange() throws Exception {
        SdkConformance.ensureInstalled("python", VENV_PYTHON);

        SdkConformance.runSuite("python-sdk", List.of(VENV_PYTHON.toString(),
                SdkConformance.PROJECT.resolve("dev/src/test/python/servicebus-conformance/conformance.py").toString()));
    }
}
