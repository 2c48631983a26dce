package io.cmkflow.standins.arm;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/** Injected faults, consulted before each request is served. Thread-safe. */
public final class Faults {
    private static final class Active {
        final FaultRule rule;
        int remaining;

        Active(FaultRule rule) {
            this.rule = rule;
            this.remaining = rule.times();
        }
    }

    private final List<Active> active = new ArrayList<>();

    /** Adds a rule; rules are tried in the order injected. */
    public synchronized Faults inject(FaultRule rule) {
        active.add(new Active(rule));
        return this;
    }

    public synchronized void clear() {
        active.clear();
    }

    /** How many more requests the rules still to fire will fail (0 once all have fired). */
    public synchronized long pending() {
        return active.stream().mapToLong(a -> a.remaining).sum();
    }

    /** The error for this request, consuming one use of the first matching rule; null when no rule matches. */
    synchronized ArmError take(ArmRequest request) {
        Iterator<Active> it = active.iterator();
        while (it.hasNext()) {
            Active a = it.next();
            if (a.rule.matches(request)) {
                if (a.remaining != Integer.MAX_VALUE) {
                    a.remaining--;
                }
                if (a.remaining == 0) {
                    it.remove();
                }
                ArmError error = new ArmError(a.rule.status(), a.rule.code(), a.rule.errorMessage());
                if (a.rule.retryAfterSeconds() != null) {
                    error.header("Retry-After", Integer.toString(a.rule.retryAfterSeconds()));
                }
                return error;
            }
        }
        return null;
    }
}
