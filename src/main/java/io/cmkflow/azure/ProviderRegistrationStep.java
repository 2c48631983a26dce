package io.cmkflow.azure;

import com.azure.resourcemanager.AzureResourceManager;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ProviderRegistration;

import com.azure.resourcemanager.resources.models.Provider;

import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Step 1: the resource providers a CMK workspace needs are Registered in the subscription, including
 * Microsoft.Insights and Microsoft.OperationalInsights for the workspace-based Application Insights step 5 creates
 * (left to the SDK, an unregistered namespace costs a register-and-wait inside the workspace step).
 */
public final class ProviderRegistrationStep {

    /**
     * The five of Microsoft's CMK procedure, plus Microsoft.Insights and Microsoft.OperationalInsights: step 5 creates
     * Application Insights and the Log Analytics workspace it stores its data in when the request names none, and an
     * unregistered namespace there made the SDK register it itself and wait 10 s+.
     */
    public static final List<String> NAMESPACES = List.of(
            "Microsoft.MachineLearningServices", "Microsoft.Storage", "Microsoft.KeyVault",
            "Microsoft.DocumentDB", "Microsoft.Search", "Microsoft.Insights", "Microsoft.OperationalInsights");
    private static final String REGISTERED = "Registered";
    private static final String REGISTERING = "Registering";

    private final AzureClients clients;
    private final PollingPolicy polling;

    public ProviderRegistrationStep(AzureClients clients, PollingPolicy polling) {
        this.clients = clients;
        this.polling = polling;
    }

    /**
     * Registers what is not registered (a provider already Registering is only waited for), all at once, then polls
     * until all are Registered. Each read is one list of the subscription's providers, not one read per namespace.
     */
    public ProviderRegistration register(CmkRequest request, Runnable heartbeat) {
        return AzureStepException.classifying(() -> registerInAzure(request, heartbeat));
    }

    private ProviderRegistration registerInAzure(CmkRequest request, Runnable heartbeat) {
        AzureResourceManager azure = clients.forRequest(request);
        Map<String, String> states = registrationStates(azure);
        List<String> pending = NAMESPACES.stream().filter(namespace -> !REGISTERED.equalsIgnoreCase(states.get(key(namespace)))).toList();
        List<String> registeredNow = pending.stream().filter(namespace -> !REGISTERING.equalsIgnoreCase(states.get(key(namespace)))).toList();
        Concurrently.each(registeredNow, namespace -> azure.providers().register(namespace));
        if (!pending.isEmpty()) {
            polling.await(String.join(", ", pending) + " to be Registered", heartbeat, () -> {
                Map<String, String> now = registrationStates(azure);
                return pending.stream().allMatch(namespace -> REGISTERED.equalsIgnoreCase(now.get(key(namespace))))
                        ? Optional.of(true) : Optional.empty();
            });
        }
        return new ProviderRegistration(NAMESPACES, registeredNow);
    }

    /** Registration state by lower-case namespace, from one Providers_List read. */
    private static Map<String, String> registrationStates(AzureResourceManager azure) {
        Map<String, String> states = new HashMap<>();
        for (Provider provider : azure.providers().list()) {
            states.put(key(provider.namespace()), provider.registrationState());
        }
        return states;
    }

    private static String key(String namespace) {
        return namespace.toLowerCase(Locale.ROOT);
    }
}
