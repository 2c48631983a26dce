package io.cmkflow.bench;

import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.workflow.CmkRunState;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;

/**
 * One measured run: its request, when the client started it and saw it finish, its final state, and the ARM requests
 * it made (the simulator journal's entries in its own subscription).
 */
record RunTiming(CmkRequest request, Instant started, Instant finished, CmkRunState state, List<JournalEntry> armCalls) {

    Duration endToEnd() {
        return Duration.between(started, finished);
    }

    /**
     * ARM requests on the run's critical path: a request counts when it arrived after the previous counted one had
     * been held for {@code latency}, i.e. it did not overlap it. With every call delayed by {@code latency}, that is
     * the longest chain of calls the run had to wait for one after the other.
     */
    int criticalPathCalls(Duration latency) {
        List<Instant> arrivals = armCalls.stream().map(JournalEntry::receivedAt).sorted(Comparator.naturalOrder()).toList();
        int chain = 0;
        Instant previousDone = Instant.MIN;
        for (Instant arrival : arrivals) {
            if (!arrival.isBefore(previousDone)) {
                chain++;
                previousDone = arrival.plus(latency);
            }
        }
        return chain;
    }

    /** The ARM requests that arrived within {@code [from, to]}. */
    List<JournalEntry> callsBetween(Instant from, Instant to) {
        return armCalls.stream().filter(e -> !e.receivedAt().isBefore(from) && !e.receivedAt().isAfter(to)).toList();
    }
}
