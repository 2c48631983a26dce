package io.cmkflow.azure;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.ManagedWorkspace;
import io.cmkflow.contract.PostureReport;
import io.cmkflow.workflow.PostureActivities;

import java.time.Duration;
import java.time.Instant;

/** The posture check's activity, delegating to {@link PostureCheck}; failures become typed {@code ApplicationFailure}s. */
public class AzurePostureActivities implements PostureActivities {

    private final AuthorizationScope scope;
    private final PostureCheck check;

    public AzurePostureActivities(AzureClients clients, PollingPolicy polling, AuthorizationScope scope) {
        this.scope = scope;
        this.check = new PostureCheck(clients, polling);
    }

    @Override
    public PostureReport checkPosture(CmkRequest request, ManagedWorkspace managed, Duration expiryThreshold) {
        return ActivityFailures.run("checkPosture", request, scope,
                () -> check.check(request, managed, expiryThreshold, Instant.now()));
    }
}
