package io.cmkflow.workflow;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

import io.cmkflow.contract.Operation;

import static org.assertj.core.api.Assertions.assertThat;

/** A step's one name, spelled the same way in every place that names it (docs/architecture.md, "Adding a step"). */
class CmkStepTest {

    @Test
    void theStatusEventSchemaNamesExactlyTheSteps() throws IOException {
        JsonNode schema = new ObjectMapper().readTree(Path.of("workflows/cmk-workspace/status-event.schema.json").toFile());
        List<String> schemaSteps = new ArrayList<>();
        schema.path("properties").path("step").path("enum").forEach(v -> schemaSteps.add(v.asText()));

        List<String> expected = new ArrayList<>(List.of(CmkWorkspaceWorkflowImpl.VALIDATE_STAGE));
        Arrays.stream(CmkStep.values()).map(CmkStep::stage).forEach(expected::add);
        assertThat(schemaSteps).containsExactlyElementsOf(expected);
    }

    @ParameterizedTest
    @EnumSource(CmkStep.class)
    void theActivityTitleAndEventValueAreTheConstantsName(CmkStep step) {
        assertThat(step.stage()).isEqualTo(step.name().toLowerCase(Locale.ROOT));
        assertThat(step.title().toLowerCase(Locale.ROOT).replace(' ', '_')).isEqualTo(step.stage());
        assertThat(Arrays.stream(ProvisioningActivities.class.getMethods()).map(java.lang.reflect.Method::getName))
                .contains(CmkWorkflowFixtures.activityName(step));
        assertThat(step.label()).isEqualTo(step.number() + " (" + step.title() + ")");
    }

    @Test
    void stepsAreNumberedInProcedureOrder() {
        assertThat(CmkStep.of(Operation.CREATE)).extracting(CmkStep::number).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(CmkStep.of(Operation.ROTATE_KEY)).extracting(CmkStep::number).containsExactly(1, 2, 3, 4);
    }
}
