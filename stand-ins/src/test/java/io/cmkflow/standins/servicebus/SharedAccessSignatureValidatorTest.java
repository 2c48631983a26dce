package io.cmkflow.standins.servicebus;

import static org.assertj.core.api.Assertions.assertThat;

import com.azure.core.credential.TokenRequestContext;
import com.azure.messaging.servicebus.implementation.ServiceBusSharedKeyCredential;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Tokens made by the client's own credential class, so signing and checking cannot drift apart. */
class SharedAccessSignatureValidatorTest {

    private static final String AUDIENCE = "amqp://localhost/cmk-requests";
    private final SharedAccessSignatureValidator validator =
            new SharedAccessSignatureValidator(Map.of("RootManageSharedAccessKey", "SAS_KEY_VALUE"));

    @Test
    void aTokenSignedWithTheConfiguredKeyGrantsItsEntity() {
        SharedAccessSignatureValidator.Verdict verdict =
                validator.check(token("RootManageSharedAccessKey", "SAS_KEY_VALUE", AUDIENCE), AUDIENCE, Instant.now());

        assertThat(verdict.granted()).isTrue();
        assertThat(verdict.grantedPath()).isEqualTo("cmk-requests");
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() {
        assertThat(validator.check(token("RootManageSharedAccessKey", "other", AUDIENCE), AUDIENCE, Instant.now())
                .refusal()).startsWith("InvalidSignature");
        assertThat(validator.check(token("OtherKeyName", "SAS_KEY_VALUE", AUDIENCE), AUDIENCE, Instant.now())
                .refusal()).isEqualTo("InvalidSignature: unknown key name");
    }

    @Test
    void anExpiredTokenIsRefused() {
        String token = token("RootManageSharedAccessKey", "SAS_KEY_VALUE", AUDIENCE);

        assertThat(validator.check(token, AUDIENCE, Instant.now().plus(Duration.ofHours(2))).refusal())
                .startsWith("ExpiredToken");
    }

    @Test
    void aTokenForOneEntityDoesNotGrantAnother() {
        String token = token("RootManageSharedAccessKey", "SAS_KEY_VALUE", AUDIENCE);

        assertThat(validator.check(token, "amqp://localhost/cmk-status", Instant.now()).refusal())
                .startsWith("InvalidAudience");
    }

    @Test
    void aNamespaceTokenCoversEveryEntityAndSubQueue() {
        String token = token("RootManageSharedAccessKey", "SAS_KEY_VALUE", "amqp://localhost/");

        assertThat(validator.check(token, AUDIENCE, Instant.now()).granted()).isTrue();
        assertThat(SharedAccessSignatureValidator.covers("cmk-requests", "cmk-requests/$deadletterqueue")).isTrue();
        assertThat(SharedAccessSignatureValidator.covers("cmk-requests", "cmk-requests-other")).isFalse();
    }

    @Test
    void somethingThatIsNotASignatureIsRefused() {
        assertThat(validator.check("Bearer abc", AUDIENCE, Instant.now()).refusal()).startsWith("InvalidToken");
        assertThat(validator.check("SharedAccessSignature sr=x&se=1", AUDIENCE, Instant.now()).refusal())
                .contains("lacks one of sr, sig, se, skn");
    }

    private static String token(String keyName, String key, String audience) {
        return new ServiceBusSharedKeyCredential(keyName, key, Duration.ofHours(1))
                .getTokenSync(new TokenRequestContext().addScopes(audience)).getToken();
    }
}
