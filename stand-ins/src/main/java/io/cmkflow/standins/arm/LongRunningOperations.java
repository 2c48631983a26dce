package io.cmkflow.standins.arm;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * ARM's long-running operations: their status as the async-operation URLs answer it, and the timer that finishes
 * them. Callers hold the ArmState lock; timed changes take it themselves.
 */
final class LongRunningOperations {
    /** One operation on one resource; in progress until it succeeds or fails. */
    static final class Operation {
        private final String id;
        private final String resourceId;
        private final Instant startTime;
        private String status = "InProgress";
        private ObjectNode error;
        /** The HTTP status the failure answers on the operation's Location URL (as the original request would have failed). */
        private int failureStatus;
        private Instant endTime;

        private Operation(String id, String resourceId, Instant startTime) {
            this.id = id;
            this.resourceId = resourceId;
            this.startTime = startTime;
        }

        String id() {
            return id;
        }

        String status() {
            return status;
        }

        boolean inProgress() {
            return "InProgress".equals(status);
        }

        /** {@code {code, message}}, set once the operation failed. */
        ObjectNode error() {
            return error;
        }

        void succeed() {
            status = "Succeeded";
            endTime = Instant.now();
        }

        /** The HTTP status of the failure, once the operation failed. */
        int failureStatus() {
            return failureStatus;
        }

        void fail(ArmError failure) {
            status = "Failed";
            failureStatus = failure.status();
            error = JsonDocuments.object().put("code", failure.code()).put("message", failure.getMessage());
            endTime = Instant.now();
        }

        /** The Azure-AsyncOperation status document. */
        ObjectNode statusDocument() {
            ObjectNode doc = JsonDocuments.object();
            doc.put("id", resourceId + "/operations/" + id);
            doc.put("name", id);
            doc.put("status", status);
            doc.put("startTime", startTime.toString());
            if (endTime != null) {
                doc.put("endTime", endTime.toString());
            }
            if (error != null) {
                doc.set("error", error);
            }
            return doc;
        }
    }

    private final Map<String, Operation> byId = new LinkedHashMap<>();
    private final Object lock;
    private final Runnable afterChange;
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "arm-simulator-operations");
        t.setDaemon(true);
        return t;
    });

    /**
     * {@code lock} is what every store change holds: the ArmState; {@code afterChange} runs under it after each timed
     * change (the state file is written).
     */
    LongRunningOperations(Object lock, Runnable afterChange) {
        this.lock = lock;
        this.afterChange = afterChange;
    }

    Operation start(String resourceId) {
        Operation operation = new Operation(UUID.randomUUID().toString(), resourceId, Instant.now());
        byId.put(operation.id, operation);
        return operation;
    }

    /** The operation, or null. */
    Operation get(String operationId) {
        return byId.get(operationId);
    }

    Operation require(String operationId) {
        Operation operation = byId.get(operationId);
        if (operation == null) {
            throw new ArmError(404, "OperationNotFound", "The operation '" + operationId + "' was not found.");
        }
        return operation;
    }

    /** Runs {@code change} under the lock after {@code delay} (a long-running operation finishing). */
    void later(Duration delay, Runnable change) {
        scheduler.schedule(() -> {
            synchronized (lock) {
                change.run();
                afterChange.run();
            }
        }, delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Every operation (finished ones too: their URLs keep answering), for a snapshot. */
    ArrayNode export() {
        ArrayNode all = JsonDocuments.array();
        for (Operation o : byId.values()) {
            ObjectNode op = all.addObject().put("id", o.id).put("resourceId", o.resourceId)
                    .put("startTime", o.startTime.toString()).put("status", o.status);
            if (o.endTime != null) {
                op.put("endTime", o.endTime.toString());
            }
            if (o.error != null) {
                op.set("error", o.error);
                op.put("failureStatus", o.failureStatus);
            }
        }
        return all;
    }

    /** Adds the operations of a snapshot {@link #export()} wrote; their owners reschedule what finishes them. */
    void load(JsonNode exported) {
        for (JsonNode op : exported) {
            Operation o = new Operation(op.get("id").asText(), op.get("resourceId").asText(),
                    Instant.parse(op.get("startTime").asText()));
            o.status = op.get("status").asText();
            o.endTime = op.hasNonNull("endTime") ? Instant.parse(op.get("endTime").asText()) : null;
            o.error = op.get("error") instanceof ObjectNode error ? error : null;
            o.failureStatus = op.path("failureStatus").asInt(500);
            byId.put(o.id, o);
        }
    }

    void close() {
        scheduler.shutdownNow();
    }
}
