package io.cmkflow.standins.servicebus;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * How a {@link ServiceBusStandIn} listens and what it serves. Defaults match the official emulator: port 5672
 * and the well-known key {@code RootManageSharedAccessKey=SAS_KEY_VALUE}; the queues default to
 * {@value EmulatorConfig#DEFAULT_RESOURCE}.
 */
public final class StandInOptions {

    /** Key name of the official emulator's well-known connection string. */
    public static final String EMULATOR_KEY_NAME = "RootManageSharedAccessKey";
    /** Key value of the official emulator's well-known connection string. */
    public static final String EMULATOR_KEY_VALUE = "SAS_KEY_VALUE";
    /** The AMQP port, which the client uses for an emulator endpoint without a port. */
    public static final int AMQP_PORT = 5672;
    /** The standard tier's message size limit, which the emulator also applies. */
    public static final int DEFAULT_MAX_MESSAGE_SIZE = 256 * 1024;

    private final String host;
    private final int port;
    private final EmulatorConfig config;
    private final Map<String, String> sharedAccessKeys;
    private final int maxMessageSize;

    private StandInOptions(Builder builder) {
        this.host = builder.host;
        this.port = builder.port;
        this.config = builder.config != null ? builder.config : EmulatorConfig.loadDefault();
        Map<String, String> keys = new LinkedHashMap<>(builder.sharedAccessKeys);
        if (keys.isEmpty()) {
            keys.put(EMULATOR_KEY_NAME, EMULATOR_KEY_VALUE);
        }
        this.sharedAccessKeys = Collections.unmodifiableMap(keys);
        this.maxMessageSize = builder.maxMessageSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Host name to bind and to put in the connection string. */
    public String host() {
        return host;
    }

    /** Port to bind; 0 picks a free one. */
    public int port() {
        return port;
    }

    public EmulatorConfig config() {
        return config;
    }

    /** Key name to key value; a CBS token must be signed with one of them. */
    public Map<String, String> sharedAccessKeys() {
        return sharedAccessKeys;
    }

    /** Largest message a sender may transfer, advertised on every sending link. */
    public int maxMessageSize() {
        return maxMessageSize;
    }

    /** Builds {@link StandInOptions}. */
    public static final class Builder {
        private String host = "localhost";
        private int port = AMQP_PORT;
        private EmulatorConfig config;
        private final Map<String, String> sharedAccessKeys = new LinkedHashMap<>();
        private int maxMessageSize = DEFAULT_MAX_MESSAGE_SIZE;

        private Builder() {
        }

        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port: must be between 0 and 65535, was " + port);
            }
            this.port = port;
            return this;
        }

        public Builder config(EmulatorConfig config) {
            this.config = Objects.requireNonNull(config, "config");
            return this;
        }

        /** Adds an accepted key; when none is added, the emulator's well-known key is accepted. */
        public Builder sharedAccessKey(String keyName, String keyValue) {
            if (keyName == null || keyName.isBlank()) {
                throw new IllegalArgumentException("sharedAccessKey keyName: must not be blank");
            }
            if (keyValue == null || keyValue.isEmpty()) {
                throw new IllegalArgumentException("sharedAccessKey keyValue: must not be empty (key " + keyName + ")");
            }
            sharedAccessKeys.put(keyName, keyValue);
            return this;
        }

        public Builder maxMessageSize(int bytes) {
            if (bytes < 1024) {
                throw new IllegalArgumentException("maxMessageSize: must be at least 1024 bytes, was " + bytes);
            }
            this.maxMessageSize = bytes;
            return this;
        }

        public StandInOptions build() {
            return new StandInOptions(this);
        }
    }
}
