package io.cmkflow.azure;

import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.InvalidRequestException;
import io.temporal.failure.ApplicationFailure;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ActivityFailuresTest {

    @Test
    void invalidInputIsANonRetryableInvalidRequestNamingFieldAndRule() {
        ApplicationFailure f = ActivityFailures.toApplicationFailure("createKey",
                new InvalidRequestException("key.size", "key.size.minimum", "must be at least 3072 bits, was 2048"));

        assertThat(f.getType()).isEqualTo("INVALID_REQUEST");
        assertThat(f.isNonRetryable()).isTrue();
        assertThat(f.getDetails().get(0, String.class)).isEqualTo("key.size");
        assertThat(f.getDetails().get(1, String.class)).isEqualTo("key.size.minimum");
    }

    @Test
    void throttledCarriesRetryAfterAsTheNextRetryDelay() {
        ApplicationFailure f = ActivityFailures.toApplicationFailure("createKeyVault", new AzureStepException(
                new AzureFailure(AzureErrorClass.THROTTLED, "TooManyRequests", 429, "slow down", Duration.ofSeconds(17))));

        assertThat(f.getType()).isEqualTo("THROTTLED");
        assertThat(f.isNonRetryable()).isFalse();
        assertThat(f.getNextRetryDelay()).isEqualTo(Duration.ofSeconds(17));
        assertThat(f.getDetails().get(0, String.class)).isEqualTo("TooManyRequests");
    }

    @Test
    void whatTheActivityFoundExistingGoesWithItsFailure() {
        ApplicationFailure f = ActivityFailures.toApplicationFailure("createKeyVault", new AzureStepException(
                AzureFailure.nonRetryable("KeyVaultNameTaken", "taken")), List.of("/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv"));
        ApplicationFailure plain = ActivityFailures.toApplicationFailure("createKeyVault", new AzureStepException(
                AzureFailure.nonRetryable("KeyVaultNameTaken", "taken")));

        assertThat(f.getDetails().get(2, List.class)).containsExactly("/subscriptions/s/resourceGroups/g/providers/Microsoft.KeyVault/vaults/kv");
        assertThat(plain.getDetails().get(2, List.class)).isEmpty();
    }

    @Test
    void nonRetryableAndRetryableKeepTheirClass() {
        ApplicationFailure denied = ActivityFailures.toApplicationFailure("createWorkspace", new AzureStepException(
                new AzureFailure(AzureErrorClass.NON_RETRYABLE, "RequestDisallowedByPolicy", 403, "policy", null)));
        ApplicationFailure busy = ActivityFailures.toApplicationFailure("createWorkspace", new AzureStepException(
                new AzureFailure(AzureErrorClass.RETRYABLE, "AnotherOperationInProgress", 409, "busy", null)));

        assertThat(denied.getType()).isEqualTo("NON_RETRYABLE");
        assertThat(denied.isNonRetryable()).isTrue();
        assertThat(denied.getMessage()).contains("RequestDisallowedByPolicy");
        assertThat(busy.getType()).isEqualTo("RETRYABLE");
        assertThat(busy.isNonRetryable()).isFalse();
        assertThat(busy.getNextRetryDelay()).isNull();
    }

    @Test
    void aGuardRefusalIsNonRetryable() {
        ApplicationFailure f = ActivityFailures.toApplicationFailure("deleteWorkspace",
                new ManagedGroupDeleteRefusedException("azureml-rg-ws", "refused DELETE /subscriptions/s/resourceGroups/azureml-rg-ws"));

        assertThat(f.getType()).isEqualTo("NON_RETRYABLE");
        assertThat(f.getDetails().get(0, String.class)).isEqualTo("ManagedGroupDeleteRefused");
    }
}
