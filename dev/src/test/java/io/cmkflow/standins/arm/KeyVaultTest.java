package io.cmkflow.standins.arm;

import org.junit.jupiter.api.extension.RegisterExtension;
import io.cmkflow.testing.CmkStack;
import io.cmkflow.testing.TestRequests;
import io.cmkflow.contract.AzureCloud;
import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.resourcemanager.keyvault.fluent.KeysClient;
import com.azure.resourcemanager.keyvault.fluent.VaultsClient;
import com.azure.resourcemanager.keyvault.fluent.models.DeletedVaultInner;
import com.azure.resourcemanager.keyvault.fluent.models.KeyInner;
import com.azure.resourcemanager.keyvault.fluent.models.KeyProperties;
import com.azure.resourcemanager.keyvault.fluent.models.VaultAccessPolicyParametersInner;
import com.azure.resourcemanager.keyvault.models.AccessPolicyEntry;
import com.azure.resourcemanager.keyvault.models.AccessPolicyUpdateKind;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyOperation;
import com.azure.resourcemanager.keyvault.models.JsonWebKeyType;
import com.azure.resourcemanager.keyvault.models.KeyCreateParameters;
import com.azure.resourcemanager.keyvault.models.KeyPermissions;
import com.azure.resourcemanager.keyvault.models.Permissions;
import com.azure.resourcemanager.keyvault.models.SkuName;
import com.azure.resourcemanager.keyvault.models.Vault;
import com.azure.resourcemanager.keyvault.models.VaultAccessPolicyProperties;
import com.azure.resourcemanager.keyvault.models.VaultCheckNameAvailabilityParameters;
import com.azure.resourcemanager.keyvault.models.VaultCreateOrUpdateParameters;
import com.azure.resourcemanager.keyvault.models.VaultProperties;
import com.azure.resourcemanager.keyvault.models.CreateMode;
import com.azure.resourcemanager.keyvault.models.Sku;
import com.azure.resourcemanager.keyvault.models.SkuFamily;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import static io.cmkflow.testing.TestRequests.SUBSCRIPTION;
import static io.cmkflow.testing.TestRequests.TENANT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class KeyVaultTest {
    @RegisterExtension
    static final CmkStack session = CmkStack.azureOnly().callerRole(io.cmkflow.standins.arm.RoleDefinition.owner()).sdkPollDelay(Duration.ofMillis(20)).resetBeforeEach().build();
    static VaultsClient vaults;
    static KeysClient keys;

    @BeforeAll
    static void seed() {
        session.arm().state().registerProviders(SUBSCRIPTION, "Microsoft.KeyVault");
        vaults = session.resourceManager(TestRequests.SUBSCRIPTION).vaults().manager().serviceClient().getVaults();
        keys = session.resourceManager(TestRequests.SUBSCRIPTION).vaults().manager().serviceClient().getKeys();
    }

    private static String uniqueName(String prefix) {
        return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 10);
    }

    private Vault createVault(String group, String name) {
        session.arm().state().resourceGroup(SUBSCRIPTION, group, "westeurope");
        return session.resourceManager(TestRequests.SUBSCRIPTION).vaults().define(name).withRegion(Region.EUROPE_WEST)
                .withExistingResourceGroup(group).withEmptyAccessPolicy()
                .withPurgeProtectionEnabled().withSku(SkuName.STANDARD)
                .withTag("owner", "cmkflow").create();
    }

    @Test
    void vaultCreateGetAndStateAgree() {
        String name = uniqueName("kv");
        Vault vault = createVault("rg-vaults", name);

        assertThat(vault.vaultUri()).matches("https://localhost:\\d+/").isNotEqualTo(session.arm().endpoint().toString());
        assertThat(vault.purgeProtectionEnabled()).isTrue();
        assertThat(vault.softDeleteEnabled()).isTrue();
        Vault read = session.resourceManager(TestRequests.SUBSCRIPTION).vaults().getById(vault.id());
        assertThat(read.tags()).containsEntry("owner", "cmkflow");
        assertThat(read.tenantId()).isEqualTo(TENANT);

        ArmState.VaultView view = session.arm().state().vault(SUBSCRIPTION, "rg-vaults", name).orElseThrow();
        assertThat(view.purgeProtectionEnabled()).isTrue();
        assertThat(view.accessPolicies()).isEmpty();
        JournalEntry put = session.arm().journal().byOperation("Vaults_CreateOrUpdate").get(0);
        assertThat(put.path()).isEqualTo("/subscriptions/" + SUBSCRIPTION + "/resourceGroups/rg-vaults/providers/"
                + "Microsoft.KeyVault/vaults/" + name);
        assertThat(put.query()).containsEntry("api-version", "2024-11-01");
        assertThat(session.arm().journal().unhandled()).isEmpty();
    }

    @Test
    void keyCreateIfNotExistReturnsTheExistingKeyWithoutANewVersion() {
        String name = uniqueName("kv");
        Vault vault = createVault("rg-keys", name);
        KeyCreateParameters parameters = new KeyCreateParameters().withTags(Map.of("purpose", "cmk"))
                .withProperties(new KeyProperties().withKty(JsonWebKeyType.RSA).withKeySize(3072)
                        .withKeyOps(List.of(JsonWebKeyOperation.WRAP_KEY, JsonWebKeyOperation.UNWRAP_KEY)));

        KeyInner first = keys.createIfNotExist("rg-keys", name, "cmk", parameters);
        KeyInner second = keys.createIfNotExist("rg-keys", name, "cmk", parameters);

        assertThat(first.keyUri()).isEqualTo(vault.vaultUri() + "keys/cmk");
        assertThat(first.keyUriWithVersion()).startsWith(first.keyUri() + "/").hasSize(first.keyUri().length() + 33);
        assertThat(second.keyUriWithVersion()).isEqualTo(first.keyUriWithVersion());
        assertThat(first.keySize()).isEqualTo(3072);
        assertThat(first.keyOps()).containsExactly(JsonWebKeyOperation.WRAP_KEY, JsonWebKeyOperation.UNWRAP_KEY);
        assertThat(first.tags()).containsEntry("purpose", "cmk");
        assertThat(first.attributes().recoveryLevel().toString()).isEqualTo("Recoverable");
        ArmState.KeyView view = session.arm().state().key(vault.id(), "cmk").orElseThrow();
        assertThat(view.versionCount()).isEqualTo(1);
        assertThat(keys.get("rg-keys", name, "cmk").keyUriWithVersion()).isEqualTo(first.keyUriWithVersion());
        assertThat(keys.listVersions("rg-keys", name, "cmk").stream().count()).isEqualTo(1);
        assertThat(session.arm().journal().byOperation("Keys_CreateIfNotExist")).hasSize(2)
                .allSatisfy(e -> assertThat(e.status()).isEqualTo(200));
    }

    @Test
    void aKeyWithMoreThanFifteenTagsIsRefusedAsKeyVaultDoes() {
        String name = uniqueName("kv");
        createVault("rg-keys", name);
        Map<String, String> sixteen = new HashMap<>();
        for (int i = 0; i < 16; i++) {
            sixteen.put("tag" + i, "v");
        }
        KeyCreateParameters parameters = new KeyCreateParameters().withTags(sixteen)
                .withProperties(new KeyProperties().withKty(JsonWebKeyType.RSA).withKeySize(3072));

        assertThatThrownBy(() -> keys.createIfNotExist("rg-keys", name, "cmk", parameters))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(400);
                    assertThat(e.getValue().getCode()).isEqualTo("BadParameter");
                });
        assertThat(session.arm().state().key(session.arm().state().vaults().stream()
                .filter(v -> v.name().equals(name)).findFirst().orElseThrow().id(), "cmk")).isEmpty();
    }

    @Test
    void keyOnAMissingVaultIsNotFound() {
        session.arm().state().resourceGroup(SUBSCRIPTION, "rg-keys", "westeurope");
        assertThatThrownBy(() -> keys.get("rg-keys", "kvmissing", "cmk"))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getResponse().getStatusCode()).isEqualTo(404));
    }

    @Test
    void accessPolicyAddIsASetUnionAndRemoveDropsEmptyEntries() {
        String name = uniqueName("kv");
        Vault vault = createVault("rg-policies", name);
        String cosmos = AzureCloud.PUBLIC.cosmosDbApplicationId();

        updatePolicy("rg-policies", name, AccessPolicyUpdateKind.ADD, cosmos, KeyPermissions.GET, KeyPermissions.WRAP_KEY);
        updatePolicy("rg-policies", name, AccessPolicyUpdateKind.ADD, cosmos, KeyPermissions.WRAP_KEY,
                KeyPermissions.UNWRAP_KEY);

        assertThat(session.arm().state().accessPolicies(vault.id())).singleElement().satisfies(p -> {
            assertThat(p.objectId()).isEqualTo(cosmos);
            assertThat(p.keys()).containsExactlyInAnyOrder("get", "wrapKey", "unwrapKey");
        });
        assertThat(session.resourceManager(TestRequests.SUBSCRIPTION).vaults().getById(vault.id()).accessPolicies()).singleElement()
                .satisfies(p -> assertThat(p.permissions().keys()).hasSize(3));

        updatePolicy("rg-policies", name, AccessPolicyUpdateKind.REMOVE, cosmos, KeyPermissions.WRAP_KEY);
        assertThat(session.arm().state().accessPolicies(vault.id())).singleElement()
                .satisfies(p -> assertThat(p.keys()).containsExactlyInAnyOrder("get", "unwrapKey"));

        updatePolicy("rg-policies", name, AccessPolicyUpdateKind.REMOVE, cosmos, KeyPermissions.GET,
                KeyPermissions.UNWRAP_KEY);
        assertThat(session.arm().state().accessPolicies(vault.id())).isEmpty();
        assertThat(session.arm().journal().byOperation("Vaults_UpdateAccessPolicy")).hasSize(4)
                .allSatisfy(e -> assertThat(e.path()).containsIgnoringCase("/accessPolicies/"));
    }

    private static void updatePolicy(String group, String vault, AccessPolicyUpdateKind kind, String objectId,
                                     KeyPermissions... permissions) {
        vaults.updateAccessPolicy(group, vault, kind, new VaultAccessPolicyParametersInner().withProperties(
                new VaultAccessPolicyProperties().withAccessPolicies(List.of(new AccessPolicyEntry()
                        .withTenantId(UUID.fromString(TENANT)).withObjectId(objectId)
                        .withPermissions(new Permissions().withKeys(List.of(permissions)))))));
    }

    @Test
    void deletedVaultIsSoftDeletedCannotBePurgedAndCanBeRecovered() {
        String name = uniqueName("kv");
        Vault vault = createVault("rg-deleted", name);
        keys.createIfNotExist("rg-deleted", name, "cmk", new KeyCreateParameters()
                .withProperties(new KeyProperties().withKty(JsonWebKeyType.RSA).withKeySize(3072)));

        session.resourceManager(TestRequests.SUBSCRIPTION).vaults().deleteById(vault.id());

        assertThat(session.arm().state().vault(SUBSCRIPTION, "rg-deleted", name)).isEmpty();
        DeletedVaultInner deleted = vaults.getDeleted(name, "westeurope");
        assertThat(deleted.properties().vaultId()).isEqualTo(vault.id());
        assertThat(deleted.properties().purgeProtectionEnabled()).isTrue();
        assertThat(deleted.properties().scheduledPurgeDate().toInstant())
                .isCloseTo(Instant.now().plus(Duration.ofDays(90)), within(Duration.ofMinutes(1)));
        assertThat(deleted.properties().tags()).containsEntry("owner", "cmkflow");
        assertThat(vaults.listDeleted().stream().map(DeletedVaultInner::name)).contains(name);
        assertThat(session.arm().state().deletedVault(name)).get()
                .satisfies(d -> assertThat(d.scheduledPurgeDate()).isAfter(Instant.now()));

        assertThatThrownBy(() -> vaults.purgeDeleted(name, "westeurope"))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(405);
                    assertThat(e.getValue().getCode()).isEqualTo("MethodNotAllowed");
                });
        assertThat(session.arm().state().deletedVault(name)).isPresent();
        assertThatThrownBy(() -> createVault("rg-deleted", name))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getValue().getCode()).isEqualTo("ConflictError");
                    assertThat(e.getValue().getMessage())
                            .contains("A vault with the same name already exists in deleted state");
                });

        vaults.createOrUpdate("rg-deleted", name, new VaultCreateOrUpdateParameters().withLocation("westeurope")
                .withProperties(new VaultProperties().withTenantId(UUID.fromString(TENANT))
                        .withSku(new Sku().withFamily(SkuFamily.A).withName(SkuName.STANDARD))
                        .withCreateMode(CreateMode.RECOVER)));

        assertThat(session.arm().state().deletedVault(name)).isEmpty();
        ArmState.VaultView recovered = session.arm().state().vault(SUBSCRIPTION, "rg-deleted", name).orElseThrow();
        assertThat(recovered.tags()).containsEntry("owner", "cmkflow");
        assertThat(recovered.purgeProtectionEnabled()).isTrue();
        assertThat(session.arm().state().key(vault.id(), "cmk")).get()
                .satisfies(k -> assertThat(k.versionCount()).isEqualTo(1));
    }

    @Test
    void vaultWithoutPurgeProtectionCanBePurged() {
        String name = uniqueName("kv");
        session.arm().state().vault(VaultSeed.of(SUBSCRIPTION, "rg-purge", name).purgeProtection(false));
        vaults.delete("rg-purge", name);

        vaults.purgeDeleted(name, "westeurope");

        assertThat(session.arm().state().deletedVault(name)).isEmpty();
        assertThat(vaults.checkNameAvailability(new VaultCheckNameAvailabilityParameters().withName(name))
                .nameAvailable()).isTrue();
    }

    @Test
    void vaultNameTakenElsewhereIsVaultAlreadyExists() {
        String name = uniqueName("kv");
        session.arm().state().vault(VaultSeed.of(TestRequests.OTHER_SUBSCRIPTION, "rg-other", name));

        assertThat(vaults.checkNameAvailability(new VaultCheckNameAvailabilityParameters().withName(name))
                .nameAvailable()).isFalse();
        assertThatThrownBy(() -> createVault("rg-mine", name))
                .isInstanceOfSatisfying(ManagementException.class, e -> {
                    assertThat(e.getResponse().getStatusCode()).isEqualTo(409);
                    assertThat(e.getValue().getCode()).isEqualTo("VaultAlreadyExists");
                });
    }

    @Test
    void purgeProtectionCannotBeSwitchedOff() {
        String name = uniqueName("kv");
        createVault("rg-irreversible", name);
        assertThatThrownBy(() -> vaults.createOrUpdate("rg-irreversible", name, new VaultCreateOrUpdateParameters()
                .withLocation("westeurope").withProperties(new VaultProperties()
                        .withTenantId(UUID.fromString(TENANT)).withEnablePurgeProtection(false)
                        .withSku(new Sku().withFamily(SkuFamily.A).withName(SkuName.STANDARD)))))
                .isInstanceOfSatisfying(ManagementException.class,
                        e -> assertThat(e.getValue().getMessage()).contains("enablePurgeProtection"));
    }

    @Test
    void unregisteredNamespaceAnswersMissingSubscriptionRegistrationAndTheSdkRegistersAndRetries() {
        String sub = "abababab-0000-0000-0000-000000000001";
        session.arm().state().resourceGroup(sub, "rg-unregistered", "westeurope");
        var client = session.resourceManager(sub).vaults().manager().serviceClient().getVaults();

        client.createOrUpdate("rg-unregistered", "kvunregistered1", new VaultCreateOrUpdateParameters()
                .withLocation("westeurope").withProperties(new VaultProperties().withTenantId(UUID.fromString(TENANT))
                        .withSku(new Sku().withFamily(SkuFamily.A).withName(SkuName.STANDARD))));

        assertThat(session.arm().journal().entries()).extracting(JournalEntry::operation, JournalEntry::status,
                JournalEntry::errorCode).startsWith(
                org.assertj.core.groups.Tuple.tuple("Vaults_CreateOrUpdate", 409, "MissingSubscriptionRegistration"),
                org.assertj.core.groups.Tuple.tuple("Providers_Register", 200, null));
        assertThat(session.arm().journal().byOperation("Vaults_CreateOrUpdate")).last()
                .satisfies(e -> assertThat(e.status()).isEqualTo(201));
        assertThat(session.arm().state().providerState(sub, "microsoft.keyvault").registrationState())
                .isEqualTo("Registered");
        assertThat(session.arm().state().vault(sub, "rg-unregistered", "kvunregistered1")).isPresent();
    }
}
