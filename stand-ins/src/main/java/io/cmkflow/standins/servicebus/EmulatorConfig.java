package io.cmkflow.standins.servicebus;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The queues the stand-in serves, declared in the official Service Bus emulator's Config.json form
 * ({@code UserConfig.Namespaces[].Queues[].{Name, Properties}}), so one file serves both.
 *
 * <p>Honoured queue properties: LockDuration, MaxDeliveryCount, DefaultMessageTimeToLive,
 * DeadLetteringOnMessageExpiration, RequiresDuplicateDetection, DuplicateDetectionHistoryTimeWindow.
 * RequiresSession must be false and ForwardTo / ForwardDeadLetteredMessagesTo empty: the stand-in has
 * neither sessions nor auto-forwarding, and refuses a file that relies on them rather than ignoring it.
 * Topics are accepted for compatibility with emulator files but not served (a warning names them).
 */
public final class EmulatorConfig {

    /** Classpath location of the queue configuration dev mode uses. */
    public static final String DEFAULT_RESOURCE = "servicebus/Config.json";

    private static final Logger LOG = LoggerFactory.getLogger(EmulatorConfig.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    // Service Bus entity naming rule: 1-260 of alphanumerics . - _ /, starting and ending alphanumeric.
    private static final Pattern QUEUE_NAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9._/-]{0,258}[A-Za-z0-9])?");
    private static final Duration MAX_LOCK_DURATION = Duration.ofMinutes(5);
    private static final Duration MAX_DUPLICATE_WINDOW = Duration.ofDays(7);
    private static final Set<String> QUEUE_PROPERTIES = Set.of("LockDuration", "MaxDeliveryCount",
            "DefaultMessageTimeToLive", "DeadLetteringOnMessageExpiration", "RequiresDuplicateDetection",
            "DuplicateDetectionHistoryTimeWindow", "RequiresSession", "ForwardTo", "ForwardDeadLetteredMessagesTo");

    private final List<QueueDefinition> queues;

    private EmulatorConfig(List<QueueDefinition> queues) {
        this.queues = List.copyOf(queues);
    }

    /** A configuration of the given queues, for tests that build definitions in code. */
    public static EmulatorConfig of(QueueDefinition... queues) {
        Set<String> names = new HashSet<>();
        for (QueueDefinition queue : queues) {
            requireValidName(queue.name(), "queue name");
            if (!names.add(queue.name().toLowerCase(Locale.ROOT))) {
                throw new IllegalArgumentException("queue name: '" + queue.name() + "' is declared twice");
            }
        }
        return new EmulatorConfig(List.of(queues));
    }

    /** The configuration shipped as {@value #DEFAULT_RESOURCE}. */
    public static EmulatorConfig loadDefault() {
        try (InputStream in = EmulatorConfig.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("classpath resource " + DEFAULT_RESOURCE + " is missing");
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read classpath resource " + DEFAULT_RESOURCE, e);
        }
    }

    /**
     * Parses a Config.json document.
     *
     * @throws IllegalArgumentException naming the offending field (as a JSON path) and the rule it breaks
     */
    public static EmulatorConfig parse(String json) {
        JsonNode root;
        try {
            root = JSON.readTree(json);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("Config.json: not valid JSON: " + e.getOriginalMessage(), e);
        }
        JsonNode userConfig = requireObject(root == null ? null : root.get("UserConfig"), "UserConfig");
        JsonNode namespaces = userConfig.get("Namespaces");
        if (namespaces == null || !namespaces.isArray() || namespaces.isEmpty()) {
            throw new IllegalArgumentException("UserConfig.Namespaces: must be a non-empty array");
        }
        List<QueueDefinition> queues = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int n = 0; n < namespaces.size(); n++) {
            String nsPath = "UserConfig.Namespaces[" + n + "]";
            JsonNode namespace = requireObject(namespaces.get(n), nsPath);
            JsonNode queueArray = namespace.get("Queues");
            if (queueArray != null && !queueArray.isArray()) {
                throw new IllegalArgumentException(nsPath + ".Queues: must be an array");
            }
            for (int q = 0; queueArray != null && q < queueArray.size(); q++) {
                QueueDefinition queue = parseQueue(queueArray.get(q), nsPath + ".Queues[" + q + "]");
                if (!names.add(queue.name().toLowerCase(Locale.ROOT))) {
                    throw new IllegalArgumentException(nsPath + ".Queues[" + q + "].Name: '" + queue.name()
                            + "' is declared twice (queue names are case-insensitive)");
                }
                queues.add(queue);
            }
            JsonNode topics = namespace.get("Topics");
            if (topics != null && topics.isArray() && !topics.isEmpty()) {
                LOG.warn("{}.Topics: {} topic(s) declared; the stand-in serves queues only, topics are not served",
                        nsPath, topics.size());
            }
        }
        return new EmulatorConfig(queues);
    }

    /** The declared queues, in declaration order. */
    public List<QueueDefinition> queues() {
        return queues;
    }

    private static QueueDefinition parseQueue(JsonNode node, String path) {
        JsonNode queue = requireObject(node, path);
        JsonNode nameNode = queue.get("Name");
        if (nameNode == null || !nameNode.isTextual()) {
            throw new IllegalArgumentException(path + ".Name: is required and must be a string");
        }
        String name = nameNode.asText();
        requireValidName(name, path + ".Name");
        QueueDefinition definition = QueueDefinition.withDefaults(name);
        JsonNode properties = queue.get("Properties");
        if (properties == null) {
            return definition;
        }
        String propsPath = path + ".Properties";
        requireObject(properties, propsPath);
        Iterator<Map.Entry<String, JsonNode>> fields = properties.fields();
        Duration lock = definition.lockDuration();
        int maxDeliveryCount = definition.maxDeliveryCount();
        Duration ttl = definition.defaultMessageTimeToLive();
        boolean deadLetterOnExpiry = definition.deadLetteringOnMessageExpiration();
        boolean duplicateDetection = definition.requiresDuplicateDetection();
        Duration duplicateWindow = definition.duplicateDetectionHistoryTimeWindow();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            String fieldPath = propsPath + "." + field.getKey();
            JsonNode value = field.getValue();
            switch (field.getKey()) {
                case "LockDuration" -> {
                    lock = requirePositiveDuration(value, fieldPath);
                    if (lock.compareTo(MAX_LOCK_DURATION) > 0) {
                        throw new IllegalArgumentException(fieldPath + ": must be at most PT5M, was " + value.asText());
                    }
                }
                case "MaxDeliveryCount" -> {
                    if (!value.isInt() || value.asInt() < 1) {
                        throw new IllegalArgumentException(fieldPath + ": must be an integer of at least 1, was " + value);
                    }
                    maxDeliveryCount = value.asInt();
                }
                case "DefaultMessageTimeToLive" -> ttl = requirePositiveDuration(value, fieldPath);
                case "DeadLetteringOnMessageExpiration" -> deadLetterOnExpiry = requireBoolean(value, fieldPath);
                case "RequiresDuplicateDetection" -> duplicateDetection = requireBoolean(value, fieldPath);
                case "DuplicateDetectionHistoryTimeWindow" -> {
                    duplicateWindow = requirePositiveDuration(value, fieldPath);
                    if (duplicateWindow.compareTo(MAX_DUPLICATE_WINDOW) > 0) {
                        throw new IllegalArgumentException(fieldPath + ": must be at most P7D, was " + value.asText());
                    }
                }
                case "RequiresSession" -> {
                    if (requireBoolean(value, fieldPath)) {
                        throw new IllegalArgumentException(fieldPath + ": must be false; the stand-in has no sessions");
                    }
                }
                case "ForwardTo", "ForwardDeadLetteredMessagesTo" -> {
                    if (!value.isTextual() || !value.asText().isEmpty()) {
                        throw new IllegalArgumentException(
                                fieldPath + ": must be empty; the stand-in does not auto-forward, was " + value);
                    }
                }
                default -> throw new IllegalArgumentException(
                        fieldPath + ": unknown queue property; known: " + new TreeSet<>(QUEUE_PROPERTIES));
            }
        }
        return new QueueDefinition(name, lock, maxDeliveryCount, ttl, deadLetterOnExpiry, duplicateDetection,
                duplicateWindow);
    }

    private static void requireValidName(String name, String path) {
        if (name == null || !QUEUE_NAME.matcher(name).matches()) {
            throw new IllegalArgumentException(path + ": must be 1-260 letters, digits, '.', '-', '_' or '/', "
                    + "starting and ending with a letter or digit, was '" + name + "'");
        }
    }

    private static JsonNode requireObject(JsonNode node, String path) {
        if (node == null || !node.isObject()) {
            throw new IllegalArgumentException(path + ": is required and must be an object");
        }
        return node;
    }

    private static boolean requireBoolean(JsonNode value, String path) {
        if (!value.isBoolean()) {
            throw new IllegalArgumentException(path + ": must be true or false, was " + value);
        }
        return value.asBoolean();
    }

    private static Duration requirePositiveDuration(JsonNode value, String path) {
        if (!value.isTextual()) {
            throw new IllegalArgumentException(path + ": must be an ISO-8601 duration string such as PT1M, was " + value);
        }
        Duration duration;
        try {
            duration = Duration.parse(value.asText());
        } catch (DateTimeParseException e) {
            throw new IllegalArgumentException(
                    path + ": must be an ISO-8601 duration such as PT1M, was '" + value.asText() + "'", e);
        }
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(path + ": must be longer than zero, was " + value.asText());
        }
        return duration;
    }
}
