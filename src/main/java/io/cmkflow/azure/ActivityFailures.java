package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.AzureErrorClass;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.RequestRules;
import io.temporal.client.ActivityCompletionException;
import io.temporal.failure.ApplicationFailure;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns the Azure layer's failures into Temporal {@link ApplicationFailure}s the workflow can act on: the type is
 * the {@link AzureErrorClass} name (or {@link InvalidRequestException#FAILURE_TYPE}), NON_RETRYABLE and invalid input are non-retryable,
 * THROTTLED carries Azure's Retry-After as the next retry delay. The failure's details are Azure's code, the HTTP status
 * and the ids of the resources the activity found existing and not the run's ({@link PreexistingResources}).
 */
public final class ActivityFailures {

    private static final Logger LOG = LoggerFactory.getLogger(ActivityFailures.class);

    private ActivityFailures() {
    }

    /**
     * The Azure layer's one entry point for an activity: checks the request against {@link RequestRules} and the
     * worker's authorization scope (so a bad or out-of-scope request never reaches ARM, however the run was started),
     * runs the body and converts its failures. Cancellation signals from heartbeats pass through untouched.
     */
    public static <T> T run(String activity, CmkRequest request, AuthorizationScope scope, Supplier<T> body) {
        return run(activity, request, scope, preexisting -> body.get());
    }

    /**
     * As {@link #run(String, CmkRequest, AuthorizationScope, Supplier)}, for a step that looks before it creates: what
     * its reads found existing and not the run's goes with any failure, into the run's history.
     */
    public static <T> T run(String activity, CmkRequest request, AuthorizationScope scope,
                            Function<PreexistingResources, T> body) {
        PreexistingResources preexisting = new PreexistingResources();
        try {
            RequestRules.check(request, scope);
            return ActivityHeartbeat.carried(() -> body.apply(preexisting));
        } catch (ActivityCompletionException | ApplicationFailure passThrough) {
            throw passThrough;
        } catch (RuntimeException e) {
            throw toApplicationFailure(activity, e, preexisting.ids());
        }
    }

    public static ApplicationFailure toApplicationFailure(String activity, RuntimeException error) {
        return toApplicationFailure(activity, error, List.of());
    }

    static ApplicationFailure toApplicationFailure(String activity, RuntimeException error, List<String> preexisting) {
        if (error instanceof InvalidRequestException invalid) {
            LOG.warn("{} rejected the request: {}", activity, invalid.getMessage());
            return ApplicationFailure.newBuilder()
                    .setType(InvalidRequestException.FAILURE_TYPE)
                    .setMessage(invalid.getMessage())
                    .setDetails(invalid.field(), invalid.rule())
                    .setNonRetryable(true)
                    .build();
        }
        // A step's own classification (AzureStepException) is kept as it is; the classifier returns it unchanged.
        AzureFailure failure = AzureErrorClassifier.classify(error);
        LOG.warn("{} failed: {}", activity, failure.describe());
        ApplicationFailure.Builder builder = ApplicationFailure.newBuilder()
                .setType(failure.errorClass().name())
                .setMessage(activity + ": " + failure.describe())
                .setDetails(failure.code(), failure.httpStatus(), preexisting)
                .setNonRetryable(failure.errorClass() == AzureErrorClass.NON_RETRYABLE);
        if (failure.errorClass() == AzureErrorClass.THROTTLED && failure.retryAfter() != null) {
            builder.setNextRetryDelay(failure.retryAfter());
        }
        return builder.build();
    }
}
