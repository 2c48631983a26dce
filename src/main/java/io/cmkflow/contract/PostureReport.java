package io.cmkflow.contract;

import java.util.Comparator;
import java.util.List;

/**
 * What a CMK posture check found for one workspace: one finding per check, and the worst of them as the workspace's
 * posture. Read-only: a check changes nothing in Azure.
 *
 * @param checkedAt ISO-8601 instant of the check (activity time)
 */
public record PostureReport(String workspaceId, Posture posture, List<Finding> findings, String checkedAt) {

    /** Healthy: nothing to do. AtRisk: it works now and will break without action. Broken: it does not work as set up. */
    public enum Posture { Healthy, AtRisk, Broken }

    /** One check's verdict and why (the reason is empty for a Healthy check only). */
    public record Finding(String check, Posture posture, String reason) {
    }

    public PostureReport {
        findings = List.copyOf(findings);
    }

    /** The report of {@code findings}: the posture is the worst finding's. */
    public static PostureReport of(String workspaceId, List<Finding> findings, String checkedAt) {
        Posture worst = findings.stream().map(Finding::posture).max(Comparator.naturalOrder()).orElse(Posture.Healthy);
        return new PostureReport(workspaceId, worst, findings, checkedAt);
    }

    /** The check of Azure Cosmos DB's (and the identity's) access to the key. */
    public static final String KEY_ACCESS = "keyAccess";

    /** Whether the key access check found access missing (Broken). */
    public boolean keyAccessMissing() {
        return findings.stream().anyMatch(f -> KEY_ACCESS.equals(f.check()) && f.posture() == Posture.Broken);
    }

    /** The findings that are not Healthy. */
    public List<Finding> problems() {
        return findings.stream().filter(f -> f.posture() != Posture.Healthy).toList();
    }
}
