package io.cmkflow.operator;

import io.cmkflow.workflow.CmkSearchAttributes;
import io.cmkflow.workflow.CmkStatus;
import io.cmkflow.workflow.CmkWorkspaceWorkflow;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Which runs to list: a filter on cmkflow's search attributes, rendered as a Temporal visibility query
 * ({@code WorkflowType = 'CmkWorkspace' AND CmkStatus = 'AwaitingOperator' AND ...}). Values are quoted and escaped,
 * so a request id or workspace name cannot change the query; a status must be one of {@link CmkStatus}.
 *
 * @param status         {@code CmkStatus}, or null for any
 * @param requestId      {@code CmkRequestId}, or null
 * @param subscriptionId {@code CmkSubscriptionId}, or null
 * @param workspace      {@code CmkWorkspace}, or null
 * @param keyVault       {@code CmkKeyVault} (a vault's ARM id, compared without case), or null
 * @param openOnly       only runs Temporal still has open ({@code ExecutionStatus = 'Running'})
 */
public record RunQuery(CmkStatus status, String requestId, String subscriptionId, String workspace, String keyVault,
                       boolean openOnly) {

    /** Every run of the workflow type. */
    public static RunQuery all() {
        return new RunQuery(null, null, null, null, null, false);
    }

    /** Runs waiting for an operator (they are open by definition). */
    public static RunQuery parked() {
        return all().withStatus(CmkStatus.AwaitingOperator);
    }

    public RunQuery withStatus(CmkStatus value) {
        return new RunQuery(value, requestId, subscriptionId, workspace, keyVault, openOnly);
    }

    /** A status by name, exactly as {@link CmkStatus} spells it; anything else is refused, naming the valid ones. */
    public RunQuery withStatus(String value) {
        return withStatus(status(value));
    }

    public RunQuery withRequestId(String value) {
        return new RunQuery(status, value, subscriptionId, workspace, keyVault, openOnly);
    }

    public RunQuery withSubscriptionId(String value) {
        return new RunQuery(status, requestId, value, workspace, keyVault, openOnly);
    }

    public RunQuery withWorkspace(String value) {
        return new RunQuery(status, requestId, subscriptionId, value, keyVault, openOnly);
    }

    public RunQuery withKeyVault(String value) {
        return new RunQuery(status, requestId, subscriptionId, workspace, value == null ? null : value.toLowerCase(Locale.ROOT),
                openOnly);
    }

    public RunQuery openOnly(boolean value) {
        return new RunQuery(status, requestId, subscriptionId, workspace, keyVault, value);
    }

    /** The visibility query for {@code ListWorkflowExecutions} (and {@code temporal workflow list --query}). */
    public String visibilityQuery() {
        List<String> terms = new ArrayList<>();
        terms.add("WorkflowType = " + literal(CmkWorkspaceWorkflow.TYPE));
        if (status != null) {
            terms.add(CmkSearchAttributes.STATUS.getName() + " = " + literal(status.name()));
        }
        if (requestId != null) {
            terms.add(CmkSearchAttributes.REQUEST_ID.getName() + " = " + literal(requestId));
        }
        if (subscriptionId != null) {
            terms.add(CmkSearchAttributes.SUBSCRIPTION_ID.getName() + " = " + literal(subscriptionId));
        }
        if (workspace != null) {
            terms.add(CmkSearchAttributes.WORKSPACE.getName() + " = " + literal(workspace));
        }
        if (keyVault != null) {
            terms.add(CmkSearchAttributes.KEY_VAULT.getName() + " = " + literal(keyVault));
        }
        if (openOnly) {
            terms.add("ExecutionStatus = 'Running'");
        }
        return String.join(" AND ", terms);
    }

    /**
     * A string literal of Temporal's visibility query language: single quotes, with backslash and quote escaped by a
     * backslash. Control characters are refused (no workflow id, request id or Azure name contains one).
     */
    static String literal(String value) {
        if (value.chars().anyMatch(Character::isISOControl)) {
            throw new RunControlException("a filter value may not contain control characters: "
                    + value.replaceAll("\\p{Cntrl}", "?"));
        }
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'";
    }

    static CmkStatus status(String value) {
        return Arrays.stream(CmkStatus.values()).filter(s -> s.name().equals(value)).findFirst()
                .orElseThrow(() -> new RunControlException("unknown status '" + value + "'; one of "
                        + Arrays.toString(CmkStatus.values()) + ", spelled exactly so"));
    }
}
