package io.cmkflow.contract;

/** Step 3: the CMK. {@code keyUrlWithVersion} is what the workspace's encryption settings reference. */
public record KeyOutcome(String keyId, String name, String keyUrl, String keyUrlWithVersion, boolean created) {
}
