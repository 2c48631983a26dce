package io.cmkflow.azure;

import io.cmkflow.testing.TestRequests;
import io.cmkflow.contract.CmkRequest;
import io.cmkflow.contract.Operation;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.RequestRules;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.function.UnaryOperator;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

class RequestRulesTest {

    private static final CmkRequest VALID = TestRequests.request("valid");

    @Test
    void acceptsAValidRequestAndTheDefaults() {
        assertThatCode(() -> RequestRules.check(VALID)).doesNotThrowAnyException();
        CmkRequest minimal = with(VALID, r -> new CmkRequest(r.requestId(), r.subscriptionId(), r.tenantId(), null,
                r.resourceGroup(), r.location(), r.workspace(), new CmkRequest.KeyVault("kv-min", null, null, null, null),
                new CmkRequest.Key("cmk", null, null), null));
        assertThatCode(() -> RequestRules.check(minimal)).doesNotThrowAnyException();
        assertThat(RequestRules.keySize(minimal)).isEqualTo(3072);
        assertThat(RequestRules.keyType(minimal)).isEqualTo("RSA");
        assertThat(RequestRules.vaultSku(minimal)).isEqualTo("standard");
        assertThat(RequestRules.retentionDays(minimal)).isEqualTo(90);
    }

    static Stream<Arguments> badRequests() {
        String otherSubVault = "/subscriptions/" + TestRequests.OTHER_SUBSCRIPTION
                + "/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-other";
        return Stream.of(
                bad("subscriptionId", "subscriptionId.guid", r -> TestRequests.copy(r).subscriptionId("not-a-guid").build()),
                bad("tenantId", "tenantId.guid", r -> TestRequests.copy(r).tenantId("contoso.onmicrosoft.com").build()),
                bad("cloud", "cloud.enum", r -> TestRequests.copy(r).cloud("AzureChinaCloud").build()),
                bad("resourceGroup", "resourceGroup.name", r -> TestRequests.copy(r).resourceGroup("ends.with.period.").build()),
                bad("resourceGroup", "resourceGroup.name", r -> TestRequests.copy(r).resourceGroup("x".repeat(91)).build()),
                bad("location", "location.name", r -> TestRequests.copy(r).location("").build()),
                bad("workspace.name", "workspace.name", r -> TestRequests.copy(r).workspace(ws("ab")).build()),
                bad("workspace.name", "workspace.name", r -> TestRequests.copy(r).workspace(ws("w".repeat(34))).build()),
                bad("workspace.name", "workspace.name", r -> TestRequests.copy(r).workspace(ws("bad name!")).build()),
                bad("keyVault.name", "keyVault.name", r -> TestRequests.copy(r).vault(vault("1starts-with-digit", null)).build()),
                bad("keyVault.name", "keyVault.name", r -> TestRequests.copy(r).vault(vault("kv", null)).build()),
                bad("keyVault.name", "keyVault.name", r -> TestRequests.copy(r).vault(vault("k".repeat(25), null)).build()),
                bad("keyVault.name", "keyVault.name", r -> TestRequests.copy(r).vault(vault("double--hyphen", null)).build()),
                bad("keyVault", "keyVault.nameXorExistingId", r -> TestRequests.copy(r).vault(vault(null, null)).build()),
                bad("keyVault.existingId", "keyVault.sameSubscription", r -> TestRequests.copy(r).vault(vault(null, otherSubVault)).build()),
                bad("keyVault.existingId", "resourceId.format", r -> TestRequests.copy(r).vault(vault(null, "/subscriptions/x/kv")).build()),
                bad("keyVault.sku", "keyVault.sku.enum", r -> TestRequests.copy(r).vault(new CmkRequest.KeyVault("kv-a", null, "gold", null, null)).build()),
                bad("keyVault.softDeleteRetentionDays", "keyVault.retention.range",
                        r -> TestRequests.copy(r).vault(new CmkRequest.KeyVault("kv-a", null, null, 6, null)).build()),
                bad("keyVault.softDeleteRetentionDays", "keyVault.retention.range",
                        r -> TestRequests.copy(r).vault(new CmkRequest.KeyVault("kv-a", null, null, 91, null)).build()),
                bad("key.size", "key.size.minimum", r -> TestRequests.copy(r).key(new CmkRequest.Key("cmk", 2048, "RSA")).build()),
                bad("key.size", "key.size.enum", r -> TestRequests.copy(r).key(new CmkRequest.Key("cmk", 3500, "RSA")).build()),
                bad("key.type", "key.type.enum", r -> TestRequests.copy(r).key(new CmkRequest.Key("cmk", 3072, "EC")).build()),
                bad("key.name", "key.name", r -> TestRequests.copy(r).key(new CmkRequest.Key("bad_key", 3072, "RSA")).build()),
                bad("key.type", "key.type.hsmNeedsPremium", r -> TestRequests.copy(r).vault(new CmkRequest.KeyVault("kv-a", null, "standard", null, null))
                        .key(new CmkRequest.Key("cmk", 3072, "RSA-HSM")).build()),
                bad("key.rotationPolicy.expiresAfterDays", "key.rotationPolicy.expiresAfterDays.required",
                        r -> TestRequests.copy(r).key(policy(null, 30, null)).build()),
                bad("key.rotationPolicy.expiresAfterDays", "key.rotationPolicy.expiresAfterDays.range",
                        r -> TestRequests.copy(r).key(policy(27, null, null)).build()),
                bad("key.rotationPolicy.rotateBeforeExpiryDays", "key.rotationPolicy.rotationWindow",
                        r -> TestRequests.copy(r).key(policy(90, 6, null)).build()),
                bad("key.rotationPolicy.rotateBeforeExpiryDays", "key.rotationPolicy.rotationWindow",
                        r -> TestRequests.copy(r).key(policy(90, 84, null)).build()),
                bad("key.rotationPolicy.notifyBeforeExpiryDays", "key.rotationPolicy.notifyWindow",
                        r -> TestRequests.copy(r).key(policy(90, null, 90)).build()),
                bad("decommission.confirm", "decommission.confirm", r -> TestRequests.copy(r).operation(Operation.DECOMMISSION).build()),
                bad("decommission.confirm", "decommission.confirm", r -> TestRequests.copy(r).operation(Operation.DECOMMISSION)
                        .decommission(new CmkRequest.Decommission("another-workspace", true)).build()),
                bad("decommission", "decommission.operation", r -> TestRequests.copy(r)
                        .decommission(new CmkRequest.Decommission(r.workspace().name(), true)).build()),
                bad("workspace.storageAccountId", "resourceId.sameSubscription", r -> TestRequests.copy(r).workspace(new CmkRequest.Workspace(
                        "ws-a", null, null, null, null, "/subscriptions/" + TestRequests.OTHER_SUBSCRIPTION
                        + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/stother", null)).build()),
                bad("workspace.storageAccountId", "resourceId.segment", r -> TestRequests.copy(r).workspace(storage(
                        "/subscriptions/" + TestRequests.SUBSCRIPTION + "/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st?api-version=1"))
                        .build()),
                bad("workspace.userAssignedIdentityId", "resourceId.segment", r -> TestRequests.copy(r).workspace(new CmkRequest.Workspace(
                        "ws-a", null, null, "/subscriptions/" + TestRequests.SUBSCRIPTION
                        + "/resourceGroups/../providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai",
                        "3c9b1f2e-7a4d-4b8e-9f01-23456789abcd", null, null)).build()),
                bad("requestId", "requestId.pattern", r -> TestRequests.copy(r).requestId("req-1\n").build()),
                bad("requestId", "requestId.pattern", r -> TestRequests.copy(r).requestId("req\u00071").build()),
                bad("tags", "tags.reserved", r -> TestRequests.copy(r).tags(Map.of("Managed-By", "someone")).build()),
                bad("tags", "tags.reserved", r -> TestRequests.copy(r).tags(Map.of("CMKFLOW-Request-Id", "spoofed")).build()),
                bad("tags", "tags.name", r -> TestRequests.copy(r).tags(Map.of("cost/center", "1")).build()),
                bad("tags", "tags.name", r -> TestRequests.copy(r).tags(Map.of("a<b", "1")).build()),
                bad("tags", "tags.name", r -> TestRequests.copy(r).tags(Map.of("t".repeat(129), "1")).build()),
                bad("tags", "tags.duplicate", r -> TestRequests.copy(r).tags(new TreeMap<>(Map.of("Env", "a", "env", "b"))).build()),
                bad("tags.owner", "tags.value", r -> TestRequests.copy(r).tags(Map.of("owner", "v".repeat(257))).build()),
                bad("tags", "tags.count", r -> TestRequests.copy(r).tags(IntStream.range(0, 13).boxed()
                        .collect(Collectors.toMap(i -> "tag" + i, i -> "v"))).build()));
    }

    private static CmkRequest.Key policy(Integer expires, Integer rotateBefore, Integer notifyBefore) {
        return new CmkRequest.Key("cmk", 3072, "RSA", new CmkRequest.RotationPolicy(expires, rotateBefore, notifyBefore));
    }

    @Test
    void aRotationPolicyAtKeyVaultsLimitsIsAccepted() {
        RequestRules.check(TestRequests.copy(VALID).key(policy(28, 7, 27)).build());
        RequestRules.check(TestRequests.copy(VALID).key(policy(90, 83, 1)).build());
        RequestRules.check(TestRequests.copy(VALID).key(policy(36500, null, null)).build());
    }

    private static CmkRequest.Workspace storage(String id) {
        return new CmkRequest.Workspace("ws-a", null, null, null, null, id, null);
    }

    @ParameterizedTest(name = "{0} / {1}")
    @MethodSource("badRequests")
    void rejectsNamingFieldAndRule(String field, String rule, CmkRequest request) {
        InvalidRequestException e = catchThrowableOfType(InvalidRequestException.class, () -> RequestRules.check(request));
        assertThat(e).as("expected a rejection").isNotNull();
        assertThat(e.field()).isEqualTo(field);
        assertThat(e.rule()).isEqualTo(rule);
        assertThat(e.getMessage()).startsWith(field + ":");
    }

    private static Arguments bad(String field, String rule, UnaryOperator<CmkRequest> change) {
        return Arguments.of(field, rule, change.apply(VALID));
    }

    private static CmkRequest with(CmkRequest r, UnaryOperator<CmkRequest> change) {
        return change.apply(r);
    }

    private static CmkRequest.Workspace ws(String name) {
        return new CmkRequest.Workspace(name, null, null, null, null, null, null);
    }

    private static CmkRequest.KeyVault vault(String name, String existingId) {
        return new CmkRequest.KeyVault(name, existingId, null, null, null);
    }

    @Test
    void printableWritesWhatCouldForgeOrHideLogTextAsEscapes() {
        assertThat(RequestRules.printable("a\nb\u0000c\u001b[31md\u202ee\u200bf\u2028g")).isEqualTo(
                "a\\u000ab\\u0000c\\u001b[31md\\u202ee\\u200bf\\u2028g");
        assertThat(RequestRules.printable("kv-p\u043eison (/key/size)")).isEqualTo("kv-p\u043eison (/key/size)");
    }
}
