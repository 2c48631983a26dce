package io.cmkflow.standins.servicebus;

/** The dead-letter reasons and property names Service Bus itself uses, so clients read them the same way. */
final class DeadLetterReasons {

    static final String REASON_PROPERTY = "DeadLetterReason";
    static final String DESCRIPTION_PROPERTY = "DeadLetterErrorDescription";
    static final String MAX_DELIVERY_COUNT_EXCEEDED = "MaxDeliveryCountExceeded";
    static final String TTL_EXPIRED = "TTLExpiredException";

    private DeadLetterReasons() {
    }
}
