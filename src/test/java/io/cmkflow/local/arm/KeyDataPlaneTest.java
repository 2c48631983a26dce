package io.cmkflow.local.arm;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import com.azure.core.exception.ResourceNotFoundException;
import com.azure.core.http.policy.FixedDelay;
import com.azure.core.http.policy.RetryPolicy;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.keyvault.fluent.models.KeyProperties;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyType;
import com.azure.resourcemanager.keyvault.models.KeyCreateParameters;
import com.azure.resourcemanager.keyvault.models.Vault;
import com.azure.security.keyvault.keys.KeyClient;
import com.azure.security.keyvault.keys.KeyClientBuilder;
import com.azure.security.keyvault.keys.models.CreateRsaKeyOptions;
import com.azure.security.keyvault.keys.models.DeletedKey;
import com.azure.security.keyvault.keys.models.KeyOperation;
import com.azure.security.keyvault.keys.models.KeyType;
import com.azure.security.keyvault.keys.models.KeyVaultKey;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.UUID;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class KeyDataPlaneTest {
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().arm(ArmSimulatorOptions.defaults().withProvidersRegisteredAtStart(true)).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();

    private static ArmState.VaultView seedVault() {
        String name = "kv" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        return session.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-data", name));
    }

    private static KeyClient keyClient(String vaultUri, boolean disableChallengeResourceVerification) {
        // No retries: the refused challenge would otherwise be retried with back-off for ~5 s.
        KeyClientBuilder builder = new KeyClientBuilder().vaultUrl(vaultUri).credential(session.arm().credential())
                .httpClient(session.arm().httpClient())
                .retryPolicy(new RetryPolicy(new FixedDelay(0, Duration.ofMillis(1))));
        if (disableChallengeResourceVerification) {
            builder.disableChallengeResourceVerification();
        }
        return builder.buildClient();
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
}
