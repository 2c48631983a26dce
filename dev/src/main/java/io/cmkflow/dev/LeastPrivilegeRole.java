package io.cmkflow.dev;

import io.cmkflow.standins.arm.RoleDefinition;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * infra/role.tf's least-privilege role, packed into the dev jar: what the ARM simulator grants cmkflow's identity in
 * dev mode, so the demo runs with exactly the rights a production deployment gives it.
 */
final class LeastPrivilegeRole {
    static final String NAME = "cmkflow CMK workspace provisioner";

    private LeastPrivilegeRole() {
    }

    static RoleDefinition load() {
        try (InputStream role = LeastPrivilegeRole.class.getResourceAsStream("role.tf")) {
            if (role == null) {
                throw new IllegalStateException("role.tf is missing from the dev jar (dev/pom.xml copies infra/role.tf)");
            }
            return RoleDefinition.fromTerraform(NAME, new String(role.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
