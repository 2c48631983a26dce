package io.cmkflow.azure;

import io.cmkflow.contract.AzureErrorClass;
import com.azure.core.http.HttpMethod;
import com.azure.core.http.HttpPipelineCallContext;
import com.azure.core.http.HttpPipelineNextPolicy;
import com.azure.core.http.HttpPipelineNextSyncPolicy;
import com.azure.core.http.HttpResponse;
import com.azure.core.http.policy.HttpPipelinePolicy;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import reactor.core.publisher.Mono;

import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * cmkflow's client-side ARM budget ({@link ArmBudgetSettings}): before each ARM request that names a subscription
 * ({@code /subscriptions/{id}/...}) it takes a token from that subscription's write bucket (PUT, PATCH, POST,
 * DELETE) or read bucket (GET, HEAD), waiting until the token is there, so cmkflow paces itself instead of relying
 * on ARM's 429s. Requests without a subscription (tenant-level ARM, Graph, the Key Vault data plane) pass freely.
 * <p>
 * Each bucket holds {@code rate x transit-allowance} tokens fewer than the configured burst: ARM counts a request
 * when it arrives, and requests that left within budget can arrive bunched (the earlier ones delayed on the way). If
 * sends fit a bucket of {@code c} tokens and each arrives at most {@code J} later, any window of {@code w} holds
 * arrivals sent within {@code w + J}: at most {@code c + rate x (w + J)}, within ARM's {@code burst + rate x w} when
 * {@code c <= burst - rate x J}.
 * <p>
 * The async path (the management SDK) waits without a thread ({@code Mono.delay}); the sync path sleeps. Either way
 * it heartbeats every few seconds while inside an activity, so a cancelled activity stops waiting; and a wait longer
 * than {@code max-wait} is refused up front as THROTTLED with the wait as Retry-After, so Temporal schedules the step
 * again instead of an activity holding its slot. Buckets live per worker process, for the {@code subscriptions}
 * most recently used subscriptions. Metrics: {@code cmkflow_arm_budget_wait_seconds{kind}} (requests that waited, and
 * how long) and {@code cmkflow_arm_budget_refused_total{kind}}.
 */
public final class ArmBudget implements HttpPipelinePolicy {
    public static final String WAIT = "cmkflow.arm.budget.wait";
    public static final String REFUSED = "cmkflow.arm.budget.refused";
    /** How often a long wait heartbeats (well below the steps' two-minute heartbeat timeout). */
    private static final long HEARTBEAT_SLICE_NANOS = TimeUnit.SECONDS.toNanos(5);

    enum Kind { write, read }

    private final ArmBudgetSettings settings;
    private final Map<String, TokenBucket> buckets;
    private final Map<Kind, Timer> waits = new EnumMap<>(Kind.class);
    private final Map<Kind, Counter> refusals = new EnumMap<>(Kind.class);

    public ArmBudget(ArmBudgetSettings settings, MeterRegistry registry) {
        this.settings = settings;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, TokenBucket> eldest) {
                return size() > 2 * settings.subscriptions();
            }
        };
        for (Kind kind : Kind.values()) {
            waits.put(kind, Timer.builder(WAIT).tag("kind", kind.name())
                    .description("ARM requests that waited for cmkflow's per-subscription budget, and how long").register(registry));
            refusals.put(kind, Counter.builder(REFUSED).tag("kind", kind.name())
                    .description("ARM requests refused because cmkflow's budget had no token within max-wait").register(registry));
        }
    }

    @Override
    public Mono<HttpResponse> process(HttpPipelineCallContext context, HttpPipelineNextPolicy next) {
        return Mono.defer(() -> {
            long wait = take(context);
            if (wait == 0) {
                return next.process();
            }
            // Taken here, on the thread that subscribed: the activity's own when the SDK call blocks on it.
            Runnable heartbeat = ActivityHeartbeat.current();
            return sleep(wait, heartbeat).then(Mono.defer(next::process));
        });
    }

    @Override
    public HttpResponse processSync(HttpPipelineCallContext context, HttpPipelineNextSyncPolicy next) {
        long wait = take(context);
        if (wait > 0) {
            Runnable heartbeat = ActivityHeartbeat.current();
            long until = System.nanoTime() + wait;
            for (long left = wait; left > 0; left = until - System.nanoTime()) {
                try {
                    TimeUnit.NANOSECONDS.sleep(Math.min(left, HEARTBEAT_SLICE_NANOS));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted waiting for the ARM budget", e);
                }
                if (until - System.nanoTime() > 0) {
                    heartbeat.run();
                }
            }
        }
        return next.processSync();
    }

    private static Mono<Void> sleep(long nanos, Runnable heartbeat) {
        long slice = Math.min(nanos, HEARTBEAT_SLICE_NANOS);
        Mono<Void> delay = Mono.delay(Duration.ofNanos(slice)).then();
        return slice == nanos ? delay : delay.then(Mono.defer(() -> {
            heartbeat.run();
            return sleep(nanos - slice, heartbeat);
        }));
    }

    /** Reserves the request's token; returns how long to wait for it (0: at once, or not budgeted). */
    private long take(HttpPipelineCallContext context) {
        String subscription = subscription(context.getHttpRequest().getUrl().getPath());
        Kind kind = kind(context.getHttpRequest().getHttpMethod());
        if (subscription == null || kind == null) {
            return 0;
        }
        TokenBucket.Reservation reservation = bucket(subscription, kind)
                .reserve(System.nanoTime(), settings.maxWait().toNanos());
        if (!reservation.granted()) {
            refusals.get(kind).increment();
            Duration retryAfter = Duration.ofNanos(reservation.waitNanos());
            throw new AzureStepException(new AzureFailure(AzureErrorClass.THROTTLED, "ClientBudgetExhausted", 0,
                    "cmkflow's " + kind + " budget for subscription " + subscription + " has no token within "
                            + settings.maxWait() + " (" + rate(kind) + " per second)", retryAfter));
        }
        if (reservation.waitNanos() > 0) {
            waits.get(kind).record(reservation.waitNanos(), TimeUnit.NANOSECONDS);
        }
        return reservation.waitNanos();
    }

    private TokenBucket bucket(String subscription, Kind kind) {
        synchronized (buckets) {
            return buckets.computeIfAbsent(subscription + "|" + kind, key -> kind == Kind.write
                    ? new TokenBucket(settings.usableWriteBurst(), settings.writesPerSecond(), System.nanoTime())
                    : new TokenBucket(settings.usableReadBurst(), settings.readsPerSecond(), System.nanoTime()));
        }
    }

    private double rate(Kind kind) {
        return kind == Kind.write ? settings.writesPerSecond() : settings.readsPerSecond();
    }

    static Kind kind(HttpMethod method) {
        return switch (method) {
            case PUT, PATCH, POST, DELETE -> Kind.write;
            case GET, HEAD -> Kind.read;
            default -> null;
        };
    }

    /**
     * The subscription id of an ARM path {@code /subscriptions/{id}/...} (lower case), or null. Empty segments are
     * skipped: some SDK clients join an endpoint ending in {@code /} with a path starting with one ({@code //subscriptions}).
     */
    static String subscription(String path) {
        if (path == null) {
            return null;
        }
        int start = 0;
        while (start < path.length() && path.charAt(start) == '/') {
            start++;
        }
        String prefix = "subscriptions/";
        if (!path.regionMatches(true, start, prefix, 0, prefix.length())) {
            return null;
        }
        String rest = path.substring(start + prefix.length());
        int end = rest.indexOf('/');
        String id = end < 0 ? rest : rest.substring(0, end);
        return id.isEmpty() ? null : id.toLowerCase(Locale.ROOT);
    }
}
