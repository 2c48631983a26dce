package io.cmkflow.azure;

import io.cmkflow.contract.InvalidRequestException;
import io.temporal.client.ActivityCompletionException;

import java.util.function.Supplier;

/** A step of the Azure layer failed; {@link #failure()} says how the workflow should react. */
public class AzureStepException extends RuntimeException {
    private final AzureFailure failure;

    public AzureStepException(AzureFailure failure) {
        this(failure, null);
    }

    public AzureStepException(AzureFailure failure, Throwable cause) {
        super(failure.describe(), cause);
        this.failure = failure;
    }

    /**
     * Runs a step body so that every Azure failure leaves it as an {@code AzureStepException} carrying its class.
     * Bad input and Temporal's cancellation signal (thrown by a heartbeat) pass through unchanged.
     */
    public static <T> T classifying(Supplier<T> body) {
        try {
            return body.get();
        } catch (AzureStepException | InvalidRequestException | ActivityCompletionException passThrough) {
            throw passThrough;
        } catch (RuntimeException e) {
            throw new AzureStepException(AzureErrorClassifier.classify(e), e);
        }
    }

    public AzureFailure failure() {
        return failure;
    }
}
