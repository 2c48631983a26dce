package io.cmkflow.request;

import io.cmkflow.contract.CmkRequest;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import com.fasterxml.jackson.core.exc.StreamReadException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.PathType;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import com.networknt.schema.regex.RegularExpression;
import com.networknt.schema.regex.RegularExpressionFactory;
import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.InvalidRequestException;
import io.cmkflow.contract.RequestRules;
import jakarta.inject.Singleton;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Step 0: checks a request body against workflows/cmk-workspace/request.schema.json (the contract shared with
 * the publishing teams, read from the classpath) and then against the rules a schema cannot say
 * ({@link RequestRules}: same subscription for vault and workspace, key size floor, RSA-HSM needs premium, …),
 * the same rules every Azure step checks before its first call, and the authorization scope (every tenant,
 * subscription and resource group the request names must be inside it).
 */
@Singleton
public class RequestValidator {
    public static final String SCHEMA_RESOURCE = "/workflows/cmk-workspace/request.schema.json";
    /**
     * Nesting a body may have: a request is two levels deep, so anything far deeper is not one, and refusing it while
     * parsing keeps a crafted body from costing more than its (bounded) size.
     */
    public static final int MAX_NESTING_DEPTH = 16;

    private final ObjectMapper mapper;
    private final ObjectReader bodies;
    private final JsonSchema schema;
    private final AuthorizationScope scope;

    public RequestValidator(ObjectMapper mapper, AuthorizationScope scope) {
        this.mapper = mapper;
        this.bodies = bodyReader(mapper);
        this.scope = scope;
        this.schema = loadSchema();
    }

    /** Parses and validates {@code body}; returns the request or throws with the reason and every violation. */
    public CmkRequest validate(byte[] body) throws RequestRejectedException {
        JsonNode node = parse(body);
        List<Violation> violations = schemaViolations(node);
        if (!violations.isEmpty()) {
            throw new RequestRejectedException(RejectionReason.SchemaViolation, violations);
        }
        CmkRequest request = mapper.convertValue(node, CmkRequest.class);
        try {
            RequestRules.check(request, scope);
        } catch (InvalidRequestException broken) {
            throw new RequestRejectedException(RejectionReason.RuleViolation,
                    List.of(new Violation(pointer(broken.field()), broken.rule(), broken.getMessage())));
        }
        return request;
    }

    public CmkRequest validate(String body) throws RequestRejectedException {
        return validate(body.getBytes(StandardCharsets.UTF_8));
    }

    private JsonNode parse(byte[] body) throws RequestRejectedException {
        try {
            JsonNode node = bodies.readTree(body);
            if (node != null && node.isTextual() && node.asText().trim().startsWith("{")) {
                // A publisher that serialized the JSON text once more (e.g. a Node.js string body): read the text.
                node = bodies.readTree(node.asText());
            }
            if (node == null || !node.isObject()) {
                throw new RequestRejectedException(RejectionReason.MalformedJson,
                        List.of(new Violation("", "json", "the body must be a JSON object")));
            }
            return node;
        } catch (StreamConstraintsException tooDeep) {
            throw new RequestRejectedException(RejectionReason.MalformedJson, List.of(new Violation("", "json.nestingDepth",
                    "nested deeper than " + MAX_NESTING_DEPTH + " levels: " + tooDeep.getOriginalMessage())));
        } catch (JsonProcessingException e) {
            if (e.getOriginalMessage().startsWith("Duplicate field")) {
                // Which of two values would win differs between parsers, so a request naming a field twice is refused.
                throw new RequestRejectedException(RejectionReason.MalformedJson, List.of(new Violation(duplicatePointer(e),
                        "json.duplicateKey", e.getOriginalMessage())));
            }
            throw new RequestRejectedException(RejectionReason.MalformedJson,
                    List.of(new Violation("", "json", "not valid JSON: " + e.getOriginalMessage())));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * The one reader of request bodies: a field given twice, content after the request and nesting beyond {@link
     * #MAX_NESTING_DEPTH} are refused while parsing (the defaults keep the last duplicate, ignore trailing content and
     * allow 1000 levels).
     */
    private static ObjectReader bodyReader(ObjectMapper mapper) {
        JsonFactory factory = JsonFactory.builder()
                .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_NESTING_DEPTH).build())
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .build();
        return mapper.copyWith(factory).reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
    }

    /** The JSON pointer of the field a duplicate-key error is about ("/workspace/name"), "" when the parser does not say. */
    private static String duplicatePointer(JsonProcessingException e) {
        if (e instanceof StreamReadException read && read.getProcessor() != null) {
            return read.getProcessor().getParsingContext().pathAsPointer().toString();
        }
        return "";
    }

    private List<Violation> schemaViolations(JsonNode node) {
        Set<ValidationMessage> messages = schema.validate(node);
        List<Violation> violations = new ArrayList<>();
        for (ValidationMessage m : messages) {
            violations.add(new Violation(fieldOf(m), m.getType(), m.getMessage()));
        }
        violations.sort(Comparator.comparing(Violation::field).thenComparing(Violation::rule));
        return violations;
    }

    /** The field a message is about: for keywords that name a property (required, additionalProperties, …) that property. */
    private static String fieldOf(ValidationMessage m) {
        String location = m.getInstanceLocation().toString();
        String property = m.getProperty();
        boolean namesProperty = switch (m.getType()) {
            case "required", "additionalProperties", "dependentRequired", "unevaluatedProperties" -> true;
            default -> false;
        };
        return namesProperty && property != null ? location + "/" + property : location;
    }

    /** "keyVault.existingId" as the JSON pointer the schema errors use: "/keyVault/existingId". */
    static String pointer(String field) {
        return "/" + field.replace('.', '/');
    }

    /**
     * The schema's patterns with ECMA-262's meaning of {@code $}, which JSON Schema specifies: the end of the input. The
     * JDK's {@code $} also matches before a final line break, so {@code "abc\n"} would pass {@code ^[a-z]+$}; an
     * unescaped {@code $} outside a character class becomes {@code \z}.
     */
    enum EndAnchoredPatterns implements RegularExpressionFactory {
        INSTANCE;

        @Override
        public RegularExpression getRegularExpression(String regex) {
            Pattern pattern = Pattern.compile(endAnchored(regex));
            return value -> pattern.matcher(value).find();
        }

        static String endAnchored(String regex) {
            StringBuilder out = new StringBuilder(regex.length() + 4);
            boolean inClass = false;
            for (int i = 0; i < regex.length(); i++) {
                char c = regex.charAt(i);
                if (c == '\\' && i + 1 < regex.length()) {
                    out.append(c).append(regex.charAt(++i));
                } else if (c == '[') {
                    inClass = true;
                    out.append(c);
                } else if (c == ']') {
                    inClass = false;
                    out.append(c);
                } else if (c == '$' && !inClass) {
                    out.append("\\z");
                } else {
                    out.append(c);
                }
            }
            return out.toString();
        }
    }

    private static JsonSchema loadSchema() {
        try (InputStream in = RequestValidator.class.getResourceAsStream(SCHEMA_RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("request schema missing from the classpath: " + SCHEMA_RESOURCE);
            }
            SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().pathType(PathType.JSON_POINTER)
                    .regularExpressionFactory(EndAnchoredPatterns.INSTANCE).build();
            return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012).getSchema(in, config);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
