package io.cmkflow.azure;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/** Key URLs as Azure's management plane writes them (with {@code :443}) match the vault's URI and the key's own URL. */
class KeyUrlsTest {

    @Test
    void theManagementPlanesKeyUrlsWithTheDefaultPortLieInTheVaultWithout() throws IOException {
        // Azure's own example answer of Keys_CreateIfNotExist (azure-rest-api-specs).
        JsonNode key = new ObjectMapper().readTree(Path.of("src/test/resources/azure-contract/Microsoft.KeyVault/createKey.json")
                .toFile()).path("responses").path("200").path("body").path("properties");
        String keyUri = key.path("keyUri").asText();
        String keyUriWithVersion = key.path("keyUriWithVersion").asText();
        assertThat(keyUri).contains(":443/keys/");

        assertThat(KeyUrls.within(keyUri, "https://sample-vault-name.vault.azure.net/")).isTrue();
        assertThat(KeyUrls.within(keyUriWithVersion, keyUri)).isTrue();
        assertThat(KeyUrls.same(keyUriWithVersion, keyUriWithVersion.replace(":443", ""))).isTrue();
        assertThat(KeyUrls.same("https://Sample-Vault-Name.vault.azure.net/keys/sample-key-name", keyUri)).isTrue();
    }

    @Test
    void anotherVaultPortOrKeyIsNotTheSame() {
        assertThat(KeyUrls.within("https://other.vault.azure.net/keys/k", "https://sample.vault.azure.net/")).isFalse();
        assertThat(KeyUrls.within("https://sample.vault.azure.net.evil.example/keys/k", "https://sample.vault.azure.net/")).isFalse();
        assertThat(KeyUrls.within("https://sample.vault.azure.net:8443/keys/k", "https://sample.vault.azure.net/")).isFalse();
        assertThat(KeyUrls.same("https://sample.vault.azure.net/keys/k1", "https://sample.vault.azure.net/keys/k2")).isFalse();
        assertThat(KeyUrls.within("https://sample.vault.azure.net/keys/k10/v", "https://sample.vault.azure.net/keys/k1")).isFalse();
    }
}
