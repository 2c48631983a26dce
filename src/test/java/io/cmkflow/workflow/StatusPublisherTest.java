package io.cmkflow.workflow;

import io.cmkflow.contract.StatusEvent;
import io.temporal.activity.ActivityOptions;
import io.temporal.common.RetryOptions;
import io.temporal.failure.ActivityFailure;
import io.temporal.failure.ApplicationFailure;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link StatusPublisher#inOrder}: the progress a batch records in its heartbeat, and what a retried attempt sends. */
class StatusPublisherTest {

    private static final List<StatusEvent> BATCH = List.of(event("e1"), event("e2"), event("e3"));

    private TestActivityEnvironment env;
    private final List<Integer> heartbeats = new CopyOnWriteArrayList<>();
    private final List<String> sent = new CopyOnWriteArrayList<>();
    private volatile String refused;

    @BeforeEach
    void environment() {
        env = TestActivityEnvironment.newInstance();
        env.registerActivitiesImplementations(new StatusPublisher() {
            private void publish(StatusEvent event) {
                if (event.eventId().equals(refused)) {
                    throw ApplicationFailure.newFailure("status queue unavailable", "RETRYABLE");
                }
                sent.add(event.eventId());
            }

            @Override
            public void publishAll(List<StatusEvent> events) {
                StatusPublisher.inOrder(events, this::publish);
            }
        });
        env.setActivityHeartbeatListener(Integer.class, heartbeats::add);
    }

    @AfterEach
    void close() {
        env.close();
    }

    @Test
    void anAttemptThatFailsPartWayHasRecordedWhatItSent_andTheRetrySendsOnlyTheRest() {
        refused = "e2";
        assertThatThrownBy(() -> publisher().publishAll(BATCH)).isInstanceOf(ActivityFailure.class);
        assertThat(sent).containsExactly("e1");
        assertThat(heartbeats).containsExactly(1);

        // The retry, as Temporal runs it: with the last attempt's heartbeat details.
        refused = null;
        env.setHeartbeatDetails(1);
        publisher().publishAll(BATCH);

        assertThat(sent).containsExactly("e1", "e2", "e3");
    }

    @Test
    void aBatchSentWholeHeartbeatsBetweenEventsOnly() {
        publisher().publishAll(BATCH);

        assertThat(sent).containsExactly("e1", "e2", "e3");
        // Progress after the first (Temporal sends the first at once and throttles the rest), none after the last:
        // the completion reports it, and a first heartbeat there would hold the completion up.
        assertThat(heartbeats).startsWith(1).doesNotContain(BATCH.size());
    }

    @Test
    void aSingleEventMakesNoHeartbeat() {
        publisher().publishAll(List.of(event("only")));

        assertThat(sent).containsExactly("only");
        assertThat(heartbeats).isEmpty();
    }

    private StatusPublisher publisher() {
        return env.newActivityStub(StatusPublisher.class, ActivityOptions.newBuilder()
                .setStartToCloseTimeout(Duration.ofSeconds(10))
                .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build())
                .build());
    }

    private static StatusEvent event(String id) {
        return new StatusEvent(id, "req-1", "wf-1", StatusEvent.Type.step_done, "Running", "key vault", "done",
                "2026-12-01T00:00:00Z", null, null);
    }
}
