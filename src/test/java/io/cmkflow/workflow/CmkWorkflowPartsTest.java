package io.cmkflow.workflow;

import io.cmkflow.contract.AzureCloud;
import io.cmkflow.contract.CmkRequest;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

/** The starter's and the publisher's pure parts: workflow ids, static summary/details, the log line per event. */
class CmkWorkflowPartsTest {

    @Test
    void workflowIdIsDerivedFromTheTargetAndIgnoresCase() {
        String id = WorkflowIds.forTarget("ABCD-1234", "RG-Prod", "WS-One");

        assertThat(id).isEqualTo("cmk-workspace/abcd-1234/rg-prod/ws-one");
        assertThat(WorkflowIds.forTarget("abcd-1234", "rg-prod", "ws-one")).isEqualTo(id);
        assertThat(WorkflowIds.forRequest(CmkWorkflowFixtures.request("r1")))
                .isEqualTo(WorkflowIds.forRequest(CmkWorkflowFixtures.request("r2")))
                .isNotEqualTo(WorkflowIds.forTarget("abcd-1234", "rg-prod", "ws-two"));
    }

    @Test
    void staticSummaryStaysWithin200BytesOnACharacterBoundary() {
        CmkRequest base = CmkWorkflowFixtures.request("req-ü".repeat(40));
        String summary = CmkWorkflowStarter.staticSummary(base);

        assertThat(summary.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(200);
        assertThat(summary).startsWith("CMK workspace ws-Cmk in rg-ML-Prod").doesNotContain("\uFFFD");
        assertThat(new String(summary.getBytes(StandardCharsets.UTF_8), StandardCharsets.UTF_8)).isEqualTo(summary);
    }

    @Test
    void staticDetailsListTheRequestAsAMarkdownTable() {
        String details = CmkWorkflowStarter.staticDetails(CmkWorkflowFixtures.request("req-1"));

        assertThat(details).contains("| Request id | req-1 |", "| Cloud | AzureCloud |", "| HBI workspace | true |",
                "| Key vault | kv-cmk |", "| Key | cmk-key (3072 bits) |");
    }
}
