package io.cmkflow.request;

import io.cmkflow.contract.AuthorizationScope;
import io.cmkflow.contract.CmkRequest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** Every example in workflows/cmk-workspace/examples: valid ones pass, invalid ones fail with the error expected.json names. */
class RequestValidatorTest {
    private static final Path EXAMPLES = Path.of("workflows/cmk-workspace/examples");
    private final RequestValidator validator = new RequestValidator(new ObjectMapper(), AuthorizationScope.everything());

    /** The creates in valid/ and the requests that follow them: the key rotations in rotation/, the decommissions in decommission/. */
    static Stream<Path> validExamples() throws IOException {
        try (Stream<Path> creates = Files.list(EXAMPLES.resolve("valid"));
             Stream<Path> rotations = Files.list(EXAMPLES.resolve("rotation"));
             Stream<Path> decommissions = Files.list(EXAMPLES.resolve("decommission"))) {
            return Stream.of(creates, rotations, decommissions).flatMap(files -> files.sorted()).toList().stream();
        }
    }

    static Stream<Arguments> invalidExamples() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(EXAMPLES.resolve("invalid/expected.json").toFile());
        List<Arguments> cases = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = expected.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            cases.add(Arguments.of(e.getKey(), e.getValue().get("reason").asText(),
                    e.getValue().get("field").asText(), e.getValue().get("rule").asText()));
        }
        return cases.stream();
    }

    @ParameterizedTest
    @MethodSource("validExamples")
    void validExamplePasses(Path example) throws Exception {
        CmkRequest request = validator.validate(Files.readAllBytes(example));

        assertThat(request.requestId()).isNotBlank();
        assertThat(request.workspace().name()).isNotBlank();
        assertThat(request.key().name()).isNotBlank();
    }

    @ParameterizedTest(name = "{0} -> {1} {2} {3}")
    @MethodSource("invalidExamples")
    void invalidExampleIsRejectedWithItsReason(String file, String reason, String field, String rule) throws IOException {
        byte[] body = Files.readAllBytes(EXAMPLES.resolve("invalid").resolve(file));

        RequestRejectedException rejected = catchThrowableOfType(RequestRejectedException.class, () -> validator.validate(body));

        assertThat(rejected).as(file + " must be rejected").isNotNull();
        assertThat(rejected.reason().name()).isEqualTo(reason);
        assertThat(rejected.violations()).extracting(Violation::field, Violation::rule).contains(org.assertj.core.groups.Tuple.tuple(field, rule));
        assertThat(rejected.description()).contains(field.isEmpty() ? "(message)" : field).contains(rule);
    }

    @Test
    void everyInvalidExampleHasAnExpectation() throws IOException {
        JsonNode expected = new ObjectMapper().readTree(EXAMPLES.resolve("invalid/expected.json").toFile());
        try (Stream<Path> files = Files.list(EXAMPLES.resolve("invalid"))) {
            assertThat(files.map(p -> p.getFileName().toString()).filter(n -> !n.equals("expected.json")))
                    .allSatisfy(name -> assertThat(expected.has(name)).as(name + " listed in expected.json").isTrue());
        }
    }

    @Test
    void jsonThatIsNotAnObjectIsMalformed() {
        assertThatThrownBy(() -> validator.validate("[1, 2]"))
                .isInstanceOfSatisfying(RequestRejectedException.class,
                        e -> assertThat(e.reason()).isEqualTo(RejectionReason.MalformedJson));
    }

    @Test
    void aFieldGivenTwiceIsRefusedNamingIt() throws IOException {
        String body = validBody().replace("\"size\": 3072", "\"size\": 3072, \"size\": 1024");

        RequestRejectedException rejected = catchThrowableOfType(RequestRejectedException.class, () -> validator.validate(body));

        assertThat(rejected.reason()).isEqualTo(RejectionReason.MalformedJson);
        assertThat(rejected.violations()).extracting(Violation::field, Violation::rule)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("/key/size", "json.duplicateKey"));
    }

    @Test
    void aSecondDocumentAfterTheRequestIsRefused() throws IOException {
        String body = validBody() + "\n{\"requestId\": \"req-other\"}";

        RequestRejectedException rejected = catchThrowableOfType(RequestRejectedException.class, () -> validator.validate(body));

        assertThat(rejected.reason()).isEqualTo(RejectionReason.MalformedJson);
        assertThat(rejected.violations()).extracting(Violation::rule).containsExactly("json");
    }

    @Test
    void aLineBreakAfterTheRequestIsNoSecondDocument() throws Exception {
        assertThat(validator.validate(validBody() + "\n").requestId()).isEqualTo("req-2026-0001");
    }

    @Test
    void nestingBeyondTheLimitIsRefusedWhileParsing() throws IOException {
        String nested = "{\"n\":".repeat(RequestValidator.MAX_NESTING_DEPTH) + "1" + "}".repeat(RequestValidator.MAX_NESTING_DEPTH);
        String body = validBody().replace("\"owner\": \"ml-platform\"", "\"owner\": " + nested);

        RequestRejectedException rejected = catchThrowableOfType(RequestRejectedException.class, () -> validator.validate(body));

        assertThat(rejected.reason()).isEqualTo(RejectionReason.MalformedJson);
        assertThat(rejected.violations()).extracting(Violation::rule).containsExactly("json.nestingDepth");
    }

    @Test
    void aRejectedEventCorrelatesOnTheRequestIdOnlyWhenItMeetsTheRule() {
        ObjectMapper mapper = new ObjectMapper();

        assertThat(new IncomingRequest("m-1", null, null, "{\"requestId\": \"req-1\", \"x\": 1}".getBytes())
                .requestIdOrMessageId(mapper)).isEqualTo("req-1");
        assertThat(new IncomingRequest("m-2", null, null, "{\"requestId\": \"req-1\\n12:00 INFO forged\"}".getBytes())
                .requestIdOrMessageId(mapper)).isEqualTo("m-2");
    }

    private static String validBody() throws IOException {
        return Files.readString(EXAMPLES.resolve("valid/public-cloud-new-vault.json"));
    }
}
