package io.cmkflow.operator.api;

import io.cmkflow.testing.TestSecrets;
import io.micronaut.context.exceptions.ConfigurationException;
import io.micronaut.security.authentication.Authentication;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** `cmkflow.api.tokens`: a token authenticates by its hash with its entry's name and role; a bad entry stops start-up naming the setting. */
class ConfiguredTokensTest {

    @Test
    void aTokenAuthenticatesAsItsEntrysNameAndRoleAndAnotherDoesNot() {
        ConfiguredTokens tokens = new ConfiguredTokens(new ApiSettings(List.of(
                "alice:operator:" + ConfiguredTokens.sha256Hex(TestSecrets.CONFIGURED_OPERATOR_TOKEN), "victor:viewer:" + ConfiguredTokens.sha256Hex(TestSecrets.CONFIGURED_VIEWER_TOKEN).toUpperCase())));

        Authentication alice = Mono.from(tokens.validateToken(TestSecrets.CONFIGURED_OPERATOR_TOKEN, null)).block();
        Authentication victor = Mono.from(tokens.validateToken(TestSecrets.CONFIGURED_VIEWER_TOKEN, null)).block();

        assertThat(alice.getName()).isEqualTo("alice");
        assertThat(alice.getRoles()).containsExactly(ApiRoles.OPERATOR);
        assertThat(victor.getName()).isEqualTo("victor");
        assertThat(victor.getRoles()).containsExactly(ApiRoles.VIEWER);
        assertThat(Mono.from(tokens.validateToken("s3cret", null)).blockOptional()).isEmpty();
        // The hash itself is not a token.
        assertThat(Mono.from(tokens.validateToken(ConfiguredTokens.sha256Hex(TestSecrets.CONFIGURED_OPERATOR_TOKEN), null)).blockOptional()).isEmpty();
    }

    @Test
    void noTokensConfiguredAuthenticatesNobody() {
        assertThat(Mono.from(new ConfiguredTokens(new ApiSettings(null)).validateToken("anything", null)).blockOptional()).isEmpty();
    }

    @Test
    void aBadEntryIsRefusedNamingTheSettingAndNeverEchoingAToken() {
        assertThatThrownBy(() -> new ConfiguredTokens(new ApiSettings(List.of("alice:admin:" + ConfiguredTokens.sha256Hex("x")))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("cmkflow.api.tokens")
                .hasMessageContaining("role 'admin'");
        assertThatThrownBy(() -> new ConfiguredTokens(new ApiSettings(List.of("alice:operator:plain-token-value"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("hex SHA-256")
                .hasMessageNotContaining("plain-token-value");
        assertThatThrownBy(() -> new ConfiguredTokens(new ApiSettings(List.of("just-a-token"))))
                .isInstanceOf(ConfigurationException.class).hasMessageContaining("name:role:sha256")
                .hasMessageNotContaining("just-a-token");
    }
}
