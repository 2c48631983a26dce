package io.cmkflow.standins.servicebus;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class EmulatorConfigTest {

    /** The queue part of the official emulator's sample Config.json, with its topic section. */
    private static final String OFFICIAL_SAMPLE = """
            {"UserConfig": {"Namespaces": [{"Name": "sbemulatorns",
              "Queues": [{"Name": "queue.1", "Properties": {
                "DeadLetteringOnMessageExpiration": false, "DefaultMessageTimeToLive": "PT1H",
                "DuplicateDetectionHistoryTimeWindow": "PT20S", "ForwardDeadLetteredMessagesTo": "", "ForwardTo": "",
                "LockDuration": "PT1M", "MaxDeliveryCount": 3, "RequiresDuplicateDetection": false,
                "RequiresSession": false}}],
              "Topics": [{"Name": "topic.1", "Properties": {"DefaultMessageTimeToLive": "PT1H"},
                "Subscriptions": []}]}],
             "Logging": {"Type": "File"}}}
            """;

    @Test
    void theShippedConfigDeclaresTheRequestAndStatusQueues() {
        EmulatorConfig config = EmulatorConfig.loadDefault();

        assertThat(config.queues()).extracting(QueueDefinition::name).containsExactly("cmk-requests", "cmk-status");
        assertThat(config.queues().get(0)).isEqualTo(new QueueDefinition("cmk-requests", Duration.ofMinutes(1), 5,
                Duration.ofHours(1), true, true, Duration.ofMinutes(5)));
        assertThat(config.queues().get(1).requiresDuplicateDetection()).isTrue();
    }

    @Test
    void theOfficialSampleParsesAndItsTopicsAreNotServed() {
        EmulatorConfig config = EmulatorConfig.parse(OFFICIAL_SAMPLE);

        assertThat(config.queues()).containsExactly(new QueueDefinition("queue.1", Duration.ofMinutes(1), 3,
                Duration.ofHours(1), false, false, Duration.ofSeconds(20)));
    }

    @Test
    void omittedPropertiesTakeServiceBusDefaults() {
        EmulatorConfig config = EmulatorConfig.parse(
                "{\"UserConfig\":{\"Namespaces\":[{\"Name\":\"ns\",\"Queues\":[{\"Name\":\"plain\"}]}]}}");

        assertThat(config.queues()).containsExactly(QueueDefinition.withDefaults("plain"));
    }

    @Test
    void aBadDurationNamesItsFieldAndTheRule() {
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"LockDuration\": \"1 minute\"")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("UserConfig.Namespaces[0].Queues[0].Properties.LockDuration:")
                .hasMessageContaining("ISO-8601");
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"LockDuration\": \"PT10M\"")))
                .hasMessageContaining("LockDuration: must be at most PT5M");
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"DefaultMessageTimeToLive\": \"PT0S\"")))
                .hasMessageContaining("DefaultMessageTimeToLive: must be longer than zero");
    }

    @Test
    void featuresTheStandInLacksAreRefusedNotIgnored() {
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"RequiresSession\": true")))
                .hasMessageContaining("Properties.RequiresSession: must be false");
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"ForwardTo\": \"elsewhere\"")))
                .hasMessageContaining("Properties.ForwardTo: must be empty");
    }

    @Test
    void anUnknownPropertyOrWrongTypeIsRefused() {
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"LockDurtion\": \"PT1M\"")))
                .hasMessageContaining("Properties.LockDurtion: unknown queue property");
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"MaxDeliveryCount\": 0")))
                .hasMessageContaining("MaxDeliveryCount: must be an integer of at least 1");
        assertThatThrownBy(() -> EmulatorConfig.parse(queueWith("\"RequiresDuplicateDetection\": \"yes\"")))
                .hasMessageContaining("RequiresDuplicateDetection: must be true or false");
    }

    @Test
    void structuralMistakesAreNamed() {
        assertThatThrownBy(() -> EmulatorConfig.parse("{}")).hasMessage("UserConfig: is required and must be an object");
        assertThatThrownBy(() -> EmulatorConfig.parse("{\"UserConfig\":{\"Namespaces\":[]}}"))
                .hasMessage("UserConfig.Namespaces: must be a non-empty array");
        assertThatThrownBy(() -> EmulatorConfig.parse("not json")).hasMessageStartingWith("Config.json: not valid JSON");
        assertThatThrownBy(() -> EmulatorConfig.parse(
                "{\"UserConfig\":{\"Namespaces\":[{\"Queues\":[{\"Name\":\"a\"},{\"Name\":\"A\"}]}]}}"))
                .hasMessageContaining("Queues[1].Name: 'A' is declared twice");
        assertThatThrownBy(() -> EmulatorConfig.parse(
                "{\"UserConfig\":{\"Namespaces\":[{\"Queues\":[{\"Name\":\"bad name!\"}]}]}}"))
                .hasMessageContaining("Queues[0].Name: must be 1-260 letters");
    }

    private static String queueWith(String property) {
        return "{\"UserConfig\":{\"Namespaces\":[{\"Name\":\"ns\",\"Queues\":[{\"Name\":\"q\",\"Properties\":{"
                + property + "}}]}]}}";
    }
}
