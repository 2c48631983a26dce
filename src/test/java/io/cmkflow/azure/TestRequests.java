package io.cmkflow.azure;

import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Ownership;

import java.util.Map;

/** Valid requests to build tests on; every name derives from one word so tests in a class never collide. */
final class TestRequests {
    static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
    static final String OTHER_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555";
    static final String GROUP = "rg-cmk";
    static final String LOCATION = "westeurope";

    private TestRequests() {
    }

    static CmkRequest request(String name) {
        return new CmkRequest("req-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("ws-" + name, null, true, null, null, null, null),
                new CmkRequest.KeyVault("kv-" + name, null, "premium", 30, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"),
                Map.of("cost-center", "ml"));
    }

    static Ownership owner(String name) {
        return new Ownership("req-" + name, "cmk-" + name);
    }

    static String vaultId(String vaultName) {
        return ArmResourceId.of(SUBSCRIPTION, GROUP, "Microsoft.KeyVault", "vaults", vaultName);
    }
}
