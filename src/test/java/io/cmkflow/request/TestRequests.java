package io.cmkflow.request;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.workflow.WorkflowIds;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Request bodies for intake tests: the public-cloud valid example with its own request id and target workspace. */
final class TestRequests {
    static final Path VALID_EXAMPLE = Path.of("workflows/cmk-workspace/examples/valid/public-cloud-new-vault.json");
    static final Path INVALID_EXAMPLES = Path.of("workflows/cmk-workspace/examples/invalid");

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private TestRequests() {
    }

    /** The valid example for {@code workspace} (its vault named after it, so several runs never share a vault). */
    static ObjectNode valid(String requestId, String workspace) {
        ObjectNode request = example();
        request.put("requestId", requestId);
        ((ObjectNode) request.get("workspace")).put("name", workspace);
        ((ObjectNode) request.get("keyVault")).put("name", ("kv-" + workspace).substring(0, Math.min(24, workspace.length() + 3)));
        return request;
    }

    static byte[] bytes(ObjectNode request) {
        try {
            return MAPPER.writeValueAsBytes(request);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String workflowId(ObjectNode request) {
        return WorkflowIds.forTarget(request.get("subscriptionId").asText(), request.get("resourceGroup").asText(),
                request.get("workspace").get("name").asText());
    }

    static String subscription(ObjectNode request) {
        return request.get("subscriptionId").asText();
    }

    static ObjectNode example() {
        try {
            return (ObjectNode) MAPPER.readTree(Files.readAllBytes(VALID_EXAMPLE));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ObjectMapper mapper() {
        return MAPPER;
    }
}
