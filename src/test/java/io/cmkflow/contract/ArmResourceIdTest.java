package io.cmkflow.contract;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.cmkflow.contract.ArmResourceId.Kind.APPLICATION_INSIGHTS;
import static io.cmkflow.contract.ArmResourceId.Kind.KEY_VAULT;
import static io.cmkflow.contract.ArmResourceId.Kind.STORAGE_ACCOUNT;
import static io.cmkflow.contract.ArmResourceId.Kind.USER_ASSIGNED_IDENTITY;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Resource ids parse into checked segments; anything that could change a URL built from them is refused, named. */
class ArmResourceIdTest {
    private static final String SUB = "11111111-2222-3333-4444-555555555555";
    private static final String RG = "/subscriptions/" + SUB + "/resourceGroups/rg-ml/providers/";

    static Stream<Arguments> valid() {
        return Stream.of(
                Arguments.of(RG + "Microsoft.KeyVault/vaults/kv-ml-01", KEY_VAULT, "rg-ml", "kv-ml-01"),
                Arguments.of("/subscriptions/" + SUB + "/resourcegroups/Rg.(Prod)_1/providers/microsoft.storage/storageAccounts/stml01",
                        STORAGE_ACCOUNT, "Rg.(Prod)_1", "stml01"),
                Arguments.of(RG + "microsoft.insights/components/appi ml".replace(" ", "-"), APPLICATION_INSIGHTS, "rg-ml", "appi-ml"),
                Arguments.of(RG + "Microsoft.ManagedIdentity/userAssignedIdentities/uai_ml-1", USER_ASSIGNED_IDENTITY, "rg-ml", "uai_ml-1"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("valid")
    void parsesIntoSegments(String id, ArmResourceId.Kind kind, String group, String name) {
        ArmResourceId parsed = ArmResourceId.parse("field", id, kind);

        assertThat(parsed.subscriptionId()).isEqualTo(SUB);
        assertThat(parsed.resourceGroup()).isEqualTo(group);
        assertThat(parsed.name()).isEqualTo(name);
        assertThat(parsed.id()).isEqualToIgnoringCase(id);
    }

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of(RG + "Microsoft.Storage/storageAccounts/stml01?api-version=2023-01-01", STORAGE_ACCOUNT, "resourceId.segment"),
                Arguments.of(RG + "Microsoft.KeyVault/vaults/kv-ml#fragment", KEY_VAULT, "resourceId.segment"),
                Arguments.of(RG + "microsoft.insights/components/appi%2F..%2Fother", APPLICATION_INSIGHTS, "resourceId.segment"),
                Arguments.of("/subscriptions/" + SUB + "/resourceGroups/../providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai",
                        USER_ASSIGNED_IDENTITY, "resourceId.segment"),
                Arguments.of(RG + "Microsoft.KeyVault/vaults/kv ml", KEY_VAULT, "resourceId.segment"),
                Arguments.of(RG + "Microsoft.KeyVault/vaults/kv-ml\n", KEY_VAULT, "resourceId.segment"),
                Arguments.of(RG + "Microsoft.KeyVault/vaults/kv-\u0000ml", KEY_VAULT, "resourceId.segment"),
                Arguments.of(" " + RG + "Microsoft.KeyVault/vaults/kv-ml", KEY_VAULT, "resourceId.segment"),
                Arguments.of(RG + "Microsoft.KeyVault/vaults/kv-ml/keys/cmk", KEY_VAULT, "resourceId.format"),
                Arguments.of("/subscriptions/" + SUB + "/providers/Microsoft.KeyVault/vaults/kv-ml", KEY_VAULT, "resourceId.format"),
                Arguments.of(RG.replace(SUB, "not-a-guid") + "Microsoft.KeyVault/vaults/kv-ml", KEY_VAULT, "resourceId.subscription"),
                Arguments.of(RG.replace("rg-ml", "rg-ends-with.") + "Microsoft.KeyVault/vaults/kv-ml", KEY_VAULT, "resourceId.resourceGroup"),
                Arguments.of(RG + "Microsoft.Storage/storageAccounts/kv-ml", KEY_VAULT, "resourceId.type"),
                Arguments.of(RG + "Microsoft.KeyVault/vaults/kv--ml", KEY_VAULT, "resourceId.name"),
                Arguments.of(RG + "Microsoft.Storage/storageAccounts/StMl01", STORAGE_ACCOUNT, "resourceId.name"),
                Arguments.of(RG + "Microsoft.ManagedIdentity/userAssignedIdentities/u", USER_ASSIGNED_IDENTITY, "resourceId.name"),
                Arguments.of(RG + "microsoft.insights/components/appi&ml", APPLICATION_INSIGHTS, "resourceId.name"));
    }

    @ParameterizedTest(name = "{2}: {0}")
    @MethodSource("invalid")
    void refusesNamingTheFieldAndTheRule(String id, ArmResourceId.Kind kind, String rule) {
        InvalidRequestException refused = catchThrowableOfType(InvalidRequestException.class,
                () -> ArmResourceId.parse("workspace.storageAccountId", id, kind));

        assertThat(refused.field()).isEqualTo("workspace.storageAccountId");
        assertThat(refused.rule()).isEqualTo(rule);
        assertThat(ArmResourceId.parse(id)).as("any-type parse").satisfiesAnyOf(
                p -> assertThat(rule).isIn("resourceId.type", "resourceId.name"),
                p -> assertThat(p).isEmpty());
    }
}
