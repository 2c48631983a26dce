package io.cmkflow.contract;

/** How the workflow should react to an Azure failure; the name is used as the Temporal {@code ApplicationFailure} type. */
public enum AzureErrorClass {
    /** Transient: retry with the activity's backoff. */
    RETRYABLE,
    /** ARM throttled the call: retry after the {@code Retry-After} Azure sent, not sooner. */
    THROTTLED,
    /** Retrying cannot help (authorization, policy, quota, conflicts, bad input): park for an operator. */
    NON_RETRYABLE
}
