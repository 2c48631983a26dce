package io.cmkflow.azure;

import io.temporal.client.ActivityCanceledException;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link PollingPolicy}: when it heartbeats, and how long it waits. */
class PollingPolicyTest {

    private final PollingPolicy policy = new PollingPolicy(Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofSeconds(10));

    @Test
    void aProbeAnsweredAtOnceMakesNoHeartbeat() {
        int[] beats = {0};

        String value = policy.await("ready", () -> beats[0]++, () -> Optional.of("ready"));

        assertThat(value).isEqualTo("ready");
        assertThat(beats[0]).isZero();
    }

    @Test
    void everyWaitBeatsBeforeItSleeps_andTheNextProbeComesNoSoonerThanTheBackoff() {
        List<Long> events = new ArrayList<>();
        int[] probes = {0};
        long start = System.nanoTime();

        String value = policy.await("ready", () -> events.add(-(System.nanoTime() - start)), () -> {
            events.add(System.nanoTime() - start);
            return ++probes[0] == 3 ? Optional.of("ready") : Optional.empty();
        });

        assertThat(value).isEqualTo("ready");
        // probe, beat, probe, beat, probe: beats (negative) only between probes.
        assertThat(events).hasSize(5);
        assertThat(events).extracting(t -> t >= 0).containsExactly(true, false, true, false, true);
        assertThat(events.get(2) - events.get(0)).isGreaterThanOrEqualTo(Duration.ofMillis(50).toNanos());
        assertThat(events.get(4) - events.get(2)).isGreaterThanOrEqualTo(Duration.ofMillis(100).toNanos());
    }

    @Test
    void aCancellationTheHeartbeatLearnsOfEndsTheWait() {
        int[] probes = {0};

        assertThatThrownBy(() -> policy.await("ready", () -> {
            throw new ActivityCanceledException();
        }, () -> {
            probes[0]++;
            return Optional.empty();
        })).isInstanceOf(ActivityCanceledException.class);
        assertThat(probes[0]).isEqualTo(1);
    }
}
