package io.cmkflow.request;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.testing.FreePorts;
import io.cmkflow.standins.servicebus.QueueDefinition;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.workflow.CmkSearchAttributes;
import io.micrometer.core.instrument.MeterRegistry;
import io.micronaut.health.HealthStatus;
import io.micronaut.management.health.indicator.HealthResult;
import io.temporal.serviceclient.OperatorServiceStubs;
import io.temporal.serviceclient.OperatorServiceStubsOptions;
import io.temporal.testserver.TestServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Temporal stops for longer than the request queue's lock duration × max delivery count (2 s × 2): without the
 * circuit each message would be abandoned on every failed start and dead-lettered within seconds. With it the intake
 * holds the messages it has, takes no others, shows the open circuit in readiness and metrics, and once Temporal is
 * back every request runs, none dead-lettered, each with its accepted event.
 */
class IntakeTemporalOutageTest {
    private static final Duration LOCK = Duration.ofSeconds(2);
    private static final int MAX_DELIVERIES = 2;
    private static final int REQUESTS = 5;

    private final int temporalPort = FreePorts.next();
    private TestServer.PortBoundTestServer temporal = startTemporal();
    @RegisterExtension
    final CmkStack stack = CmkStack.builder().requestTarget()
            .requestQueue(QueueDefinition.withDefaults(CmkStack.REQUESTS).withLockDuration(LOCK)
                    .withMaxDeliveryCount(MAX_DELIVERIES).withDuplicateDetection(Duration.ofMinutes(10)))
            .property("cmkflow.temporal.address", "localhost:" + temporalPort)
            .property("cmkflow.temporal.rpc-retry-expiration", "PT1S")
            .property("cmkflow.servicebus.max-delivery-count", MAX_DELIVERIES)
            .property("cmkflow.servicebus.max-concurrent-calls", 8)
            .property("cmkflow.intake.circuit.probe-initial-backoff", "PT0.2S")
            .property("cmkflow.intake.circuit.probe-max-backoff", "PT1S")
            .build();

    @AfterEach
    void stopTemporal() {
        temporal.close();
    }

    @Test
    void anOutageLongerThanLockTimesDeliveriesDeadLettersNothingAndEveryRequestRunsOnceTemporalIsBack() {
        ObjectNode before = TestRequests.json("req-before-outage", "mlw-before-outage");
        stack.send(before);
        stack.status().awaitType("req-before-outage", StatusEvent.Type.succeeded, Duration.ofSeconds(60));
        List<ObjectNode> requests = IntStream.rangeClosed(1, REQUESTS)
                .mapToObj(n -> TestRequests.json("req-outage-" + n, "mlw-outage-" + n)).toList();
        MeterRegistry metrics = stack.app().getBean(MeterRegistry.class);

        temporal.close();
        requests.forEach(stack::send);

        await().atMost(Duration.ofSeconds(30)).until(() -> circuitOpen(metrics) == 1.0);
        HealthResult intake = Mono.from(stack.app().getBean(IntakeReadiness.class).getResult()).block();
        assertThat(intake.getStatus()).isEqualTo(HealthStatus.DOWN);
        assertThat(intake.getDetails()).asString().contains("circuit=open");
        // Twice what the queue's deliveries could ride out by abandoning: lock duration × max delivery count.
        Duration outage = LOCK.multipliedBy(MAX_DELIVERIES).multipliedBy(2);
        Instant opened = stack.app().getBean(IntakeCircuit.class).openSince().orElseThrow();
        await().atMost(outage.plusSeconds(30)).until(() -> Duration.between(opened, Instant.now()).compareTo(outage) > 0);
        List<QueuedMessage> held = stack.requestQueue().activeMessages();
        assertThat(held).hasSize(REQUESTS).allSatisfy(message -> {
            assertThat(message.locked()).isTrue();
            assertThat(message.deliveryCount()).isEqualTo(1);
        });
        assertThat(stack.requestQueue().deadLetterCount()).isZero();
        assertThat(stack.requestQueue().lockRenewals()).isGreaterThanOrEqualTo(REQUESTS * MAX_DELIVERIES);
        assertThat(metrics.get(IntakeMetrics.CIRCUIT_OPENINGS).counter().count()).isEqualTo(1.0);

        temporal = startTemporal();

        requests.forEach(request -> stack.status().awaitType(request.get("requestId").asText(), StatusEvent.Type.accepted,
                Duration.ofSeconds(60)));
        await().atMost(Duration.ofSeconds(30)).until(() -> stack.requestQueue().activeCount() == 0);
        assertThat(stack.requestQueue().deadLetterCount()).isZero();
        assertThat(requests).allSatisfy(request -> assertThat(stack.run(TestRequests.workflowId(request)))
                .hasValueSatisfying(run -> assertThat(run.getTypedSearchAttributes().get(CmkSearchAttributes.REQUEST_ID))
                        .isEqualTo(request.get("requestId").asText())));
        assertThat(metrics.get(IntakeMetrics.MESSAGES).tag("outcome", "started").counter().count()).isEqualTo(REQUESTS + 1.0);
        assertThat(metrics.get(IntakeMetrics.MESSAGES).tag("outcome", "abandoned").counter().count()).isZero();
        assertThat(circuitOpen(metrics)).isZero();
        assertThat(Mono.from(stack.app().getBean(IntakeReadiness.class).getResult()).block().getStatus())
                .isEqualTo(HealthStatus.UP);
    }

    private static double circuitOpen(MeterRegistry metrics) {
        return metrics.get(IntakeMetrics.CIRCUIT_OPEN).gauge().value();
    }

    /** A fresh server knows no custom search attributes: register them, as a real cluster's administrator would have. */
    private TestServer.PortBoundTestServer startTemporal() {
        TestServer.PortBoundTestServer server = TestServer.createPortBoundServer(temporalPort);
        OperatorServiceStubs operator = OperatorServiceStubs.newServiceStubs(OperatorServiceStubsOptions.newBuilder()
                .setTarget("localhost:" + temporalPort).validateAndBuildWithDefaults());
        try {
            CmkSearchAttributes.register(operator, "default");
        } finally {
            operator.shutdown();
        }
        return server;
    }
}
