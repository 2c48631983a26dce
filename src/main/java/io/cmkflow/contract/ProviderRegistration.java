package io.cmkflow.contract;

import java.util.List;

/** Step 1: every required namespace is Registered; {@code registeredNow} lists those this run had to register. */
public record ProviderRegistration(List<String> namespaces, List<String> registeredNow) {
}
