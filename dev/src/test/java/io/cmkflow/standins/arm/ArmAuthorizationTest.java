package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The simulator authorizes every ARM request against the caller's role assignments as ARM does: the operation's action
 * at the request's scope or above, Azure's 403 bodies, the linked check on a user-assigned identity a PUT names, polls
 * of long-running operations as reads, role definitions' wildcards and exclusions, and new assignments that apply only
 * after their propagation time. Checked on the wire, as principals other than the simulated caller.
 */
class ArmAuthorizationTest {
    private static final String SUBSCRIPTION = "0a1b2c3d-0000-4000-8000-0000000a0741";
    private static final String LOCATION = "westeurope";
    private static final String GROUP_A = "/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-authz-a";
    private static final String VAULTS_API = "?api-version=2024-11-01";
    private static final ObjectMapper JSON = new ObjectMapper();

    static ArmSimulator sim;
    static HttpClient http;
    private String principal;

    @BeforeAll
    static void start() {
        sim = ArmSimulator.start(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)
                .withRoleAssignmentDelay(Duration.ofSeconds(2)));
        sim.state().resourceGroup(SUBSCRIPTION, "rg-authz-a", LOCATION).resourceGroup(SUBSCRIPTION, "rg-authz-b", LOCATION);
        http = HttpClient.newBuilder().sslContext(sim.sslContext()).version(HttpClient.Version.HTTP_1_1).build();
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @BeforeEach
    void newPrincipal() {
        principal = UUID.randomUUID().toString();
        sim.journal().clear();
    }

    @Test
    void aCallerWithoutARoleIsRefusedWithArmsAuthorizationFailedNamingTheActionAndTheScope() throws Exception {
        String vault = GROUP_A + "/providers/Microsoft.KeyVault/vaults/kv-authz-none";

        HttpResponse<String> refused = send("GET", vault + VAULTS_API, null, principal);

        assertThat(refused.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("AuthorizationFailed");
        assertThat(error.path("message").asText()).isEqualTo("The client '" + SimulatedDirectory.CALLER_APPLICATION_ID
                + "' with object id '" + principal + "' does not have authorization to perform action"
                + " 'Microsoft.KeyVault/vaults/read' over scope '" + vault + "' or the scope is invalid. If access was"
                + " recently granted, please refresh your credentials.");
        assertThat(sim.journal().entries()).singleElement().satisfies(call -> {
            assertThat(call.actions()).containsExactly("Microsoft.KeyVault/vaults/read");
            assertThat(call.errorCode()).isEqualTo("AuthorizationFailed");
        });
    }

    @Test
    void anAssignmentCoversItsScopeAndWhatIsBelowIt() throws Exception {
        sim.state().roleAssignment(GROUP_A, BuiltInRoles.READER, principal);

        HttpResponse<String> inScope = send("GET", GROUP_A + "/providers/Microsoft.KeyVault/vaults/kv-authz-a" + VAULTS_API, null, principal);
        HttpResponse<String> besideIt = send("GET", "/subscriptions/" + SUBSCRIPTION
                + "/resourceGroups/rg-authz-b/providers/Microsoft.KeyVault/vaults/kv-authz-b" + VAULTS_API, null, principal);
        HttpResponse<String> aWrite = send("PUT", GROUP_A + "/providers/Microsoft.KeyVault/vaults/kv-authz-a" + VAULTS_API,
                "{}", principal);

        assertThat(inScope.statusCode()).as("authorized: the vault is simply not there").isEqualTo(404);
        assertThat(besideIt.statusCode()).isEqualTo(403);
        assertThat(aWrite.statusCode()).as("Reader reads only").isEqualTo(403);
        assertThat(JSON.readTree(aWrite.body()).path("error").path("message").asText()).contains("'Microsoft.KeyVault/vaults/write'");
    }

    @Test
    void contributorMayNotAssignRolesItsNotActionsExcludeThat() throws Exception {
        sim.state().roleAssignment("/subscriptions/" + SUBSCRIPTION, BuiltInRoles.CONTRIBUTOR, principal);
        String assignment = GROUP_A + "/providers/Microsoft.Authorization/roleAssignments/" + UUID.randomUUID();

        HttpResponse<String> refused = send("PUT", assignment + "?api-version=2022-04-01", "{\"properties\":{\"roleDefinitionId\":"
                + "\"/providers/Microsoft.Authorization/roleDefinitions/" + BuiltInRoles.OWNER + "\",\"principalId\":\""
                + principal + "\"}}", principal);
        HttpResponse<String> aRead = send("GET", assignment + "?api-version=2022-04-01", null, principal);

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("error").path("message").asText())
                .contains("'Microsoft.Authorization/roleAssignments/write'", "over scope '" + assignment + "'");
        assertThat(aRead.statusCode()).as("Contributor still reads assignments").isEqualTo(404);
    }

    @Test
    void aPutNamingAUserAssignedIdentityNeedsAssignOnThatIdentityToo() throws Exception {
        String identity = sim.state().userAssignedIdentity(SUBSCRIPTION, "rg-authz-b", "uai-authz-" + principal.substring(0, 8),
                UUID.randomUUID().toString(), UUID.randomUUID().toString()).id();
        sim.state().roleAssignment(GROUP_A, BuiltInRoles.CONTRIBUTOR, principal);
        String workspace = GROUP_A + "/providers/Microsoft.MachineLearningServices/workspaces/ws-authz?api-version=2024-10-01";
        String body = "{\"location\":\"" + LOCATION + "\",\"identity\":{\"type\":\"SystemAssigned,UserAssigned\","
                + "\"userAssignedIdentities\":{\"" + identity + "\":{}}},\"properties\":{}}";

        HttpResponse<String> refused = send("PUT", workspace, body, principal);
        sim.state().roleAssignment(identity, BuiltInRoles.MANAGED_IDENTITY_OPERATOR, principal);
        HttpResponse<String> linkedAllowed = send("PUT", workspace, body, principal);

        assertThat(refused.statusCode()).isEqualTo(403);
        JsonNode error = JSON.readTree(refused.body()).path("error");
        assertThat(error.path("code").asText()).isEqualTo("LinkedAuthorizationFailed");
        assertThat(error.path("message").asText()).contains("has permission to perform action"
                + " 'Microsoft.MachineLearningServices/workspaces/write'", "does not have permission to perform action"
                + " 'Microsoft.ManagedIdentity/userAssignedIdentities/assign/action' on the linked scope(s) '" + identity + "'");
        assertThat(linkedAllowed.body()).doesNotContain("AuthorizationFailed");
        assertThat(sim.journal().entries()).last().satisfies(call -> assertThat(call.actions()).containsExactly(
                "Microsoft.MachineLearningServices/workspaces/write", ArmActions.ASSIGN_IDENTITY));
    }

    @Test
    void aLongRunningOperationsPollIsAuthorizedLikeARead() throws Exception {
        String status = "/subscriptions/" + SUBSCRIPTION + "/providers/Microsoft.MachineLearningServices/locations/"
                + LOCATION + "/workspaceOperationsStatus/" + UUID.randomUUID() + "?api-version=2024-10-01";

        HttpResponse<String> refused = send("GET", status, null, principal);

        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(refused.body()).path("error").path("message").asText())
                .contains("'Microsoft.MachineLearningServices/locations/workspaceOperationsStatus/read'");
    }

    @Test
    void aNewAssignmentAppliesOnlyOnceItHasPropagated() throws Exception {
        String vault = GROUP_A + "/providers/Microsoft.KeyVault/vaults/kv-authz-late" + VAULTS_API;
        HttpResponse<String> assigned = send("PUT", GROUP_A + "/providers/Microsoft.Authorization/roleAssignments/"
                + UUID.randomUUID() + "?api-version=2022-04-01", "{\"properties\":{\"roleDefinitionId\":"
                + "\"/providers/Microsoft.Authorization/roleDefinitions/" + BuiltInRoles.READER + "\",\"principalId\":\""
                + principal + "\"}}", SimulatedDirectory.CALLER_OBJECT_ID);
        assertThat(assigned.statusCode()).isEqualTo(201);

        HttpResponse<String> atOnce = send("GET", vault, null, principal);

        assertThat(atOnce.statusCode()).as("the assignment exists but does not apply yet").isEqualTo(403);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                .until(() -> send("GET", vault, null, principal).statusCode() == 404);
    }

    @Test
    void anAbacConditionOnAnAssignmentLimitsTheRolesItMayAssign() throws Exception {
        String condition = "((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR"
                + " (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {"
                + BuiltInRoles.READER + "}))";
        sim.state().roleAssignment(GROUP_A, BuiltInRoles.OWNER, principal, condition);
        String assignments = GROUP_A + "/providers/Microsoft.Authorization/roleAssignments/";

        HttpResponse<String> reader = send("PUT", assignments + UUID.randomUUID() + "?api-version=2022-04-01",
                assignment(BuiltInRoles.READER), principal);
        HttpResponse<String> owner = send("PUT", assignments + UUID.randomUUID() + "?api-version=2022-04-01",
                assignment(BuiltInRoles.OWNER), principal);
        HttpResponse<String> otherActions = send("GET", GROUP_A + "/providers/Microsoft.KeyVault/vaults/kv-abac" + VAULTS_API, null, principal);
        HttpResponse<String> unknownForm = send("PUT", assignments + UUID.randomUUID() + "?api-version=2022-04-01",
                "{\"properties\":{\"roleDefinitionId\":\"/providers/Microsoft.Authorization/roleDefinitions/" + BuiltInRoles.READER
                        + "\",\"principalId\":\"" + principal + "\",\"condition\":\"@Principal[x] StringEquals 'y'\"}}",
                SimulatedDirectory.CALLER_OBJECT_ID);

        assertThat(reader.statusCode()).isEqualTo(201);
        assertThat(owner.statusCode()).isEqualTo(403);
        assertThat(JSON.readTree(owner.body()).path("error").path("message").asText())
                .contains("has an authorization with ABAC condition that is not fulfilled to perform action"
                        + " 'Microsoft.Authorization/roleAssignments/write'");
        assertThat(otherActions.statusCode()).as("the condition restricts role assignment writes only").isEqualTo(404);
        assertThat(unknownForm.statusCode()).isEqualTo(400);
        assertThat(JSON.readTree(unknownForm.body()).path("error").path("code").asText()).isEqualTo("InvalidConditionExpression");
    }

    private String assignment(String role) {
        return "{\"properties\":{\"roleDefinitionId\":\"/providers/Microsoft.Authorization/roleDefinitions/" + role
                + "\",\"principalId\":\"" + UUID.randomUUID() + "\",\"principalType\":\"ServicePrincipal\"}}";
    }

    @Test
    void rolePatternsMatchAsArmMatchesThem() {
        assertThat(RoleDefinition.matches("*/read", "Microsoft.KeyVault/vaults/read")).isTrue();
        assertThat(RoleDefinition.matches("*/read", "Microsoft.KeyVault/vaults/write")).isFalse();
        assertThat(RoleDefinition.matches("Microsoft.Authorization/*/Write", "microsoft.authorization/roleAssignments/write")).isTrue();
        assertThat(RoleDefinition.matches("Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action",
                ArmActions.ASSIGN_IDENTITY)).isTrue();
        assertThat(RoleDefinition.matches("Microsoft.KeyVault/vaults/keys/*", "Microsoft.KeyVault/vaults/read")).isFalse();
        assertThat(BuiltInRoles.ALL.get(BuiltInRoles.CONTRIBUTOR).permits("Microsoft.Authorization/roleAssignments/write")).isFalse();
        assertThat(BuiltInRoles.ALL.get(BuiltInRoles.CONTRIBUTOR).permits("Microsoft.KeyVault/vaults/write")).isTrue();
        assertThat(BuiltInRoles.ALL.get(BuiltInRoles.KEY_VAULT_CRYPTO_OFFICER).permitsData(ArmActions.keyDataAction("purge"))).isTrue();
        assertThat(BuiltInRoles.ALL.get(BuiltInRoles.KEY_VAULT_CRYPTO_SERVICE_ENCRYPTION_USER)
                .permitsData(ArmActions.keyDataAction("delete"))).isFalse();
    }

    private static HttpResponse<String> send(String method, String pathAndQuery, String body, String objectId)
            throws IOException, InterruptedException {
        HttpRequest request = HttpRequest.newBuilder(URI.create(sim.endpoint() + pathAndQuery.substring(1)))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json")
                .header("Authorization", "Bearer " + SimulatedDirectory.token(VaultSeed.DEFAULT_TENANT, objectId))
                .build();
        return http.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
