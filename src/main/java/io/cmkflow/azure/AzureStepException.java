package io.cmkflow.azure;

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

    public AzureFailure failure() {
        return failure;
    }
}
