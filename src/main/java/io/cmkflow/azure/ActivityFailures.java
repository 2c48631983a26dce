package io.cmkflow.azure;

import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.function.Supplier;

/**
 * Turns the Azure layer's failures into Temporal {@link ApplicationFailure}s the workflow can act on: the type is
 * the {@link AzureErrorClass} name (or {@code INVALID_REQUEST}), NON_RETRYABLE and invalid input are non-retryable,
 * THROTTLED carries Azure's Retry-After as the next retry delay.
 */
public final class ActivityFailures {

    public static final String INVALID_REQUEST = "INVALID_REQUEST";
    private static final Logger LOG = LoggerFactory.getLogger(ActivityFailures.class);

    private ActivityFailures() {
    }

    /** Runs an activity body, converting failures; cancellation signals from heartbeats pass through untouched. */
    public static <T> T run(String activity, Supplier<T> body) {
        try {
            return body.get();
        } catch (ActivityCompletionException | ApplicationFailure passThrough) {
            throw passThrough;
        } catch (RuntimeException e) {
            throw toApplicationFailure(activity, e);
        }
    }

    public static ApplicationFailure toApplicationFailure(String activity, RuntimeException error) {
        if (error instanceof InvalidRequestException invalid) {
            LOG.warn("{} rejected the request: {}", activity, invalid.getMessage());
            return ApplicationFailure.newBuilder()
                    .setType(INVALID_REQUEST)
                    .setMessage(invalid.getMessage())
                    .setDetails(invalid.field(), invalid.rule())
                    .setNonRetryable(true)
                    .build();
        }
        AzureFailure failure = AzureErrorClassifier.classify(error);
        LOG.warn("{} failed: {}", activity, failure.describe());
        ApplicationFailure.Builder builder = ApplicationFailure.newBuilder()
                .setType(failure.errorClass().name())
                .setMessage(activity + ": " + failure.describe())
                .setDetails(failure.code(), failure.httpStatus())
                .setNonRetryable(failure.errorClass() == AzureErrorClass.NON_RETRYABLE);
        if (failure.errorClass() == AzureErrorClass.THROTTLED && failure.retryAfter() != null) {
            builder.setNextRetryDelay(failure.retryAfter());
        }
        return builder.build();
    }
}
