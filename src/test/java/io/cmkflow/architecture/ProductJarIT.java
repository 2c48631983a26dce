package io.cmkflow.architecture;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The production jar as built (product/target/cmkflow.jar, after the package phase: `mvn verify`, which ./test runs)
 * holds the product and its runtime dependencies and nothing of the stand-ins or dev mode: no simulator, no Service Bus
 * stand-in, no Temporal CLI installer, no BouncyCastle (the simulator's certificate), no dev configuration. (Proton-J is
 * there: the Service Bus client's AMQP engine, as well as the stand-in's.)
 */
class ProductJarIT {
    private static final Path JAR = Path.of("product", "target", "cmkflow.jar");

    @Test
    void theProductJarHoldsNoStandInOrDevClass() throws IOException {
        assertThat(JAR).as("the runnable product jar (mvn package builds it)").isRegularFile();
        List<String> entries;
        try (JarFile jar = new JarFile(JAR.toFile())) {
            entries = jar.stream().map(JarEntry::getName).toList();
        }

        assertThat(entries).contains("io/cmkflow/Application.class", "io/cmkflow/workflow/CmkWorkspaceWorkflowImpl.class",
                "META-INF/swagger/cmkflow-operator-api.yml",
                "workflows/cmk-workspace/request.schema.json", "application.yml");
        assertThat(entries).filteredOn(name -> name.startsWith("io/cmkflow/standins/") || name.startsWith("io/cmkflow/dev/")
                        || name.startsWith("org/bouncycastle/") || name.equals("application-dev.yml")
                        || name.startsWith("servicebus/"))
                .as("stand-in, dev-mode or BouncyCastle entries in " + JAR).isEmpty();
        assertThat(entries).filteredOn(name -> name.startsWith("io/cmkflow/") && name.endsWith(".class"))
                .allSatisfy(name -> assertThat(name).doesNotContain("Simulat", "StandIn", "DevMode", "TemporalCli"));
        assertThat(Files.size(JAR)).isPositive();
    }
}
