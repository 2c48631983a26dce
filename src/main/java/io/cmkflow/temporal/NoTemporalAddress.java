package io.cmkflow.temporal;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.core.value.PropertyResolver;

/** True when no Temporal address is configured (absent or blank, as `${TEMPORAL_ADDRESS:}` yields): embed the test server. */
public class NoTemporalAddress implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        PropertyResolver properties = (PropertyResolver) context.getBeanContext();
        return properties.get("cmkflow.temporal.address", String.class).map(String::isBlank).orElse(true);
    }
}
