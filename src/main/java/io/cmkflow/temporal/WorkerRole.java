package io.cmkflow.temporal;

import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkWorkflowWorker;
import io.cmkflow.workflow.CompensationActivities;
import io.cmkflow.workflow.ProvisioningActivities;
import io.cmkflow.workflow.StatusPublisher;
import io.cmkflow.workflow.PostureActivities;
import io.cmkflow.workflow.PostureScheduling;
import io.grpc.StatusRuntimeException;
import io.micronaut.context.annotation.Requires;
import io.micronaut.context.event.StartupEvent;
import io.micronaut.runtime.event.annotation.EventListener;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.serviceclient.WorkflowServiceStubs;
import io.temporal.worker.WorkerFactory;
import jakarta.annotation.PreDestroy;
import jakarta.inject.Singleton;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The worker role: registers cmkflow's search attributes where the server allows it, then polls the task queue
 * with the workflow and the Azure activities. Shutdown lets running activity attempts finish for a grace period.
 */
@Singleton
@Requires(property = "cmkflow.worker.enabled", notEquals = "false")
public class WorkerRole implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WorkerRole.class);

    private final WorkerFactory factory;
    private final WorkflowServiceStubs stubs;
    private final String namespace;

    public WorkerRole(WorkerFactory factory, WorkflowServiceStubs stubs, TemporalSettings settings, WorkerSettings worker,
                      ProvisioningActivities provisioning, CompensationActivities compensation, StatusPublisher statusPublisher,
                      PostureScheduling postureScheduling, PostureActivities posture) {
        this.factory = factory;
        this.stubs = stubs;
        this.namespace = settings.namespace();
        CmkWorkflowWorker.register(factory, worker.workerOptions(), provisioning, compensation, statusPublisher, postureScheduling, posture);
    }

    /** Starts polling once the application is up (not in the constructor: the context may still be starting). */
    @EventListener
    void onStartup(StartupEvent started) {
        registerSearchAttributes(stubs, namespace);
        factory.start();
        log.info("Worker polling task queue {} in namespace {}", CmkWorkflowWorker.TASK_QUEUE, namespace);
    }

    /**
     * Registers the search attributes where the server allows it (dev server, self-hosted). Where it does not
     * (Temporal Cloud: an administrator creates them), the worker checks they exist and refuses to start otherwise,
     * naming the commands to run: without them every start that sets one fails.
     */
    private static void registerSearchAttributes(WorkflowServiceStubs stubs, String namespace) {
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setChannel(stubs.getRawChannel()).validateAndBuildWithDefaults());
        try {
            CmkSearchAttributes.register(operator, namespace);
        } catch (StatusRuntimeException refused) {
            List<String> missing = CmkSearchAttributes.missing(operator, namespace);
            if (!missing.isEmpty()) {
                throw new IllegalStateException("The Temporal server refused to register cmkflow's search attributes ("
                        + refused.getStatus().getCode() + ") and namespace " + namespace + " lacks " + missing
                        + "; create them, then start again:\n" + CmkSearchAttributes.createCommands(missing, namespace));
            }
            log.info("Search attributes {} exist in namespace {} (registered by an administrator)", CmkSearchAttributes.ALL, namespace);
        } finally {
            operator.shutdown();
        }
    }

    @PreDestroy
    @Override
    public void close() throws InterruptedException {
        factory.shutdown();
        factory.awaitTermination(10, TimeUnit.SECONDS);
    }
}
