package io.cmkflow.azure;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.VaultOutcome;
import io.cmkflow.standins.arm.FaultRule;
import io.cmkflow.standins.arm.Throttling;
import io.cmkflow.contract.CmkRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.time.Duration;

import static io.cmkflow.testing.CmkStack.NO_HEARTBEAT;
import static io.cmkflow.testing.TestRequests.owner;
import static io.cmkflow.testing.TestRequests.request;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Azure's answers, injected into the simulator, reach the caller classified; the SDK does not retry 429 by itself. */
class AzureErrorClassificationTest {

    @RegisterExtension
    static final CmkStack azure = CmkStack.azureOnly().requestTarget().build();
    private static KeyVaultStep vaults;

    @BeforeAll
    static void steps() {
        vaults = new KeyVaultStep(azure.clients(), CmkStack.FAST_POLLING);
    }

    @BeforeEach
    void clearJournal() {
        azure.arm().journal().clear();
    }

    @AfterEach
    void clearFaults() {
        azure.arm().faults().clear();
        azure.arm().throttling().disable();
    }

    @ParameterizedTest(name = "{0} {1} -> NON_RETRYABLE")
    @CsvSource({
            "401, InvalidAuthenticationToken",
            "403, AuthorizationFailed",
            "403, LinkedAuthorizationFailed",
            "403, RequestDisallowedByPolicy",
            "409, QuotaExceeded",
            "409, SkuNotAvailable",
            "409, VaultAlreadyExists",
            "404, ResourceGroupNotFound",
            "400, NoRegisteredProviderFound",
            "400, InvalidRequestContent"})
    void nonRetryableAnswersSurfaceAsNonRetryable(int status, String code) {
        azure.arm().faults().inject(FaultRule.forOperation("Vaults_CreateOrUpdate").status(status).code(code)
                .message("injected " + code).times(5));

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> vaults.ensure(request("nr" + code.toLowerCase().substring(0, 8)), owner("nr"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo(code);
        assertThat(e.failure().httpStatus()).isEqualTo(status);
        assertThat(azure.arm().journal().byOperation("Vaults_CreateOrUpdate")).as("no SDK retry of a non-retryable answer").hasSize(1);
    }

    @Test
    void aDeletedVaultConflictIsNonRetryable() {
        azure.arm().faults().inject(FaultRule.forOperation("Vaults_CreateOrUpdate").status(409).code("ConflictError")
                .message("A vault with the same name already exists in deleted state. You need to either recover or purge existing key vault.")
                .times(1));

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> vaults.ensure(request("delconf"), owner("delconf"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.NON_RETRYABLE);
        assertThat(e.failure().code()).isEqualTo("ConflictError");
    }

    @Test
    void transientServerErrorsAreRetriedBrieflyByTheSdkThenSurfaceAsRetryable() {
        azure.arm().faults().inject(FaultRule.forOperation("Vaults_Get").status(503).code("ServiceUnavailable")
                .message("try later").times(3));

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> vaults.ensure(request("flaky"), owner("flaky"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.RETRYABLE);
        assertThat(e.failure().httpStatus()).isEqualTo(503);
        assertThat(azure.arm().journal().byOperation("Vaults_Get")).hasSize(3);
    }

    @Test
    void aSingleTransientErrorIsAbsorbedByTheSdkRetry() {
        azure.arm().faults().inject(FaultRule.forOperation("Vaults_CreateOrUpdate").status(500).code("InternalServerError")
                .message("blip").times(1));

        assertThat(vaults.ensure(request("blip"), owner("blip"), new PreexistingResources(), NO_HEARTBEAT).disposition())
                .isEqualTo(io.cmkflow.contract.VaultOutcome.Disposition.CREATED);
        assertThat(azure.arm().journal().byOperation("Vaults_CreateOrUpdate")).hasSize(2);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"RetryableErrorDueToAnotherOperation", "AnotherOperationInProgress"})
    void operationConflictsAreRetryable(String code) {
        azure.arm().faults().inject(FaultRule.forOperation("Vaults_CreateOrUpdate").status(409).code(code).message("busy").times(1));

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> vaults.ensure(request("busy" + code.length()), owner("busy"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.RETRYABLE);
        assertThat(e.failure().code()).isEqualTo(code);
    }

    @Test
    void throttlingSurfacesAsThrottledWithAzuresRetryAfter_withoutAnSdkRetry() {
        azure.arm().faults().inject(FaultRule.forOperation("Vaults_Get").status(429).code("TooManyRequests")
                .message("slow down").retryAfterSeconds(7).times(1));

        AzureStepException e = catchThrowableOfType(AzureStepException.class,
                () -> vaults.ensure(request("throttled"), owner("throttled"), new PreexistingResources(), NO_HEARTBEAT));

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.THROTTLED);
        assertThat(e.failure().retryAfter()).isEqualTo(Duration.ofSeconds(7));
        assertThat(e.failure().httpStatus()).isEqualTo(429);
        assertThat(azure.arm().journal().byOperation("Vaults_Get")).as("the SDK must not wait out Retry-After itself").hasSize(1);
    }

    @Test
    void armTokenBucketThrottlingIsClassifiedTheSameWay() {
        azure.arm().throttling().enable(new Throttling.Limits(1, 0.01, 1, 0.01));
        CmkRequest request = request("bucket");

        AzureStepException e = catchThrowableOfType(AzureStepException.class, () -> {
            vaults.ensure(request, owner("bucket"), new PreexistingResources(), NO_HEARTBEAT);
            vaults.ensure(request, owner("bucket"), new PreexistingResources(), NO_HEARTBEAT);
        });

        assertThat(e.failure().errorClass()).isEqualTo(AzureErrorClass.THROTTLED);
        assertThat(e.failure().retryAfter()).isPositive();
    }
}
