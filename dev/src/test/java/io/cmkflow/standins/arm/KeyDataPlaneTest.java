package io.cmkflow.standins.arm;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.azure.core.credential.TokenCredential;
import com.azure.core.exception.HttpResponseException;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.resourcemanager.authorization.models.BuiltInRole;
import io.cmkflow.contract.KeyVaultRoles;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.keyvault.fluent.models.KeyProperties;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyType;
import com.azure.resourcemanager.keyvault.models.KeyCreateParameters;
import com.azure.resourcemanager.keyvault.models.Vault;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.implementation.KeyVaultCredentialPolicy;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.DeletedKey;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class KeyDataPlaneTest {
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();

    private static final List<String> EVERY_KEY_PERMISSION = List.of("get", "list", "create", "delete", "purge",
            "recover", "update", "rotate", "getrotationpolicy", "setrotationpolicy");

    /** A vault whose access policies give the simulator's caller every key permission. */
    private static ArmState.VaultView seedVault() {
        return session.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-data", vaultName())
                .accessPolicy(SimulatedDirectory.CALLER_OBJECT_ID, EVERY_KEY_PERMISSION));
    }

    private static String vaultName() {
        return "kv" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    }

    private static KeyClient keyClient(String vaultUri, boolean disableChallengeResourceVerification) {
        return keyClient(vaultUri, disableChallengeResourceVerification, session.arm().credential());
    }

    private static KeyClient keyClient(String vaultUri, boolean disableChallengeResourceVerification,
                                       TokenCredential credential) {
        // No retries: the refused challenge would otherwise be retried with back-off for ~5 s.
        KeyClientBuilder builder = new KeyClientBuilder().vaultUrl(vaultUri).credential(credential)
                .httpClient(session.arm().httpClient())
                .retryPolicy(new RetryPolicy(new FixedDelay(0, Duration.ofMillis(1))));
        if (disableChallengeResourceVerification) {
            builder.disableChallengeResourceVerification();
        }
        return builder.buildClient();
    }

    /**
     * The Key Vault SDK caches each challenge JVM-wide by host and port; a simulator earlier in this JVM on the port
     * this one got would spare these tests the challenge they assert on (seen once in a full run).
     */
    @BeforeEach
    void forgetChallengesOfEarlierSimulators() {
        KeyVaultCredentialPolicy.clearCache();
    }

    @Test
    void keyClientFollowsTheChallengeAndEveryCreateMakesANewVersion() {
        ArmState.VaultView vault = seedVault();
        KeyClient client = keyClient(vault.vaultUri(), true);

        KeyVaultKey first = client.createRsaKey(new CreateRsaKeyOptions("cmk").setKeySize(3072)
                .setKeyOperations(KeyOperation.WRAP_KEY, KeyOperation.UNWRAP_KEY));
        KeyVaultKey second = client.createRsaKey(new CreateRsaKeyOptions("cmk").setKeySize(3072));

        assertThat(first.getId()).startsWith(vault.vaultUri() + "keys/cmk/");
        assertThat(first.getKeyType()).isEqualTo(KeyType.RSA);
        assertThat(first.getKey().getN()).hasSize(384);
        assertThat(second.getProperties().getVersion()).isNotEqualTo(first.getProperties().getVersion());
        assertThat(session.arm().state().key(vault.id(), "cmk")).get()
                .satisfies(k -> assertThat(k.versionCount()).isEqualTo(2));
        assertThat(client.getKey("cmk").getId()).isEqualTo(second.getId());
        assertThat(client.listPropertiesOfKeyVersions("cmk").stream().count()).isEqualTo(2);

        var creates = session.arm().journal().byOperation("CreateKey");
        assertThat(creates.get(0).status()).isEqualTo(401);
        assertThat(creates.get(0).requestBody()).isNull();
        assertThat(creates.get(1).status()).isEqualTo(200);
        assertThat(creates.get(1).requestBody()).contains("\"key_size\":3072");
    }

    @Test
    void aKeysExpiryAndRotationPolicyAreKeptAndAnsweredAsKeyVaultDoes() {
        ArmState.VaultView vault = seedVault();
        KeyClient client = keyClient(vault.vaultUri(), true);
        java.time.OffsetDateTime expires = java.time.OffsetDateTime.now(java.time.ZoneOffset.UTC).plusDays(90).withNano(0);
        client.createRsaKey(new CreateRsaKeyOptions("expiring").setKeySize(3072).setExpiresOn(expires));

        com.azure.security.keyvault.keys.models.KeyRotationPolicy policy = client.updateKeyRotationPolicy("expiring",
                new com.azure.security.keyvault.keys.models.KeyRotationPolicy().setExpiresIn("P90D").setLifetimeActions(List.of(
                        new com.azure.security.keyvault.keys.models.KeyRotationLifetimeAction(
                                com.azure.security.keyvault.keys.models.KeyRotationPolicyAction.ROTATE).setTimeBeforeExpiry("P30D"),
                        new com.azure.security.keyvault.keys.models.KeyRotationLifetimeAction(
                                com.azure.security.keyvault.keys.models.KeyRotationPolicyAction.NOTIFY).setTimeBeforeExpiry("P14D"))));

        assertThat(client.getKey("expiring").getProperties().getExpiresOn()).isEqualTo(expires);
        assertThat(policy.getExpiresIn()).isEqualTo("P90D");
        assertThat(client.getKeyRotationPolicy("expiring").getLifetimeActions()).extracting(a -> a.getAction() + " "
                + a.getTimeBeforeExpiry()).containsExactlyInAnyOrder(
                com.azure.security.keyvault.keys.models.KeyRotationPolicyAction.ROTATE + " P30D",
                com.azure.security.keyvault.keys.models.KeyRotationPolicyAction.NOTIFY + " P14D");
        // Key Vault's rules: an expiry of at least 28 days, a rotation at least 7 days before expiry.
        assertThatThrownBy(() -> client.updateKeyRotationPolicy("expiring", new com.azure.security.keyvault.keys.models
                .KeyRotationPolicy().setExpiresIn("P20D"))).isInstanceOfSatisfying(HttpResponseException.class,
                e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(400)).hasMessageContaining("28 days");
        assertThatThrownBy(() -> client.updateKeyRotationPolicy("expiring", new com.azure.security.keyvault.keys.models
                .KeyRotationPolicy().setExpiresIn("P30D").setLifetimeActions(List.of(new com.azure.security.keyvault.keys
                .models.KeyRotationLifetimeAction(com.azure.security.keyvault.keys.models.KeyRotationPolicyAction.ROTATE)
                .setTimeBeforeExpiry("P3D"))))).hasMessageContaining("7 days before expiry");
        // Setting a policy is a key permission of its own (setrotationpolicy; on an RBAC vault keyrotationpolicies/write).
        ArmState.VaultView withoutIt = session.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-data", vaultName())
                .accessPolicy(SimulatedDirectory.CALLER_OBJECT_ID, List.of("get", "create", "getrotationpolicy")));
        KeyClient limited = keyClient(withoutIt.vaultUri(), true);
        limited.createRsaKey(new CreateRsaKeyOptions("limited").setKeySize(3072));
        assertThatThrownBy(() -> limited.updateKeyRotationPolicy("limited", new com.azure.security.keyvault.keys.models
                .KeyRotationPolicy().setExpiresIn("P90D"))).isInstanceOfSatisfying(HttpResponseException.class,
                e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(403));
    }

    @Test
    void aVersionCanBeDisabledAndAnOnDemandRotationMakesAVersionExpiringAsThePolicySays() {
        ArmState.VaultView vault = seedVault();
        KeyClient client = keyClient(vault.vaultUri(), true);
        KeyVaultKey first = client.createRsaKey(new CreateRsaKeyOptions("rotating").setKeySize(3072));
        client.updateKeyRotationPolicy("rotating", new com.azure.security.keyvault.keys.models.KeyRotationPolicy()
                .setExpiresIn("P60D"));

        KeyVaultKey rotated = client.rotateKey("rotating");
        client.updateKeyProperties(first.getProperties().setEnabled(false));

        assertThat(rotated.getProperties().getVersion()).isNotEqualTo(first.getProperties().getVersion());
        assertThat(rotated.getProperties().getExpiresOn()).isBetween(java.time.OffsetDateTime.now().plusDays(59),
                java.time.OffsetDateTime.now().plusDays(61));
        assertThat(client.getKey("rotating", first.getProperties().getVersion()).getProperties().isEnabled()).isFalse();
        assertThat(client.getKey("rotating").getProperties().isEnabled()).as("the new version").isTrue();
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).vaults().manager().serviceClient().getKeys()
                .getVersion("rg-data", vault.name(), "rotating", first.getProperties().getVersion()).attributes().enabled())
                .as("the management plane sees it too").isFalse();
    }

    @Test
    void theManagementPlaneTakesAKeysExpiryAndRotationPolicyAtCreation() {
        ArmState.VaultView vault = seedVault();
        long expires = java.time.Instant.now().plus(Duration.ofDays(365)).getEpochSecond();
        var keys = session.resourceManager(TestRequests.SUBSCRIPTION).vaults().manager().serviceClient().getKeys();

        var created = keys.createIfNotExist("rg-data", vault.name(), "managed", new KeyCreateParameters()
                .withProperties(new KeyProperties().withKty(JsonWebKeyType.RSA).withKeySize(3072)
                        .withAttributes(new com.azure.resourcemanager.keyvault.models.KeyAttributes().withExpires(expires))
                        .withRotationPolicy(new com.azure.resourcemanager.keyvault.models.RotationPolicy()
                                .withAttributes(new com.azure.resourcemanager.keyvault.models.KeyRotationPolicyAttributes()
                                        .withExpiryTime("P1Y"))
                                .withLifetimeActions(List.of(new com.azure.resourcemanager.keyvault.models.LifetimeAction()
                                        .withTrigger(new com.azure.resourcemanager.keyvault.models.Trigger().withTimeBeforeExpiry("P30D"))
                                        .withAction(new com.azure.resourcemanager.keyvault.models.Action().withType(
                                                com.azure.resourcemanager.keyvault.models.KeyRotationPolicyActionType.ROTATE)))))));

        assertThat(created.attributes().expires()).isEqualTo(expires);
        assertThat(created.rotationPolicy().attributes().expiryTime()).isEqualTo("P1Y");
        assertThat(keyClient(vault.vaultUri(), true).getKeyRotationPolicy("managed").getLifetimeActions())
                .singleElement().satisfies(a -> assertThat(a.getTimeBeforeExpiry()).isEqualTo("P30D"));
        assertThatThrownBy(() -> keys.createIfNotExist("rg-data", vault.name(), "too-short", new KeyCreateParameters()
                .withProperties(new KeyProperties().withKty(JsonWebKeyType.RSA).withKeySize(3072)
                        .withRotationPolicy(new com.azure.resourcemanager.keyvault.models.RotationPolicy()
                                .withAttributes(new com.azure.resourcemanager.keyvault.models.KeyRotationPolicyAttributes()
                                        .withExpiryTime("P7D"))))))
                .isInstanceOf(ManagementException.class).hasMessageContaining("28 days");
        assertThat(session.arm().state().key(vault.id(), "too-short")).as("nothing created by a refused request").isEmpty();
    }

    @Test
    void keyClientWithResourceVerificationRefusesTheLocalChallenge() {
        ArmState.VaultView vault = seedVault();
        KeyClient client = keyClient(vault.vaultUri(), false);

        assertThatThrownBy(() -> client.getKey("anything"))
                .hasMessageContaining("does not match the requested domain");
    }

    @Test
    void fluentVaultKeysUseTheArmPipelineWithoutChallenge() {
        ArmState.VaultView seeded = seedVault();
        Vault vault = session.resourceManager(TestRequests.SUBSCRIPTION).vaults().getById(seeded.id());

        var key = vault.keys().define("fluent").withKeyTypeToCreate(KeyType.RSA).withKeySize(3072).create();

        assertThat(key.id()).startsWith(seeded.vaultUri() + "keys/fluent/");
        assertThat(session.arm().journal().byOperation("CreateKey")).singleElement()
                .satisfies(e -> assertThat(e.status()).isEqualTo(200));
    }

    @Test
    void deletedKeyIsSoftDeletedAndBlocksCreateIfNotExist() {
        ArmState.VaultView vault = seedVault();
        KeyClient client = keyClient(vault.vaultUri(), true);
        client.createRsaKey(new CreateRsaKeyOptions("gone").setKeySize(3072));

        DeletedKey deleted = client.beginDeleteKey("gone").waitForCompletion().getValue();

        assertThat(deleted.getRecoveryId()).isEqualTo(vault.vaultUri() + "deletedkeys/gone");
        assertThat(deleted.getScheduledPurgeDate()).isNotNull();
        assertThat(session.arm().state().key(vault.id(), "gone")).get().satisfies(k -> assertThat(k.deleted()).isTrue());
        assertThatThrownBy(() -> client.getKey("gone")).isInstanceOf(ResourceNotFoundException.class);
        assertThatThrownBy(() -> session.resourceManager(TestRequests.SUBSCRIPTION).vaults().manager().serviceClient().getKeys().createIfNotExist(
                "rg-data", vault.name(), "gone", new KeyCreateParameters().withProperties(
                        new KeyProperties().withKty(JsonWebKeyType.RSA))))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(409));
        assertThatThrownBy(() -> client.purgeDeletedKey("gone")).hasMessageContaining("purge protection");
    }

    @Test
    void aCallerMissingTheKeyPermissionGetsKeyVaultsForbidden_andTheOneItHoldsWorks() {
        ArmState.VaultView vault = session.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-data", vaultName())
                .accessPolicy(SimulatedDirectory.CALLER_OBJECT_ID, List.of("create", "get")));
        KeyClient client = keyClient(vault.vaultUri(), true);
        client.createRsaKey(new CreateRsaKeyOptions("held").setKeySize(3072));

        assertThatThrownBy(() -> client.beginDeleteKey("held"))
                .isInstanceOfSatisfying(HttpResponseException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(403);
                    assertThat(e.getMessage()).contains("\"code\":\"Forbidden\"")
                            .contains("does not have keys delete permission on key vault '" + vault.name())
                            .contains("oid=" + SimulatedDirectory.CALLER_OBJECT_ID)
                            .contains("ForbiddenByPolicy");
                });
        assertThat(client.getKey("held").getName()).isEqualTo("held");
        assertThat(session.arm().state().key(vault.id(), "held")).get().satisfies(k -> assertThat(k.deleted()).isFalse());
        // Another principal, even in the same tenant, is refused what this one holds.
        assertThatThrownBy(() -> keyClient(vault.vaultUri(), true, SimulatedDirectory.credential(
                VaultSeed.DEFAULT_TENANT, UUID.randomUUID().toString())).getKey("held"))
                .isInstanceOfSatisfying(HttpResponseException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(403));
    }

    @Test
    void anRbacVaultAuthorizesByKeyVaultRole_onlyOnceTheAssignmentHasApplied() {
        ArmSimulatorOptions delayed = ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)
                .withRoleAssignmentDelay(Duration.ofSeconds(3));
        try (CmkStack slow = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).arm(delayed).build().start()) {
            ArmState.VaultView vault = slow.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-data", vaultName())
                    .rbacAuthorization(true).accessPolicy(SimulatedDirectory.CALLER_OBJECT_ID, EVERY_KEY_PERMISSION));
            KeyClient client = new KeyClientBuilder().vaultUrl(vault.vaultUri()).credential(slow.arm().credential())
                    .httpClient(slow.arm().httpClient()).retryPolicy(new RetryPolicy(new FixedDelay(0, Duration.ofMillis(1))))
                    .disableChallengeResourceVerification().buildClient();
            // An RBAC vault ignores access policies: the entry above grants nothing.
            assertThatThrownBy(() -> client.createRsaKey(new CreateRsaKeyOptions("rbac").setKeySize(3072)))
                    .isInstanceOfSatisfying(HttpResponseException.class, e -> assertThat(e.getMessage())
                            .contains("Caller is not authorized").contains("ForbiddenByRbac"));

            slow.resourceManager(SUBSCRIPTION).accessManagement().roleAssignments().define(UUID.randomUUID().toString())
                    .forObjectId(SimulatedDirectory.CALLER_OBJECT_ID)
                    .withBuiltInRole(BuiltInRole.fromString(KeyVaultRoles.CRYPTO_OFFICER_NAME))
                    .withScope(vault.id()).create();

            // Just made, the assignment does not apply yet; once it does, the same call passes.
            assertThatThrownBy(() -> client.createRsaKey(new CreateRsaKeyOptions("rbac").setKeySize(3072)))
                    .isInstanceOfSatisfying(HttpResponseException.class,
                            e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(403));
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(200))
                    .ignoreException(HttpResponseException.class).untilAsserted(() ->
                    assertThat(client.createRsaKey(new CreateRsaKeyOptions("rbac").setKeySize(3072)).getName())
                            .isEqualTo("rbac"));
            assertThat(slow.arm().journal().byOperation("CreateKey")).extracting(JournalEntry::status)
                    .contains(403).endsWith(200);
        }
    }
}
