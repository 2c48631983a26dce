package io.cmkflow.standins.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.azure.core.amqp.models.AmqpMessageBody;
import com.azure.core.amqp.models.AmqpMessageBodyType;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.azure.messaging.servicebus.ServiceBusReceivedMessage;
import com.azure.messaging.servicebus.ServiceBusReceiverClient;
import com.azure.messaging.servicebus.ServiceBusSenderClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * What the Java client (azure-messaging-servicebus 7.17.19) makes of the AMQP value and sequence bodies that other
 * SDKs send (the Node.js and Python suites check they reach the stand-in and come back intact): getBody() throws UnsupportedOperationException for
 * both, and the body is read through getRawAmqpMessage().getBody() by its type. Intake needs the same.
 */
class JavaClientBodyTypesTest {

    private static ServiceBusStandIn standIn;

    @BeforeAll
    static void startStandIn() {
        standIn = ServiceBusStandIn.start(StandInOptions.builder().port(0)
                .config(EmulatorConfig.of(QueueDefinition.withDefaults("bodies"))).build());
    }

    @AfterAll
    static void stopStandIn() {
        standIn.close();
    }

    @Test
    void valueAndSequenceBodiesAreOnlyReadableThroughTheRawAmqpMessage() {
        try (ServiceBusSenderClient sender = builder().sender().queueName("bodies").buildClient();
             ServiceBusReceiverClient receiver = builder().receiver().queueName("bodies").buildClient()) {
            sender.sendMessage(new ServiceBusMessage(AmqpMessageBody.fromValue(Map.of("requestId", "v-1")))
                    .setMessageId("value-1"));
            sender.sendMessage(new ServiceBusMessage(AmqpMessageBody.fromSequence(List.of("seq", 1L)))
                    .setMessageId("sequence-1"));

            List<ServiceBusReceivedMessage> received = new ArrayList<>();
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                receiver.receiveMessages(2, Duration.ofSeconds(1)).forEach(received::add);
                return received.size() == 2;
            });
            ServiceBusReceivedMessage value = received.get(0);
            ServiceBusReceivedMessage sequence = received.get(1);

            assertThat(value.getRawAmqpMessage().getBody().getBodyType()).isEqualTo(AmqpMessageBodyType.VALUE);
            assertThat(value.getRawAmqpMessage().getBody().getValue()).isEqualTo(Map.of("requestId", "v-1"));
            assertThatThrownBy(value::getBody).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("VALUE");
            assertThat(sequence.getRawAmqpMessage().getBody().getBodyType()).isEqualTo(AmqpMessageBodyType.SEQUENCE);
            assertThat(sequence.getRawAmqpMessage().getBody().getSequence()).containsExactly("seq", 1L);
            assertThatThrownBy(sequence::getBody).isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("SEQUENCE");
            received.forEach(receiver::complete);
        }
    }

    private static com.azure.messaging.servicebus.ServiceBusClientBuilder builder() {
        return ServiceBusStandInConformanceTest.builder(standIn.connectionString(), Duration.ofSeconds(5));
    }
}
