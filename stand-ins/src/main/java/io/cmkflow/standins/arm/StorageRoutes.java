package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Pattern;

/**
 * Microsoft.Storage storage accounts as the SDK's storage module sends them: create, get, update, delete, list keys,
 * name availability. A create is long-running as in Azure: 202 with {@code Location} (and {@code Retry-After} when the
 * simulator is set to send it) naming {@code .../providers/Microsoft.Storage/locations/{location}/asyncoperations/{id}};
 * that URL answers 202 once while the account is being created, then 200 with the account. ARM authorizes the poll
 * like any read ({@code Microsoft.Storage/locations/asyncoperations/read}).
 */
final class StorageRoutes implements Route.Family {
    private static final Pattern ACCOUNT_NAME = Pattern.compile("^[a-z0-9]{3,24}$");

    private final StorageAccountStore accounts;
    private final ResourceStore resources;
    private final SimulatorEndpoints endpoints;
    private final Duration retryAfter;
    /** Creates in progress: operation id to the account's id and the polls still answered 202. */
    private final Map<String, PendingCreate> creating = new ConcurrentHashMap<>();

    private record PendingCreate(String accountId, AtomicInteger pollsInProgress) {
    }

    StorageRoutes(StorageAccountStore accounts, ResourceStore resources, SimulatorEndpoints endpoints, Duration retryAfter) {
        this.accounts = accounts;
        this.resources = resources;
        this.endpoints = endpoints;
        this.retryAfter = retryAfter;
    }

    @Override
    public Route match(ArmRequest r) {
        if (!r.is(0, "subscriptions")) {
            return null;
        }
        String method = r.method.toUpperCase(Locale.ROOT);
        if (r.size() == 5 && r.is(2, "providers") && r.is(3, "Microsoft.Storage") && r.is(4, "checkNameAvailability")
                && method.equals("POST")) {
            return new Route("StorageAccounts_CheckNameAvailability", () -> checkName(r));
        }
        if (r.size() == 8 && r.is(2, "providers") && r.is(3, "Microsoft.Storage") && r.is(4, "locations")
                && r.is(6, "asyncoperations") && method.equals("GET")) {
            return new Route("StorageAccounts_GetCreateOperation", () -> createOperation(r.segment(7)));
        }
        if (!(r.is(2, "resourceGroups") && r.is(4, "providers") && r.is(5, "Microsoft.Storage")
                && r.is(6, "storageAccounts")) || r.size() < 8) {
            return null;
        }
        String subscription = r.segment(1);
        String group = r.segment(3);
        String name = r.segment(7);
        String id = StorageAccountStore.id(subscription, group, name);
        if (r.size() == 8) {
            return switch (method) {
                case "PUT" -> new Route("StorageAccounts_Create", () -> create(r, subscription, group, name));
                case "GET" -> new Route("StorageAccounts_GetProperties", () -> ArmResponse.ok(accounts.require(id)));
                case "PATCH" -> new Route("StorageAccounts_Update", () -> {
                    accounts.require(id);
                    return ArmResponse.ok(accounts.update(id, r.jsonBody()));
                });
                case "DELETE" -> new Route("StorageAccounts_Delete", () -> ArmResponse.empty(
                        accounts.delete(id) ? 200 : 204));
                case "HEAD" -> new Route("Resources_CheckExistence", () -> ArmResponse.empty(
                        resources.exists(id) ? 204 : 404));
                default -> null;
            };
        }
        if (r.size() == 9 && r.is(8, "listKeys") && method.equals("POST")) {
            return new Route("StorageAccounts_ListKeys", () -> {
                accounts.require(id);
                ObjectNode answer = JsonDocuments.object();
                var keys = answer.putArray("keys");
                keys.addObject().put("keyName", "key1").put("value", "c2ltdWxhdGVkLWtleS0x").put("permissions", "FULL");
                keys.addObject().put("keyName", "key2").put("value", "c2ltdWxhdGVkLWtleS0y").put("permissions", "FULL");
                return ArmResponse.ok(answer);
            });
        }
        return null;
    }

    private ArmResponse create(ArmRequest r, String subscription, String group, String name) {
        if (!ACCOUNT_NAME.matcher(name).matches()) {
            throw ArmError.badRequest("AccountNameInvalid", name + " is not a valid storage account name. Storage "
                    + "account name must be between 3 and 24 characters in length and use numbers and lower-case "
                    + "letters only.");
        }
        accounts.requireNameFree(StorageAccountStore.id(subscription, group, name), name);
        ObjectNode body = r.jsonBody();
        String location = JsonDocuments.text(body, "location");
        if (location == null) {
            throw ArmError.badRequest("LocationRequired", "The location property is required for this definition.");
        }
        ObjectNode account = accounts.create(subscription, group, name, location, JsonDocuments.tags(body), body);
        String operation = UUID.randomUUID().toString();
        creating.put(operation, new PendingCreate(account.get("id").asText(), new AtomicInteger(1)));
        return inProgress(ArmResponse.empty(202).header("Location", endpoints.baseUrl() + "subscriptions/" + subscription
                + "/providers/Microsoft.Storage/locations/" + location + "/asyncoperations/" + operation
                + "?monitor=true&api-version=" + r.query("api-version")));
    }

    private ArmResponse createOperation(String operation) {
        PendingCreate pending = creating.get(operation);
        if (pending == null) {
            throw new ArmError(404, "ResourceNotFound", "The async operation '" + operation + "' was not found.");
        }
        if (pending.pollsInProgress().getAndDecrement() > 0) {
            return inProgress(ArmResponse.empty(202));
        }
        creating.remove(operation);
        return ArmResponse.ok(accounts.require(pending.accountId()));
    }

    private ArmResponse inProgress(ArmResponse answer) {
        return answer.retryAfter(retryAfter);
    }

    private ArmResponse checkName(ArmRequest r) {
        String name = JsonDocuments.text(r.jsonBody(), "name");
        if (name == null) {
            throw ArmError.badRequest("BadRequest", "The request is missing the required property 'name'.");
        }
        ObjectNode answer = JsonDocuments.object();
        if (!ACCOUNT_NAME.matcher(name).matches()) {
            answer.put("nameAvailable", false).put("reason", "AccountNameInvalid")
                    .put("message", name + " is not a valid storage account name.");
        } else if (accounts.isNameTaken(name)) {
            answer.put("nameAvailable", false).put("reason", "AlreadyExists")
                    .put("message", "The storage account named " + name + " is already taken.");
        } else {
            answer.put("nameAvailable", true);
        }
        return ArmResponse.ok(answer);
    }
}
