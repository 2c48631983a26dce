package io.cmkflow.operator;

import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.cmkflow.workflow.CmkRunState;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * {@link RunOperations} through the operator API ({@code /api/runs}) with a bearer token, for on-call staff who may not
 * reach Temporal: the API audits each action under the token's name. 401/403 are {@link OperatorApiUnauthorizedException},
 * 404 {@link RunNotFoundException}, 400/409 {@link RunControlException} with the API's reason.
 */
public final class OperatorApiClient implements RunOperations {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    // The API leaves empty lists out of its answers; the records' lists are then empty, not null.
    private static final ObjectMapper JSON = JsonMapper.builder().findAndAddModules()
            .withConfigOverride(List.class, list -> list.setSetterInfo(JsonSetter.Value.forValueNulls(Nulls.AS_EMPTY)))
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();

    private final URI base;
    private final String token;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    /** {@code base} is the API's root (e.g. {@code http://127.0.0.1:8080}); a trailing {@code /api} is accepted too. */
    public OperatorApiClient(URI base, String token) {
        String root = base.toString().replaceAll("/+$", "").replaceAll("/api$", "");
        this.base = URI.create(root + "/");
        this.token = token;
    }

    @Override
    public List<RunControl.WorkspacePosture> workspaces(int limit) {
        return convert(send(get("api/workspaces?limit=" + limit), null), new TypeReference<>() { });
    }

    @Override
    public List<RunControl.RunSummary> list(RunQuery query, int limit) {
        List<RunControl.RunSummary> runs = new ArrayList<>();
        String pageToken = null;
        do {
            Map<String, String> parameters = new LinkedHashMap<>();
            if (query.status() != null) {
                parameters.put("status", query.status().name());
            }
            putIfSet(parameters, "requestId", query.requestId());
            putIfSet(parameters, "subscription", query.subscriptionId());
            putIfSet(parameters, "workspace", query.workspace());
            if (query.openOnly()) {
                parameters.put("open", "true");
            }
            parameters.put("pageSize", String.valueOf(Math.min(RunControl.PAGE_SIZE, limit - runs.size())));
            putIfSet(parameters, "pageToken", pageToken);
            String queryString = parameters.entrySet().stream()
                    .map(e -> e.getKey() + "=" + URLEncoder.encode(e.getValue(), StandardCharsets.UTF_8))
                    .collect(Collectors.joining("&"));
            RunControl.Page page = convert(send(get("api/runs?" + queryString), null), new TypeReference<>() { });
            runs.addAll(page.runs().subList(0, Math.min(page.runs().size(), limit - runs.size())));
            pageToken = page.nextPageToken();
        } while (pageToken != null && runs.size() < limit);
        return runs;
    }

    @Override
    public CmkRunState state(String workflowId) {
        return convert(send(get("api/runs/" + workflowId), workflowId).path("state"), new TypeReference<>() { });
    }

    @Override
    public String retry(String workflowId, String reason) {
        return act(workflowId, "retry", reason);
    }

    @Override
    public String abort(String workflowId, String reason) {
        return act(workflowId, "abort", reason);
    }

    @Override
    public String cancel(String workflowId, String reason) {
        return act(workflowId, "cancel", reason);
    }

    private String act(String workflowId, String action, String reason) {
        String body;
        try {
            body = JSON.writeValueAsString(Map.of("reason", reason));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        HttpRequest request = request("api/runs/" + workflowId + "/" + action)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
        return send(request, workflowId).path("result").asText();
    }

    private HttpRequest get(String path) {
        return request(path).GET().build();
    }

    private HttpRequest.Builder request(String path) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(TIMEOUT).header("Accept", "application/json");
        if (token != null && !token.isBlank()) {
            request.header("Authorization", "Bearer " + token);
        }
        return request;
    }

    /** The answer's JSON; a refusal as the exception its status means ({@code workflowId}: the run asked about, if any). */
    private JsonNode send(HttpRequest request, String workflowId) {
        HttpResponse<String> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException("operator API " + base + " unreachable: " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the operator API", e);
        }
        JsonNode body = parse(response.body());
        String detail = body.path("detail").asText(body.path("message").asText("HTTP " + response.statusCode()));
        return switch (response.statusCode() / 100 == 2 ? 200 : response.statusCode()) {
            case 200 -> body;
            case 401 -> throw new OperatorApiUnauthorizedException("the operator API refused the token (HTTP 401): "
                    + "set --token or CMKFLOW_API_TOKEN to a configured token");
            case 403 -> throw new OperatorApiUnauthorizedException("the operator API refused this action for the token's role (HTTP 403): " + detail);
            case 404 -> throw workflowId == null ? new RunControlException(detail) : new RunNotFoundException(workflowId);
            default -> throw new RunControlException(detail);
        };
    }

    private static JsonNode parse(String body) {
        try {
            return body == null || body.isBlank() ? JSON.createObjectNode() : JSON.readTree(body);
        } catch (IOException notJson) {
            return JSON.createObjectNode().put("detail", body);
        }
    }

    private static <T> T convert(JsonNode node, TypeReference<T> type) {
        return JSON.convertValue(node, type);
    }

    private static void putIfSet(Map<String, String> parameters, String name, String value) {
        if (value != null) {
            parameters.put(name, value);
        }
    }
}
