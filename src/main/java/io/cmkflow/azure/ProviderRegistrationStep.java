package io.cmkflow.azure;

import com.azure.resourcemanager.AzureResourceManager;
import io.cmkflow.request.CmkRequest;
import io.cmkflow.workflow.ProviderRegistration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Step 1: the resource providers a CMK workspace needs are Registered in the subscription. */
public final class ProviderRegistrationStep {

    /**
     * The five of Microsoft's CMK procedure, plus Microsoft.Insights: step 5 creates Application Insights when the
     * request names none, and an unregistered namespace there made the SDK register it itself and wait 10 s+.
     */
    public static final List<String> NAMESPACES = List.of(
            "Microsoft.MachineLearningServices", "Microsoft.Storage", "Microsoft.KeyVault",
            "Microsoft.DocumentDB", "Microsoft.Search", "Microsoft.Insights");
    private static final String REGISTERED = "Registered";
    private static final String REGISTERING = "Registering";

    private final AzureClients clients;
    private final PollingPolicy polling;

    public ProviderRegistrationStep(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.polling = polling;
    }

    /** Registers what is not registered (a provider already Registering is only waited for), then polls until all are Registered. */
    public ProviderRegistration register(CmkRequest request, Runnable heartbeat) {
        return AzureStepException.classifying(() -> registerInAzure(request, heartbeat));
    }

    private ProviderRegistration registerInAzure(CmkRequest request, Runnable heartbeat) {
        StepPreconditions.check(request);
        AzureResourceManager azure = clients.forRequest(request);
        List<String> registeredNow = new ArrayList<>();
        List<String> pending = new ArrayList<>();
        for (String namespace : NAMESPACES) {
            String state = azure.providers().getByName(namespace).registrationState();
            if (REGISTERED.equalsIgnoreCase(state)) {
                continue;
            }
            if (!REGISTERING.equalsIgnoreCase(state)) {
                azure.providers().register(namespace);
                registeredNow.add(namespace);
            }
            pending.add(namespace);
        }
        for (String namespace : pending) {
            polling.await(namespace + " to be Registered", heartbeat, () -> {
                String state = azure.providers().getByName(namespace).registrationState();
                return REGISTERED.equalsIgnoreCase(state) ? Optional.of(state) : Optional.empty();
            });
        }
        return new ProviderRegistration(NAMESPACES, List.copyOf(registeredNow));
    }
}
