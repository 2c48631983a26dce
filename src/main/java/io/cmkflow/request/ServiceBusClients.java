package io.cmkflow.request;

import com.azure.identity.DefaultAzureCredentialBuilder;
import com.azure.messaging.servicebus.ServiceBusClientBuilder;
import io.micronaut.context.annotation.Factory;
import jakarta.inject.Singleton;

/** One Service Bus client builder (and so one AMQP connection) shared by the intake processor and the status senders. */
@Factory
public class ServiceBusClients {

    @Singleton
    ServiceBusClientBuilder serviceBusClientBuilder(IntakeSettings settings) {
        ServiceBusClientBuilder builder = new ServiceBusClientBuilder();
        if (settings.connectionString() != null && !settings.connectionString().isBlank()) {
            return builder.connectionString(settings.connectionString());
        }
        if (settings.fullyQualifiedNamespace() == null || settings.fullyQualifiedNamespace().isBlank()) {
            throw new IllegalStateException("set cmkflow.servicebus.fully-qualified-namespace (or connection-string)");
        }
        return builder.fullyQualifiedNamespace(settings.fullyQualifiedNamespace())
                .credential(new DefaultAzureCredentialBuilder().build());
    }
}
