package io.cmkflow.operator.api;

/** The operator API's roles: viewers read runs, operators also act on them (an operator is a viewer too). */
public final class ApiRoles {
    public static final String VIEWER = "viewer";
    public static final String OPERATOR = "operator";

    private ApiRoles() {
    }
}
