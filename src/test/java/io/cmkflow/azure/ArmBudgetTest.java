package io.cmkflow.azure;

import io.cmkflow.standins.arm.RoleDefinition;
import com.azure.core.http.HttpMethod;
import com.azure.resourcemanager.AzureResourceManager;
import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.standins.arm.JournalEntry;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.temporal.activity.ActivityInterface;
import io.temporal.activity.ActivityOptions;
import io.temporal.failure.CanceledFailure;
import io.temporal.common.RetryOptions;
import io.temporal.testing.TestActivityEnvironment;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.catchThrowable;
import static org.awaitility.Awaitility.await;

/**
 * The token bucket behind cmkflow's ARM budget (reservations in arrival order, refill rate, cap, refusal beyond the
 * longest wait), which requests it budgets, and a request refused by the budget against the simulator: THROTTLED
 * with the wait as Retry-After, and never sent.
 */
class ArmBudgetTest {
    private static final long SECOND = TimeUnit.SECONDS.toNanos(1);

    @RegisterExtension
    // Writes resource groups, which cmkflow's role does not allow: the budget is under test, not the role.
    static CmkStack azure = CmkStack.azureOnly().callerRole(RoleDefinition.owner()).build();

    @Test
    void aFullBucketServesItsBurstAtOnceThenOneTokenPerRefillIntervalInArrivalOrder() {
        TokenBucket bucket = new TokenBucket(3, 5, 0);

        List<Long> waits = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            waits.add(bucket.reserve(0, 10 * SECOND).waitNanos());
        }

        assertThat(waits).containsExactly(0L, 0L, 0L, SECOND / 5, 2 * SECOND / 5, 3 * SECOND / 5);
    }

    @Test
    void tokensRefillAtTheRateUpToTheCapacityOnly() {
        TokenBucket bucket = new TokenBucket(2, 10, 0);
        bucket.reserve(0, 0);
        bucket.reserve(0, 0);

        assertThat(bucket.reserve(SECOND / 10, 0)).isEqualTo(new TokenBucket.Reservation(true, 0));
        // An hour idle refills two tokens, not 36 000.
        long later = 3600 * SECOND;
        assertThat(bucket.reserve(later, 0).granted()).isTrue();
        assertThat(bucket.reserve(later, 0).granted()).isTrue();
        assertThat(bucket.reserve(later, 0).granted()).isFalse();
    }

    @Test
    void aWaitLongerThanTheBoundIsRefusedAndReservesNothing() {
        TokenBucket bucket = new TokenBucket(1, 1, 0);
        bucket.reserve(0, 0);

        TokenBucket.Reservation refused = bucket.reserve(0, SECOND / 2);
        TokenBucket.Reservation next = bucket.reserve(0, SECOND);

        assertThat(refused).isEqualTo(new TokenBucket.Reservation(false, SECOND));
        // The refusal took nothing: the next caller still waits one interval, not two.
        assertThat(next).isEqualTo(new TokenBucket.Reservation(true, SECOND));
    }

    @Test
    void sendTimesItHandsOutNeverExceedTheBucketInAnyWindow() {
        TokenBucket bucket = new TokenBucket(4, 3, 0);
        List<Long> sends = new ArrayList<>();
        Random random = new Random(42);
        long now = 0;
        for (int i = 0; i < 300; i++) {
            now += (long) (random.nextDouble() * SECOND / 2);
            TokenBucket.Reservation r = bucket.reserve(now, 60 * SECOND);
            sends.add(now + r.waitNanos());
        }
        sends.sort(null);
        for (int i = 0; i < sends.size(); i++) {
            for (int j = i; j < sends.size(); j++) {
                assertThat(j - i + 1).isLessThanOrEqualTo((int) Math.floor(4 + 3.0 * (sends.get(j) - sends.get(i)) / SECOND + 1e-9));
            }
        }
    }

    @Test
    void writesAndReadsNamingASubscriptionAreBudgetedAndNothingElse() {
        assertThat(ArmBudget.subscription("/subscriptions/ABC-1/resourceGroups/rg")).isEqualTo("abc-1");
        assertThat(ArmBudget.subscription("/subscriptions/abc-1")).isEqualTo("abc-1");
        assertThat(ArmBudget.subscription("//subscriptions/abc-1/providers/Microsoft.KeyVault/vaults/kv")).isEqualTo("abc-1");
        assertThat(ArmBudget.subscription("/providers/Microsoft.Authorization/operations")).isNull();
        assertThat(ArmBudget.subscription("/keys/cmk-1/create")).isNull();
        assertThat(ArmBudget.subscription("/v1.0/servicePrincipals(appId='a')")).isNull();
        assertThat(List.of(HttpMethod.PUT, HttpMethod.PATCH, HttpMethod.POST, HttpMethod.DELETE))
                .allMatch(m -> ArmBudget.kind(m) == ArmBudget.Kind.write);
        assertThat(List.of(HttpMethod.GET, HttpMethod.HEAD)).allMatch(m -> ArmBudget.kind(m) == ArmBudget.Kind.read);
    }

    @Test
    void settingsOutsideTheirRangeNameTheSetting() {
        assertThatIllegalArgumentException().isThrownBy(() -> new ArmBudgetSettings(10, 10, 25, 250, Duration.ofSeconds(30), 10, Duration.ofSeconds(1)))
                .withMessageContaining("cmkflow.azure.budget.write-burst");
        assertThatIllegalArgumentException().isThrownBy(() -> new ArmBudgetSettings(0, 200, 25, 250, Duration.ofSeconds(30), 10, Duration.ofSeconds(1)))
                .withMessageContaining("cmkflow.azure.budget.writes-per-second");
    }

    @Test
    void aWriteTheBudgetCannotServeWithinMaxWaitFailsThrottledWithTheWaitAndIsNeverSent() {
        String subscription = "00000000-0000-4000-8000-0000000000b1";
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        // Two tokens, one usable (0.1/s x 10 s transit allowance kept spare), refilling one per 10 s; no wait allowed.
        AzureClients clients = new AzureClients(azure.connection(), new ManagedGroupRegistry(), TransientFaultRetryStrategy.defaults(),
                PrincipalSettings.lookedUp(), new ArmBudgetSettings(0.1, 2, 25, 500, Duration.ZERO, 10, Duration.ofSeconds(10)), registry);
        AzureResourceManager arm = clients.resourceManager(AzureCloud.PUBLIC, TestRequests.TENANT, subscription);
        arm.resourceGroups().define("rg-budget-1").withRegion(TestRequests.LOCATION).create();

        Throwable refused = catchThrowable(() -> arm.resourceGroups().define("rg-budget-2").withRegion(TestRequests.LOCATION).create());

        AzureFailure failure = AzureErrorClassifier.classify(refused);
        assertThat(failure.errorClass()).isEqualTo(AzureErrorClass.THROTTLED);
        assertThat(failure.code()).isEqualTo("ClientBudgetExhausted");
        // The rest of the 10 s refill interval, however long the first create took.
        assertThat(failure.retryAfter()).isPositive().isLessThanOrEqualTo(Duration.ofSeconds(10));
        assertThat(azure.arm().journal().where(e -> subscription.equals(e.subscription()) && e.isWrite()))
                .extracting(e -> e.path()).containsExactly("/subscriptions/" + subscription + "/resourceGroups/rg-budget-1");
        assertThat(registry.get(ArmBudget.REFUSED).tag("kind", "write").counter().count()).isEqualTo(1);
    }

    /** A step of the test below: two resource group creates in one subscription, the second held back by the budget. */
    @ActivityInterface
    public interface TwoCreates {
        void createBoth(String subscription);
    }

    @Test
    void anActivityCancelledWhileItsRequestWaitsForTheBudgetStopsWaitingAndNeverSendsIt() throws Exception {
        String subscription = "00000000-0000-4000-8000-0000000000b2";
        // One usable write token refilling one per 10 s, and waits of up to 30 s allowed: the second create waits.
        AzureClients clients = new AzureClients(azure.connection(), new ManagedGroupRegistry(), TransientFaultRetryStrategy.defaults(),
                PrincipalSettings.lookedUp(), new ArmBudgetSettings(0.1, 2, 25, 500, Duration.ofSeconds(30), 10, Duration.ofSeconds(10)),
                new SimpleMeterRegistry());
        AzureResourceManager arm = clients.resourceManager(AzureCloud.PUBLIC, TestRequests.TENANT, subscription);
        TestActivityEnvironment env = TestActivityEnvironment.newInstance();
        try {
            // The body carried by its thread, as ActivityFailures.run runs every step's.
            env.registerActivitiesImplementations((TwoCreates) sub -> ActivityHeartbeat.carried(() -> {
                arm.resourceGroups().define("rg-budget-first").withRegion(TestRequests.LOCATION).create();
                return arm.resourceGroups().define("rg-budget-held").withRegion(TestRequests.LOCATION).create();
            }));
            TwoCreates step = env.newActivityStub(TwoCreates.class, ActivityOptions.newBuilder()
                    .setStartToCloseTimeout(Duration.ofMinutes(1)).setHeartbeatTimeout(Duration.ofSeconds(20))
                    .setRetryOptions(RetryOptions.newBuilder().setMaximumAttempts(1).build()).build());
            CompletableFuture<Void> attempt = CompletableFuture.runAsync(() -> step.createBoth(subscription));
            await().atMost(Duration.ofSeconds(30)).until(() -> !writesIn(subscription).isEmpty());

            env.requestCancelActivity();

            // The wait's next heartbeat learns of the cancel (within its 5 s slice, well before the 10 s refill).
            Throwable ended = catchThrowable(() -> attempt.get(30, TimeUnit.SECONDS));
            assertThat(ended).isInstanceOf(ExecutionException.class).hasRootCauseInstanceOf(CanceledFailure.class);
            assertThat(writesIn(subscription)).containsExactly("/subscriptions/" + subscription + "/resourceGroups/rg-budget-first");
        } finally {
            env.close();
        }
    }

    private static List<String> writesIn(String subscription) {
        return azure.arm().journal().where(e -> subscription.equals(e.subscription()) && e.isWrite()).stream()
                .map(JournalEntry::path).toList();
    }
}
