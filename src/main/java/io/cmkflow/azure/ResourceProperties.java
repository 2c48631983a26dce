package io.cmkflow.azure;

import com.azure.resourcemanager.resources.fluent.models.GenericResourceInner;

import java.util.Map;

/** Reads a generic resource's untyped {@code properties} (the workspace has no typed SDK model). */
final class ResourceProperties {

    private ResourceProperties() {
    }

    static String provisioningState(GenericResourceInner resource) {
        return string(resource, "provisioningState");
    }

    /** The property as text; null when absent or blank. */
    static String string(GenericResourceInner resource, String name) {
        if (resource.properties() instanceof Map<?, ?> map && map.get(name) != null) {
            String value = String.valueOf(map.get(name));
            return value.isBlank() ? null : value;
        }
        return null;
    }

    /** The property as a nested object; null when absent or not an object. */
    static Map<?, ?> map(GenericResourceInner resource, String name) {
        if (resource.properties() instanceof Map<?, ?> map && map.get(name) instanceof Map<?, ?> value) {
            return value;
        }
        return null;
    }
}
