package io.cmkflow.azure;

import com.azure.core.exception.HttpResponseException;

import java.util.Optional;
import java.util.function.Supplier;

/** Reads that treat ARM's 404 as "absent" rather than as a failure; every other error propagates. */
final class ArmLookup {

    private ArmLookup() {
    }

    static <T> Optional<T> find(Supplier<T> read) {
        try {
            return Optional.ofNullable(read.get());
        } catch (HttpResponseException e) {
            if (e.getResponse() != null && e.getResponse().getStatusCode() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }
}
