package io.cmkflow.contract;

import com.azure.core.management.AzureEnvironment;

import java.util.Arrays;

/** The Azure clouds cmkflow provisions in, with what differs between them. */
public enum AzureCloud {
    PUBLIC(CmkRequest.AZURE_CLOUD, AzureEnvironment.AZURE, "a232010e-820c-4083-83bb-3ace5fc29d0b",
            "https://graph.microsoft.com"),
    US_GOVERNMENT(CmkRequest.AZURE_US_GOVERNMENT, AzureEnvironment.AZURE_US_GOVERNMENT,
            "57506a73-e302-42a9-b869-6f12d9ec29e9", "https://graph.microsoft.us");

    private final String requestName;
    private final AzureEnvironment environment;
    private final String cosmosDbApplicationId;
    private final String graphEndpoint;

    AzureCloud(String requestName, AzureEnvironment environment, String cosmosDbApplicationId, String graphEndpoint) {
        this.requestName = requestName;
        this.environment = environment;
        this.cosmosDbApplicationId = cosmosDbApplicationId;
        this.graphEndpoint = graphEndpoint;
    }

    /** The cloud a request names; a request without a cloud targets the public cloud. */
    public static AzureCloud of(CmkRequest request) {
        return byName(request.cloud());
    }

    public static AzureCloud byName(String name) {
        if (name == null) {
            return PUBLIC;
        }
        return Arrays.stream(values()).filter(c -> c.requestName.equals(name)).findFirst()
                .orElseThrow(() -> new InvalidRequestException("cloud", "cloud.enum",
                        "must be AzureCloud or AzureUSGovernment, was '" + name + "'"));
    }

    public String requestName() {
        return requestName;
    }

    /** The real cloud's endpoints (the simulator connection substitutes its own). */
    public AzureEnvironment environment() {
        return environment;
    }

    /**
     * Application (client) id of the "Azure Cosmos DB" first-party application in this cloud. An access policy or a
     * role assignment needs its service principal's object id instead, which differs per tenant (see Microsoft Graph).
     */
    public String cosmosDbApplicationId() {
        return cosmosDbApplicationId;
    }

    /** This cloud's Microsoft Graph endpoint, where a tenant's service principals are read. */
    public String graphEndpoint() {
        return graphEndpoint;
    }
}
