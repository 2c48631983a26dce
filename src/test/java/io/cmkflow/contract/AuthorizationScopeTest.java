package io.cmkflow.contract;

import io.cmkflow.testing.TestRequests;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** The authorization scope: every tenant, subscription and resource group a request names must fall inside a grant. */
class AuthorizationScopeTest {
    private static final String TENANT = TestRequests.TENANT;
    private static final String SUB = TestRequests.SUBSCRIPTION;
    private static final String OTHER_SUB = TestRequests.OTHER_SUBSCRIPTION;
    private static final AuthorizationScope SCOPE = AuthorizationScope.of(List.of(
            "AzureCloud/" + TENANT + "/" + SUB + "/rg-cmk*",
            "AzureCloud/" + TENANT + "/" + OTHER_SUB + "/rg-identities"));
    private static final CmkRequest VALID = TestRequests.request("scope");

    @Test
    void aRequestInsideTheScopePasses() {
        CmkRequest withIdentityElsewhere = withIdentity(OTHER_SUB, "rg-identities");

        assertThatCode(() -> SCOPE.check(VALID)).doesNotThrowAnyException();
        assertThatCode(() -> SCOPE.check(withIdentityElsewhere)).doesNotThrowAnyException();
        assertThatCode(() -> SCOPE.check(TestRequests.copy(VALID).resourceGroup("RG-CMK-prod").build()))
                .as("group names compare without case").doesNotThrowAnyException();
    }

    static Stream<Arguments> outside() {
        String vaultElsewhere = ArmResourceId.of(SUB, "rg-finance", "Microsoft.KeyVault", "vaults", "kv-finance");
        return Stream.of(
                Arguments.of(TestRequests.copy(VALID).tenantId("0f0f0f0f-1111-2222-3333-444444444444").build(), "tenantId", "scope.tenant"),
                Arguments.of(TestRequests.copy(VALID).cloud(CmkRequest.AZURE_US_GOVERNMENT).build(), "tenantId", "scope.tenant"),
                Arguments.of(TestRequests.copy(VALID).subscriptionId("22222222-2222-3333-4444-555555555555").build(), "subscriptionId", "scope.subscription"),
                Arguments.of(TestRequests.copy(VALID).resourceGroup("rg-finance").build(), "resourceGroup", "scope.resourceGroup"),
                Arguments.of(TestRequests.copy(VALID).resourceGroup("my-rg-cmk").build(), "resourceGroup", "scope.resourceGroup"),
                Arguments.of(TestRequests.copy(VALID).vault(new CmkRequest.KeyVault(null, vaultElsewhere, null, null, null)).build(),
                        "keyVault.existingId", "scope.resourceGroup"),
                Arguments.of(withStorage(ArmResourceId.of(SUB, "rg-data", "Microsoft.Storage", "storageAccounts", "stdata")),
                        "workspace.storageAccountId", "scope.resourceGroup"),
                Arguments.of(withInsights(ArmResourceId.of(SUB, "rg-monitoring", "microsoft.insights", "components", "appi")),
                        "workspace.applicationInsightsId", "scope.resourceGroup"),
                Arguments.of(withIdentity("33333333-2222-3333-4444-555555555555", "rg-identities"),
                        "workspace.userAssignedIdentityId", "scope.subscription"),
                Arguments.of(withIdentity(OTHER_SUB, "rg-cmk"), "workspace.userAssignedIdentityId", "scope.resourceGroup"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource("outside")
    void anythingOutsideIsRefusedNamingTheField(CmkRequest request, String field, String rule) {
        InvalidRequestException refused = catchThrowableOfType(InvalidRequestException.class, () -> SCOPE.check(request));

        assertThat(refused.field()).isEqualTo(field);
        assertThat(refused.rule()).isEqualTo(rule);
    }

    @Test
    void noEntriesAllowNothingAndStarAllowsEverything() {
        AuthorizationScope empty = AuthorizationScope.of(List.of(""));
        AuthorizationScope everything = AuthorizationScope.of(List.of("*"));

        assertThat(empty.isEmpty()).isTrue();
        assertThat(catchThrowableOfType(InvalidRequestException.class, () -> empty.check(VALID)).rule()).isEqualTo("scope.tenant");
        assertThat(everything.allowsEverything()).isTrue();
        assertThatCode(() -> everything.check(TestRequests.copy(VALID).tenantId("0f0f0f0f-1111-2222-3333-444444444444").build()))
                .doesNotThrowAnyException();
    }

    @ParameterizedTest
    @ValueSource(strings = {"AzureCloud/" + TestRequests.TENANT + "/" + TestRequests.SUBSCRIPTION,
            "AzureChinaCloud/" + TestRequests.TENANT + "/*/*", "AzureCloud/contoso.com/*/*",
            "AzureCloud/" + TestRequests.TENANT + "/my-sub/*", "AzureCloud/" + TestRequests.TENANT + "/*/rg?x"})
    void aMalformedEntryIsRefusedNamed(String entry) {
        assertThatThrownBy(() -> AuthorizationScope.of(List.of(entry))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(entry);
    }

    private static CmkRequest withIdentity(String subscription, String group) {
        return TestRequests.copy(VALID).workspace(new CmkRequest.Workspace(VALID.workspace().name(), null, null,
                ArmResourceId.of(subscription, group, "Microsoft.ManagedIdentity", "userAssignedIdentities", "uai-ml"),
                "3c9b1f2e-7a4d-4b8e-9f01-23456789abcd", null, null)).build();
    }

    private static CmkRequest withStorage(String id) {
        return TestRequests.copy(VALID).workspace(new CmkRequest.Workspace(VALID.workspace().name(), null, null, null, null, id, null)).build();
    }

    private static CmkRequest withInsights(String id) {
        return TestRequests.copy(VALID).workspace(new CmkRequest.Workspace(VALID.workspace().name(), null, null, null, null, null, id)).build();
    }
}
