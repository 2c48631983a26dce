package io.cmkflow.soak;

import io.cmkflow.testing.FreePorts;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.workflow.CmkStatus;
import io.micronaut.runtime.server.EmbeddedServer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The small version of the soak (bench/SoakBench runs the large one through the same {@link SoakRun}), with the
 * simulator throttling at exactly the worker's budget: concurrent runs in one subscription all succeed with no 429
 * and within the budget in every window, waiting for it as /prometheus shows; and a load with injected faults and
 * poison messages over three subscriptions ends each request as its fault dictates, losing none.
 */
class SoakTest {
    private static final SoakRun.Budget BUDGET = new SoakRun.Budget(10, 5, 60, 30);
    private static final int MANAGEMENT_PORT = FreePorts.next();

    @RegisterExtension
    static CmkStack stack = BUDGET.stack().resetBeforeEach()
            .property("micronaut.server.port", FreePorts.next())
            .property("endpoints.all.port", MANAGEMENT_PORT)
            .build();

    @BeforeAll
    static void serveManagementPort() {
        stack.app().getBean(EmbeddedServer.class).start();
    }

    @Test
    void concurrentRunsInOneSubscriptionAllSucceedWithinTheWriteBudgetAndNoThrottling() throws Exception {
        double waitedBefore = budgetWaits();

        SoakRun.Result result = SoakRun.run(stack, new SoakRun.Options(4, 0, 1, 1, 0, 0, Duration.ofSeconds(90)), BUDGET);
        System.out.println(result.summary());
        System.out.println(scrape().lines().filter(l -> l.startsWith("cmkflow_arm_budget")).toList());

        assertThat(result.violations()).isEmpty();
        assertThat(result.outcomes()).isEqualTo(Map.of(CmkStatus.Succeeded, 4));
        assertThat(result.answered429()).isZero();
        assertThat(result.worstWrites().values()).singleElement().satisfies(window -> assertThat(window.withinBudget()).isTrue());
        // More writes than one burst: the refill rate is what held them back.
        assertThat(result.writes()).isGreaterThan(BUDGET.writeBurst());
        assertThat(budgetWaits()).isGreaterThan(waitedBefore);
    }

    @Test
    void aLoadWithInjectedFaultsAndPoisonEndsEachRequestAsItsFaultDictatesAndLosesNone() {
        SoakRun.Result result = SoakRun.run(stack, new SoakRun.Options(16, 0.3, 7, 2, 2, 1, Duration.ofSeconds(120)), BUDGET);
        System.out.println(result.summary());

        assertThat(result.violations()).isEmpty();
        assertThat(result.planned().keySet()).containsExactlyInAnyOrder(SoakRun.Fault.values());
        assertThat(result.runs()).isEqualTo(16);
        assertThat(result.deadLetters()).isEqualTo(2);
        assertThat(result.lost()).isZero();
        assertThat(result.managedGroupDeletes()).isZero();
        assertThat(result.outcomes()).containsOnlyKeys(CmkStatus.Succeeded, CmkStatus.AwaitingOperator, CmkStatus.Compensated);
        assertThat(result.provisionings()).singleElement().satisfies(p -> assertThat(p.writes()).isPositive());
    }

    /** Requests that waited for the write budget, as /prometheus serves them. */
    private static double budgetWaits() throws Exception {
        Matcher m = Pattern.compile("(?m)^cmkflow_arm_budget_wait_seconds_count\\{kind=\"write\"} (\\S+)$").matcher(scrape());
        return m.find() ? Double.parseDouble(m.group(1)) : 0;
    }

    private static String scrape() throws Exception {
        return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://localhost:" + MANAGEMENT_PORT + "/prometheus"))
                .build(), HttpResponse.BodyHandlers.ofString()).body();
    }
}
