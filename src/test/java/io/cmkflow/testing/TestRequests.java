package io.cmkflow.testing;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.Ownership;
import io.cmkflow.workflow.WorkflowIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The one factory of test requests: a valid {@link CmkRequest} whose names all derive from one word (so tests in a
 * class never collide), the public-cloud valid example as JSON for the intake, and a copy-builder for variations.
 */
public final class TestRequests {
    public static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    public static final String SUBSCRIPTION = "11111111-2222-3333-4444-555555555555";
    public static final String OTHER_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555";
    public static final String GROUP = "rg-cmk";
    public static final String LOCATION = "westeurope";

    public static final Path VALID_EXAMPLE = Path.of("workflows/cmk-workspace/examples/valid/public-cloud-new-vault.json");
    public static final Path INVALID_EXAMPLES = Path.of("workflows/cmk-workspace/examples/invalid");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestRequests() {
    }

    /** A valid request in {@link #SUBSCRIPTION}/{@link #GROUP}: workspace ws-NAME, vault kv-NAME, key cmk-NAME. */
    public static CmkRequest request(String name) {
        return new CmkRequest("req-" + name, SUBSCRIPTION, TENANT, CmkRequest.AZURE_CLOUD, GROUP, LOCATION,
                new CmkRequest.Workspace("ws-" + name, null, true, null, null, null, null),
                new CmkRequest.KeyVault("kv-" + name, null, "premium", 30, null),
                new CmkRequest.Key("cmk-" + name, 3072, "RSA"),
                Map.of("cost-center", "ml"));
    }

    /** The ownership of a run named {@code name} (its own run id), with no earlier run of its target on record. */
    public static Ownership owner(String name) {
        return new Ownership("req-" + name, "cmk-" + name, "run-" + name, List.of(), List.of());
    }

    public static String vaultId(String vaultName) {
        return ArmResourceId.of(SUBSCRIPTION, GROUP, "Microsoft.KeyVault", "vaults", vaultName);
    }

    /** The valid example as JSON for {@code workspace} (its vault named after it, so several runs never share a vault). */
    public static ObjectNode json(String requestId, String workspace) {
        ObjectNode request = example();
        request.put("requestId", requestId);
        ((ObjectNode) request.get("workspace")).put("name", workspace);
        ((ObjectNode) request.get("keyVault")).put("name", ("kv-" + workspace).substring(0, Math.min(24, workspace.length() + 3)));
        return request;
    }

    public static byte[] bytes(ObjectNode request) {
        try {
            return MAPPER.writeValueAsBytes(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String workflowId(ObjectNode request) {
        return WorkflowIds.forTarget(request.get("subscriptionId").asText(), request.get("resourceGroup").asText(),
                request.get("workspace").get("name").asText());
    }

    public static ObjectMapper mapper() {
        return MAPPER;
    }

    private static ObjectNode example() {
        try {
            return (ObjectNode) MAPPER.readTree(Files.readAllBytes(VALID_EXAMPLE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static Copy copy(CmkRequest r) {
        return new Copy(r);
    }

    /** Changes parts of a request, keeping the rest. */
    public static final class Copy {
        private String requestId;
        private String subscriptionId;
        private String tenantId;
        private String cloud;
        private String resourceGroup;
        private String location;
        private CmkRequest.Workspace workspace;
        private CmkRequest.KeyVault vault;
        private CmkRequest.Key key;
        private Map<String, String> tags;
        private String operation;
        private CmkRequest.Decommission decommission;

        private Copy(CmkRequest r) {
            requestId = r.requestId();
            subscriptionId = r.subscriptionId();
            tenantId = r.tenantId();
            cloud = r.cloud();
            resourceGroup = r.resourceGroup();
            location = r.location();
            workspace = r.workspace();
            vault = r.keyVault();
            key = r.key();
            tags = r.tags();
            operation = r.operation();
            decommission = r.decommission();
        }

        public Copy requestId(String v) { requestId = v; return this; }
        public Copy subscriptionId(String v) { subscriptionId = v; return this; }
        public Copy tenantId(String v) { tenantId = v; return this; }
        public Copy cloud(String v) { cloud = v; return this; }
        public Copy resourceGroup(String v) { resourceGroup = v; return this; }
        public Copy location(String v) { location = v; return this; }
        public Copy workspace(CmkRequest.Workspace v) { workspace = v; return this; }
        public Copy vault(CmkRequest.KeyVault v) { vault = v; return this; }
        public Copy key(CmkRequest.Key v) { key = v; return this; }
        public Copy tags(Map<String, String> v) { tags = v; return this; }
        public Copy operation(Operation v) { operation = v.wireName(); return this; }
        public Copy decommission(CmkRequest.Decommission v) { decommission = v; return this; }

        public CmkRequest build() {
            return new CmkRequest(requestId, subscriptionId, tenantId, cloud, resourceGroup, location, workspace, vault, key, tags,
                    operation, decommission);
        }
    }
}
