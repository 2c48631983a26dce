package io.cmkflow.temporal;

import com.uber.m3.tally.RootScopeBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.temporal.client.WorkflowClient;
import io.temporal.client.WorkflowClientOptions;
import io.temporal.serviceclient.RpcRetryOptions;
import io.temporal.serviceclient.SimpleSslContextBuilder;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.serviceclient.WorkflowServiceStubsOptions;
import io.temporal.common.reporter.MicrometerClientStatsReporter;
import io.temporal.worker.WorkerFactory;
import io.temporal.worker.WorkerFactoryOptions;
import jakarta.inject.Singleton;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;

/** The Temporal client objects, one of each per application, closed on shutdown. */
@Factory
public class TemporalFactory {
    /** How often the SDK's buffered metrics reach the registry: well inside a Prometheus scrape interval. */
    private static final Duration METRICS_REPORT_INTERVAL = Duration.ofSeconds(5);

    @Singleton
    @Bean(preDestroy = "shutdown")
    WorkflowServiceStubs workflowServiceStubs(TemporalSettings settings, MeterRegistry registry) {
        if (!settings.addressConfigured()) {
            throw new IllegalStateException("cmkflow.temporal.address (TEMPORAL_ADDRESS) is not set");
        }
        RunLinkConverter.use(settings);
        WorkflowServiceStubsOptions.Builder options = WorkflowServiceStubsOptions.newBuilder()
                .setTarget(settings.address())
                // The SDK's client and worker metrics (temporal_*), into the registry /prometheus serves.
                .setMetricsScope(new RootScopeBuilder().reporter(new MicrometerClientStatsReporter(registry))
                        .reportEvery(com.uber.m3.util.Duration.ofMillis(METRICS_REPORT_INTERVAL.toMillis())));
        if (settings.rpcRetryExpiration() != null) {
            options.setRpcRetryOptions(RpcRetryOptions.newBuilder().setExpiration(settings.rpcRetryExpiration()).validateBuildWithDefaults());
        }
        if (settings.clientCertificateConfigured()) {
            options.setSslContext(clientCertificate(settings));
        }
        if (settings.apiKeyConfigured()) {
            String apiKey = settings.apiKey();
            options.setEnableHttps(true).addApiKey(() -> apiKey);
        }
        return WorkflowServiceStubs.newServiceStubs(options.build());
    }

    @Singleton
    WorkflowClient workflowClient(WorkflowServiceStubs stubs, TemporalSettings settings) {
        return WorkflowClient.newInstance(stubs, WorkflowClientOptions.newBuilder().setNamespace(settings.namespace()).build());
    }

    @Singleton
    @Bean(preDestroy = "shutdown")
    WorkerFactory workerFactory(WorkflowClient client, MeterRegistry registry, WorkerSettings worker) {
        return WorkerFactory.newInstance(client, WorkerFactoryOptions.newBuilder()
                .setWorkflowCacheSize(worker.workflowCacheSize())
                .setMaxWorkflowThreadCount(worker.maxWorkflowThreads())
                .setWorkerInterceptors(new StepMetrics(registry)).build());
    }

    private static SslContext clientCertificate(TemporalSettings settings) {
        try (InputStream cert = new FileInputStream(settings.tlsCertPath());
             InputStream key = new FileInputStream(settings.tlsKeyPath())) {
            return SimpleSslContextBuilder.forPKCS8(cert, key).build();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the Temporal client certificate or key", e);
        }
    }
}
