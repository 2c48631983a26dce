package io.cmkflow.request;

import com.azure.core.util.BinaryData;
import com.azure.messaging.servicebus.ServiceBusMessage;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.cmkflow.contract.ArmResourceId;
import io.cmkflow.contract.StatusEvent;
import io.cmkflow.standins.servicebus.QueuedMessage;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Duration;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Requests outside the configured authorization scope, and requests whose resource ids carry what could change a URL
 * (a query, a fragment, escaped slashes, a '..' group), sent as a new user would: each is dead-lettered at the intake
 * naming field and rule, no run starts and no Azure API is called. The worker is on, so a run started by mistake would
 * show in Temporal and in the simulator's journal.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class IntakeScopeTest {
    // The valid example's tenant and subscription, its resource groups rg-ml-*.
    private static final String TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
    private static final String SUBSCRIPTION = "00000000-1111-2222-3333-444444444444";
    private static final String IDENTITY_SUBSCRIPTION = "99999999-8888-7777-6666-555555555555";

    @RegisterExtension
    static final CmkStack stack = CmkStack.builder().worker(true)
            .property("cmkflow.azure.scope", "AzureCloud/" + TENANT + "/" + SUBSCRIPTION + "/rg-ml-*,"
                    + "AzureCloud/" + TENANT + "/" + IDENTITY_SUBSCRIPTION + "/rg-identities")
            .build();

    @AfterEach
    void nothingReachedAzure() {
        assertThat(stack.arm().journal().entries()).isEmpty();
    }

    static Stream<Arguments> refused() {
        String rg = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-ml-research/providers/";
        return Stream.of(
                refused("tenant-outside", "RuleViolation", "/tenantId", "scope.tenant",
                        r -> r.put("tenantId", "0f0f0f0f-1111-2222-3333-444444444444")),
                refused("subscription-outside", "RuleViolation", "/subscriptionId", "scope.subscription",
                        r -> r.put("subscriptionId", "22222222-1111-2222-3333-444444444444")),
                refused("group-outside", "RuleViolation", "/resourceGroup", "scope.resourceGroup",
                        r -> r.put("resourceGroup", "rg-finance")),
                refused("vault-outside", "RuleViolation", "/keyVault/existingId", "scope.resourceGroup", r -> vault(r,
                        ArmResourceId.of(SUBSCRIPTION, "rg-finance", "Microsoft.KeyVault", "vaults", "kv-finance"))),
                refused("storage-outside", "RuleViolation", "/workspace/storageAccountId", "scope.resourceGroup", r -> workspace(r)
                        .put("storageAccountId", ArmResourceId.of(SUBSCRIPTION, "rg-data", "Microsoft.Storage", "storageAccounts", "stdata"))),
                refused("insights-outside", "RuleViolation", "/workspace/applicationInsightsId", "scope.resourceGroup", r -> workspace(r)
                        .put("applicationInsightsId", ArmResourceId.of(SUBSCRIPTION, "rg-monitoring", "Microsoft.Insights", "components", "appi"))),
                refused("identity-outside", "RuleViolation", "/workspace/userAssignedIdentityId", "scope.subscription", r -> identity(r,
                        ArmResourceId.of("33333333-1111-2222-3333-444444444444", "rg-identities", "Microsoft.ManagedIdentity",
                                "userAssignedIdentities", "uai-ml"))),
                refused("storage-query", "SchemaViolation", "/workspace/storageAccountId", "pattern", r -> workspace(r)
                        .put("storageAccountId", rg + "Microsoft.Storage/storageAccounts/stresearch?api-version=2023-01-01")),
                refused("insights-escaped-slash", "SchemaViolation", "/workspace/applicationInsightsId", "pattern", r -> workspace(r)
                        .put("applicationInsightsId", rg + "Microsoft.Insights/components/appi%2F..%2Fother")),
                refused("vault-fragment", "SchemaViolation", "/keyVault/existingId", "pattern", r -> vault(r,
                        rg + "Microsoft.KeyVault/vaults/kv-research#/subscriptions/other")),
                refused("identity-dot-dot-group", "SchemaViolation", "/workspace/userAssignedIdentityId", "not", r -> identity(r,
                        "/subscriptions/" + IDENTITY_SUBSCRIPTION + "/resourceGroups/../providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai")),
                refused("identity-space", "SchemaViolation", "/workspace/userAssignedIdentityId", "pattern", r -> identity(r,
                        "/subscriptions/" + IDENTITY_SUBSCRIPTION + "/resourceGroups/rg-identities/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai ml")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("refused")
    void isDeadLetteredWithFieldAndRuleBeforeAnyRun(String name, String reason, String field, String rule, ObjectNode request) {
        String requestId = request.get("requestId").asText();

        stack.send(new ServiceBusMessage(BinaryData.fromBytes(TestRequests.bytes(request))).setMessageId(requestId)
                .setContentType("application/json"));

        QueuedMessage deadLetter = await().atMost(Duration.ofSeconds(15)).until(() -> stack.requestQueue().deadLetters().stream()
                .filter(m -> requestId.equals(m.messageId())).findFirst(), Optional::isPresent).orElseThrow();
        assertThat(deadLetter.deadLetterReason()).isEqualTo(reason);
        assertThat(deadLetter.deadLetterErrorDescription()).contains(field + ": " + rule);
        assertThat(stack.status().awaitEvent(e -> e.messageId().equals("rejected-" + requestId), Duration.ofSeconds(10))
                .event().type()).isEqualTo(StatusEvent.Type.rejected);
        assertThat(stack.run(TestRequests.workflowId(request))).as("no run").isEmpty();
    }

    private static Arguments refused(String name, String reason, String field, String rule, Consumer<ObjectNode> change) {
        ObjectNode request = TestRequests.json("req-scope-" + name, "mlw-" + name);
        change.accept(request);
        return Arguments.of(name, reason, field, rule, request);
    }

    private static ObjectNode workspace(ObjectNode request) {
        return (ObjectNode) request.get("workspace");
    }

    private static void vault(ObjectNode request, String existingId) {
        ObjectNode vault = (ObjectNode) request.get("keyVault");
        vault.remove("name");
        vault.put("existingId", existingId);
    }

    private static void identity(ObjectNode request, String id) {
        workspace(request).put("userAssignedIdentityId", id).put("userAssignedIdentityClientId", "3c9b1f2e-7a4d-4b8e-9f01-23456789abcd");
    }
}
