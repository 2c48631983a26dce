package io.cmkflow.dev;

import io.micronaut.context.condition.Condition;
import io.micronaut.context.condition.ConditionContext;
import io.micronaut.core.value.PropertyResolver;

/** True when neither a Service Bus namespace nor a connection string is configured: start the in-process stand-in. */
public class NoServiceBusConfigured implements Condition {
    @Override
    public boolean matches(ConditionContext context) {
        PropertyResolver properties = (PropertyResolver) context.getBeanContext();
        return blank(properties, "cmkflow.servicebus.connection-string") && blank(properties, "cmkflow.servicebus.fully-qualified-namespace");
    }

    private static boolean blank(PropertyResolver properties, String name) {
        return properties.get(name, String.class).map(String::isBlank).orElse(true);
    }
}
