package io.cmkflow.standins.arm;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Faults, throttling and latency as the real SDK experiences them (its retry policy included). */
class SdkResilienceTest {
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();

    @Test
    void sdkWaitsOutA429AndSucceeds() {
        session.arm().throttling().enable(new Throttling.Limits(1, 1.0, 100, 10));
        session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().define("rg-throttle-1").withRegion(Region.EUROPE_WEST).create();

        long started = System.nanoTime();
        session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().define("rg-throttle-2").withRegion(Region.EUROPE_WEST).create();
        Duration waited = Duration.ofNanos(System.nanoTime() - started);

        assertThat(session.arm().journal().byOperation("ResourceGroups_CreateOrUpdate")).extracting(JournalEntry::status)
                .containsExactly(201, 429, 201);
        assertThat(waited).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(session.arm().state().resourceGroup(TestRequests.SUBSCRIPTION, "rg-throttle-2")).isPresent();
    }

    @Test
    void nonRetryableFaultSurfacesItsCodeThenTheOperationWorks() {
        session.arm().faults().inject(FaultRule.forOperation("ResourceGroups_CreateOrUpdate").status(403)
                .code("RequestDisallowedByPolicy").message("Resource 'rg-policy' was disallowed by policy."));

        assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().define("rg-policy").withRegion(Region.EUROPE_WEST)
                .create())
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(403);
                    assertThat(e.getValue().getCode()).isEqualTo("RequestDisallowedByPolicy");
                    assertThat(e.getValue().getMessage()).contains("disallowed by policy");
                });
        assertThat(session.arm().state().resourceGroup(TestRequests.SUBSCRIPTION, "rg-policy")).isEmpty();

        session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().define("rg-policy").withRegion(Region.EUROPE_WEST).create();
        assertThat(session.arm().state().resourceGroup(TestRequests.SUBSCRIPTION, "rg-policy")).isPresent();
    }

    @Test
    void retryableFaultIsRetriedByTheSdkHonouringRetryAfter() {
        session.arm().state().resourceGroup(TestRequests.SUBSCRIPTION, "rg-flaky", "westeurope");
        session.arm().faults().inject(FaultRule.forOperation("ResourceGroups_Get").status(503)
                .code("ServiceUnavailable").retryAfterSeconds(1));

        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().getByName("rg-flaky").name()).isEqualTo("rg-flaky");

        var gets = session.arm().journal().byOperation("ResourceGroups_Get");
        assertThat(gets).extracting(JournalEntry::status).containsExactly(503, 200);
        assertThat(Duration.between(gets.get(0).receivedAt(), gets.get(1).receivedAt()))
                .isGreaterThanOrEqualTo(Duration.ofMillis(900));
    }

    @Test
    void latencyDelaysOnlyTheChosenOperation() {
        session.arm().state().resourceGroup(TestRequests.SUBSCRIPTION, "rg-slow", "westeurope");
        session.arm().latency().forOperation("ResourceGroups_Get", Duration.ofMillis(400));

        long started = System.nanoTime();
        session.resourceManager(TestRequests.SUBSCRIPTION).resourceGroups().getByName("rg-slow");
        Duration slow = Duration.ofNanos(System.nanoTime() - started);

        assertThat(slow).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(session.arm().latency().delayFor("ResourceGroups_CheckExistence")).isZero();
    }
}
