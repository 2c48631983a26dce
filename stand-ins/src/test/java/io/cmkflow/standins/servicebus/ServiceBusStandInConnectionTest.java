package io.cmkflow.standins.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusProcessorClient;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import com.azure.messaging.servicebus.models.ServiceBusReceiveMode;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Connection-level behaviour: the emulator's well-known connection string, server-side drops, shutdown. */
class ServiceBusStandInConnectionTest {

    /** Verbatim from the official emulator's documentation; only the port is added below. */
    private static final String EMULATOR_CONNECTION_STRING = "Endpoint=sb://localhost;"
            + "SharedAccessKeyName=RootManageSharedAccessKey;SharedAccessKey=SAS_KEY_VALUE;UseDevelopmentEmulator=true;";

    @Test
    void theEmulatorConnectionStringReachesTheShippedQueues() {
        try (ServiceBusStandIn standIn = ServiceBusStandIn.start(StandInOptions.builder().port(0).build())) {
            String connectionString = EMULATOR_CONNECTION_STRING
                    .replace("sb://localhost;", "sb://localhost:" + standIn.port() + ";");
            assertThat(standIn.connectionString()).isEqualTo(connectionString);
            ServiceBusSenderClient sender = ServiceBusStandInConformanceTest
                    .builder(connectionString, Duration.ofSeconds(5)).sender().queueName("cmk-requests").buildClient();
            ServiceBusReceiverClient receiver = ServiceBusStandInConformanceTest
                    .builder(connectionString, Duration.ofSeconds(5)).receiver().queueName("cmk-requests").buildClient();
            try (sender; receiver) {
                // The shipped cmk-requests queue detects duplicates, so the resend is dropped.
                sender.sendMessage(new ServiceBusMessage("request").setMessageId("req-1"));
                sender.sendMessage(new ServiceBusMessage("request").setMessageId("req-1"));
                assertThat(standIn.queue("cmk-requests").activeCount()).isEqualTo(1);

                List<ServiceBusReceivedMessage> received = new ArrayList<>();
                await().atMost(Duration.ofSeconds(10)).until(() -> {
                    receiver.receiveMessages(1, Duration.ofSeconds(1)).forEach(received::add);
                    return !received.isEmpty();
                });
                receiver.complete(received.get(0));
                assertThat(received.get(0).getMessageId()).isEqualTo("req-1");
                assertThat(standIn.queue("cmk-requests").activeCount()).isZero();
                assertThat(standIn.queue("cmk-status").activeCount()).isZero();
            }
        }
    }

    @Test
    void afterAllConnectionsAreDroppedClientsReconnectAndNoMessageIsLost() {
        QueueDefinition work = QueueDefinition.withDefaults("work").withLockDuration(Duration.ofSeconds(2));
        try (ServiceBusStandIn standIn = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(work)).build())) {
            Map<String, Integer> handled = new ConcurrentHashMap<>();
            CountDownLatch dropped = new CountDownLatch(1);
            ServiceBusSenderClient sender = ServiceBusStandInConformanceTest
                    .builder(standIn.connectionString(), Duration.ofSeconds(5)).sender().queueName("work").buildClient();
            ServiceBusProcessorClient processor = ServiceBusStandInConformanceTest
                    .builder(standIn.connectionString(), Duration.ofSeconds(5)).processor().queueName("work")
                    .receiveMode(ServiceBusReceiveMode.PEEK_LOCK).disableAutoComplete().maxConcurrentCalls(2)
                    // A completion lost with the connection must end in lock expiry and redelivery, not in a lock
                    // the client keeps renewing for minutes.
                    .maxAutoLockRenewDuration(Duration.ZERO)
                    .processMessage(context -> {
                        handled.merge(context.getMessage().getBody().toString(), 1, Integer::sum);
                        // The first messages are still being handled when the connection goes away.
                        awaitQuietly(dropped);
                        context.complete();
                    })
                    // Errors are expected while the connection is down; what counts is that nothing is lost.
                    .processError(context -> { })
                    .buildProcessorClient();
            try (sender; processor) {
                processor.start();
                IntStream.rangeClosed(1, 10).forEach(i -> sender.sendMessage(new ServiceBusMessage("m-" + i)));
                await().atMost(Duration.ofSeconds(10)).until(() -> handled.size() == 2);
                int connectionsBefore = standIn.connectionsAccepted();

                standIn.dropAllConnections();
                // Handlers finish only once the processor has reconnected: a settlement racing the close itself can
                // hang inside the client (azure-core-amqp 2.11), which is not what this test is about.
                await().atMost(Duration.ofSeconds(15))
                        .until(() -> standIn.connectionsAccepted() > connectionsBefore);
                dropped.countDown();

                IntStream.rangeClosed(11, 20).forEach(i -> sender.sendMessage(new ServiceBusMessage("m-" + i)));
                List<String> all = IntStream.rangeClosed(1, 20).mapToObj(i -> "m-" + i).collect(Collectors.toList());
                await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
                    assertThat(handled).containsOnlyKeys(all);
                    assertThat(standIn.queue("work").activeMessages()).isEmpty();
                });
                assertThat(standIn.queue("work").deadLetterCount()).isZero();
                assertThat(standIn.connectionsAccepted()).as("sender and processor reconnected")
                        .isGreaterThanOrEqualTo(connectionsBefore + 2);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            latch.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void closeStopsListening() {
        ServiceBusStandIn standIn = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(QueueDefinition.withDefaults("q"))).build());
        int port = standIn.port();

        standIn.close();

        assertThatThrownBy(() -> {
            try (Socket socket = new Socket("localhost", port)) {
                socket.getInputStream();
            }
        }).isInstanceOf(ConnectException.class);
        assertThatThrownBy(() -> standIn.queue("q")).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed");
    }

    @Test
    void aQueueThatIsNotConfiguredIsNamedInTheError() {
        try (ServiceBusStandIn standIn = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(QueueDefinition.withDefaults("known"))).build())) {
            assertThatThrownBy(() -> standIn.queue("unknown")).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("'unknown'").hasMessageContaining("[known]");
        }
    }

    @Test
    void aPortInUseIsReported() {
        try (ServiceBusStandIn first = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(QueueDefinition.withDefaults("q"))).build())) {
            StandInOptions samePort = StandInOptions.builder().port(first.port())
                    .config(EmulatorConfig.of(QueueDefinition.withDefaults("q"))).build();
            assertThatThrownBy(() -> ServiceBusStandIn.start(samePort))
                    .isInstanceOf(UncheckedIOException.class)
                    .hasMessageContaining(":" + first.port());
        }
    }
}
