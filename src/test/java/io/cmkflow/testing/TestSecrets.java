package io.cmkflow.testing;

import io.cmkflow.standins.servicebus.StandInOptions;

import java.util.List;

/**
 * Every secret value a test configures or a stand-in uses by default, in one place: tests take their tokens from here,
 * and the log secret scan looks for each of them, literally, in every log line of the test run.
 */
public final class TestSecrets {
    /** OperatorApiTest's operator and viewer API tokens. */
    public static final String OPERATOR_API_TOKEN = "operator-token-7f3a9c";
    public static final String VIEWER_API_TOKEN = "viewer-token-2b8e41";
    /** CliOnDevServerTest's operator API token. */
    public static final String CLI_OPERATOR_API_TOKEN = "cli-operator-token-5d2e";
    /** ConfiguredTokensTest's tokens. */
    public static final String CONFIGURED_OPERATOR_TOKEN = "s3cret-a";
    public static final String CONFIGURED_VIEWER_TOKEN = "s3cret-v";

    private TestSecrets() {
    }

    /**
     * The literal secrets: the ones above and the Service Bus stand-in's shared access key. Not dev mode's API token:
     * like Vault's dev root token it is printed in dev mode's banner on purpose, and only dev mode accepts it.
     */
    public static List<String> all() {
        return List.of(StandInOptions.EMULATOR_KEY_VALUE, OPERATOR_API_TOKEN, VIEWER_API_TOKEN,
                CLI_OPERATOR_API_TOKEN, CONFIGURED_OPERATOR_TOKEN, CONFIGURED_VIEWER_TOKEN);
    }
}
