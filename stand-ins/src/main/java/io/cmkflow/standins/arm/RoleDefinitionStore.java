package io.cmkflow.standins.arm;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The role definitions by GUID: the built-in ones and the custom roles defined in this simulator. */
final class RoleDefinitionStore {
    private final Map<String, RoleDefinition> byId = new LinkedHashMap<>(BuiltInRoles.ALL);

    /** Defines (or redefines) a custom role. */
    void define(RoleDefinition role) {
        if (BuiltInRoles.ALL.containsKey(role.id())) {
            if (!BuiltInRoles.ALL.get(role.id()).equals(role)) {
                throw new IllegalArgumentException("role " + role.id() + " is built in and cannot be redefined");
            }
            return;
        }
        byId.put(role.id(), role);
    }

    Optional<RoleDefinition> find(String guid) {
        return Optional.ofNullable(byId.get(guid.toLowerCase(Locale.ROOT)));
    }

    Collection<RoleDefinition> all() {
        return byId.values();
    }
}
