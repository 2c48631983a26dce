package io.cmkflow.azure;

import com.azure.resourcemanager.AzureResourceManager;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ProviderRegistration;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Step 1: the resource providers a CMK workspace needs are Registered in the subscription, including
 * Microsoft.Insights for the Application Insights component step 5 creates (left to the SDK, an unregistered
 * namespace costs a register-and-wait inside the workspace step).
 */
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
        // One wait for all: each poll round reads every namespace still pending, so the waits do not add up.
        List<String> waiting = new ArrayList<>(pending);
        polling.await(String.join(", ", pending) + " to be Registered", heartbeat, () -> {
            waiting.removeIf(namespace -> REGISTERED.equalsIgnoreCase(azure.providers().getByName(namespace).registrationState()));
            return waiting.isEmpty() ? Optional.of(true) : Optional.empty();
        });
        return new ProviderRegistration(NAMESPACES, List.copyOf(registeredNow));
    }
}
