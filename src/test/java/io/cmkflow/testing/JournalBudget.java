package io.cmkflow.testing;

import io.cmkflow.standins.arm.JournalEntry;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * What the simulator journal says about ARM requests against a token bucket: per subscription, whether in every
 * window of arrivals the requests stayed within {@code burst + rate x window}, and the busiest one-second window.
 */
public final class JournalBudget {

    /** The worst window of one subscription's requests: how many arrived in it against what the bucket allows. */
    public record Window(String subscription, int requests, Duration length, double allowed) {
        public boolean withinBudget() {
            return requests <= allowed;
        }
    }

    private JournalBudget() {
    }

    /**
     * Per subscription, the window whose requests exceed {@code burst + perSecond x length} the most (or come closest):
     * every pair of arrivals i &lt;= j is a window of j - i + 1 requests.
     */
    public static Map<String, Window> worstWindows(List<JournalEntry> requests, int burst, double perSecond) {
        Map<String, Window> worst = new TreeMap<>();
        bySubscription(requests).forEach((subscription, arrivals) -> {
            Window found = null;
            double worstExcess = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < arrivals.size(); i++) {
                for (int j = i; j < arrivals.size(); j++) {
                    long nanos = arrivals.get(j) - arrivals.get(i);
                    double allowed = burst + perSecond * nanos / 1e9;
                    double excess = (j - i + 1) - allowed;
                    if (excess > worstExcess) {
                        worstExcess = excess;
                        found = new Window(subscription, j - i + 1, Duration.ofNanos(nanos), allowed);
                    }
                }
            }
            worst.put(subscription, found);
        });
        return worst;
    }

    /** Per subscription, the most requests that arrived within any one second. */
    public static Map<String, Integer> busiestSecond(List<JournalEntry> requests) {
        Map<String, Integer> busiest = new TreeMap<>();
        bySubscription(requests).forEach((subscription, arrivals) -> {
            int most = 0;
            int from = 0;
            for (int to = 0; to < arrivals.size(); to++) {
                while (arrivals.get(to) - arrivals.get(from) >= 1_000_000_000L) {
                    from++;
                }
                most = Math.max(most, to - from + 1);
            }
            busiest.put(subscription, most);
        });
        return busiest;
    }

    /** Arrival times (nanoseconds since the epoch), sorted, per subscription; requests naming none are left out. */
    private static Map<String, List<Long>> bySubscription(List<JournalEntry> requests) {
        return requests.stream().filter(e -> e.subscription() != null)
                .collect(Collectors.groupingBy(e -> e.subscription().toLowerCase(Locale.ROOT), TreeMap::new,
                        Collectors.collectingAndThen(Collectors.mapping(
                                e -> e.receivedAt().getEpochSecond() * 1_000_000_000L + e.receivedAt().getNano(),
                                Collectors.toCollection(ArrayList::new)), list -> {
                                    list.sort(null);
                                    return list;
                                })));
    }
}
