package io.cmkflow.workflow;

import io.cmkflow.request.CmkRequest;

/**
 * The workflow's cheap re-check of what it cannot work without. Intake validates the request fully against the
 * schema before starting a run; this only guards a run started some other way (e.g. from the CLI) against a
 * request that would fail deep inside a step.
 */
final class CmkRequestRecheck {

    static final int MINIMUM_KEY_SIZE = 3072;

    private CmkRequestRecheck() {
    }

    /** The first problem found, naming the field and the rule, or null when the request is usable. */
    static String problem(CmkRequest request) {
        if (request == null) {
            return "request: is required";
        }
        if (blank(request.requestId())) {
            return "requestId: is required";
        }
        if (blank(request.subscriptionId())) {
            return "subscriptionId: is required";
        }
        if (blank(request.resourceGroup())) {
            return "resourceGroup: is required";
        }
        if (blank(request.location())) {
            return "location: is required";
        }
        if (request.workspace() == null || blank(request.workspace().name())) {
            return "workspace.name: is required";
        }
        if (request.keyVault() == null || (blank(request.keyVault().name()) && blank(request.keyVault().existingId()))) {
            return "keyVault: one of name or existingId is required";
        }
        if (request.key() == null || blank(request.key().name())) {
            return "key.name: is required";
        }
        if (request.key().size() != null && request.key().size() < MINIMUM_KEY_SIZE) {
            return "key.size: must be at least " + MINIMUM_KEY_SIZE + " bits, was " + request.key().size();
        }
        return null;
    }

    private static boolean blank(String value) {
        return value == null || value.isBlank();
    }
}
