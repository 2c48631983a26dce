package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * Microsoft Entra ID's token endpoint for the client-credentials grant, {@code POST /{tenant}/oauth2/v2.0/token}
 * (https://learn.microsoft.com/entra/identity-platform/v2-oauth2-client-creds-grant-flow), so a client reaches the
 * simulator with a standard azure-identity credential given this simulator as its authority host. It knows one
 * application, {@link SimulatedDirectory#CALLER_APPLICATION_ID} with {@link SimulatedDirectory#CALLER_CLIENT_SECRET},
 * whose service principal is {@link SimulatedDirectory#CALLER_OBJECT_ID} in every tenant. Its answers and errors have
 * Entra ID's shape ({@code error}, {@code error_description} with an AADSTS code).
 */
final class TokenEndpoint {
    private static final Set<String> OPENID_SCOPES = Set.of("openid", "profile", "offline_access");

    private TokenEndpoint() {
    }

    static boolean matches(ArmRequest request) {
        return request.size() == 4 && request.is(1, "oauth2") && request.is(2, "v2.0") && request.is(3, "token");
    }

    static ArmResponse answer(ArmRequest request) {
        if (!"POST".equalsIgnoreCase(request.method)) {
            return error(405, "invalid_request", 900561, "The endpoint only accepts POST requests.");
        }
        Map<String, String> form = form(request.body);
        String tenant = request.segment(0);
        if (tenant.equalsIgnoreCase("common") || tenant.equalsIgnoreCase("organizations")) {
            return error(400, "invalid_request", 90009, "Application is requesting a token for itself. This"
                    + " scenario is supported only if resource is specified using the GUID based App Identifier.");
        }
        if (!"client_credentials".equals(form.get("grant_type"))) {
            return error(400, "unsupported_grant_type", 70003, "The app requested an unsupported grant type '"
                    + form.get("grant_type") + "'.");
        }
        String clientId = form.get("client_id");
        if (!SimulatedDirectory.CALLER_APPLICATION_ID.equalsIgnoreCase(clientId)) {
            return error(400, "unauthorized_client", 700016, "Application with identifier '" + clientId
                    + "' was not found in the directory '" + tenant + "'.");
        }
        if (!SimulatedDirectory.CALLER_CLIENT_SECRET.equals(form.get("client_secret"))) {
            return error(401, "invalid_client", 7000215, "Invalid client secret provided. Ensure the secret being"
                    + " sent in the request is the client secret value, not the client secret ID, for a secret added"
                    + " to app '" + clientId + "'.");
        }
        // MSAL adds the OpenID Connect scopes to every request; Entra ID ignores them for this grant.
        String scope = form.get("scope") == null ? null : Arrays.stream(form.get("scope").split(" "))
                .filter(s -> !s.isBlank() && !OPENID_SCOPES.contains(s)).reduce((a, b) -> a + " " + b).orElse(null);
        if (scope == null || scope.contains(" ") || !scope.endsWith("/.default")) {
            return error(400, "invalid_scope", 1002012, "The provided value for scope " + scope + " is not valid."
                    + " Client credential flows must have a scope value with /.default suffixed to the resource"
                    + " identifier (application ID URI).");
        }
        String audience = scope.substring(0, scope.length() - "/.default".length());
        ObjectNode body = JsonDocuments.object();
        body.put("token_type", "Bearer");
        body.put("expires_in", 3599);
        body.put("ext_expires_in", 3599);
        body.put("access_token", SimulatedDirectory.token(tenant, SimulatedDirectory.CALLER_OBJECT_ID, audience));
        return ArmResponse.ok(body);
    }

    /** Entra ID's error answer: {@code AADSTS<aadsts>: <description>} and the number in {@code error_codes}. */
    private static ArmResponse error(int status, String code, int aadsts, String description) {
        ObjectNode body = JsonDocuments.object();
        body.put("error", code);
        body.put("error_description", "AADSTS" + aadsts + ": " + description);
        body.putArray("error_codes").add(aadsts);
        ArmResponse response = ArmResponse.status(status, body);
        response.errorCode = code;
        return response;
    }

    private static Map<String, String> form(String body) {
        Map<String, String> form = new HashMap<>();
        if (body == null) {
            return form;
        }
        for (String pair : body.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0) {
                form.put(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
                        URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return form;
    }
}
