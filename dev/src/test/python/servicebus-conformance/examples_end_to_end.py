"""An upstream system written with the official Python Service Bus SDK (azure-servicebus, pinned in requirements.txt).

Publishes every request in CMK_EXAMPLES_DIR to the request queue under fresh request ids (requestId +
CMK_REQUEST_ID_SUFFIX; MessageId = requestId, content type application/json, no ReplyTo), then reads the status queue
until each request has ended; once all succeeded, does the same with the requests in each folder CMK_FOLLOW_UP_DIRS
lists (os.pathsep between them, in order: key rotations, then decommissions, each needing what came before done). Prints ``PUBLISHED <json>`` per request and ``EVENT <json>`` per status event (messageId,
correlationId, subject, contentType, and the body's eventId, requestId, type); exits 0 when every request succeeded,
1 otherwise. SdkExamplesEndToEndTest runs it against dev mode and asserts on those lines.
"""

import json
import os
import sys
import time

from azure.servicebus import ServiceBusClient, ServiceBusMessage

# The types after which a request sends nothing more (status-event.schema.json).
FINAL = {"succeeded", "failed", "compensated", "cancelled", "rejected"}


def main():
    connection_string = os.environ.get("SB_CONNECTION_STRING")
    examples_dir = os.environ.get("CMK_EXAMPLES_DIR")
    if not connection_string or not examples_dir:
        print("SB_CONNECTION_STRING and CMK_EXAMPLES_DIR must be set", file=sys.stderr)
        return 2
    suffix = os.environ.get("CMK_REQUEST_ID_SUFFIX", "")
    request_queue = os.environ.get("CMK_REQUEST_QUEUE", "cmk-requests")
    status_queue = os.environ.get("CMK_STATUS_QUEUE", "cmk-status")
    timeout = float(os.environ.get("CMK_TIMEOUT_MS", "120000")) / 1000

    outcomes = {}
    dirs = [d for d in [examples_dir] + os.environ.get("CMK_FOLLOW_UP_DIRS", "").split(os.pathsep) if d]
    deadline = time.monotonic() + timeout
    with ServiceBusClient.from_connection_string(connection_string) as client:
        with client.get_queue_receiver(status_queue) as receiver:
            for directory in dirs:
                if any(t != "succeeded" for t in outcomes.values()):
                    break
                publish(client, request_queue, directory, suffix, outcomes)
                while None in outcomes.values() and time.monotonic() < deadline:
                    for m in receiver.receive_messages(max_message_count=10, max_wait_time=1):
                        body = json.loads(b"".join(m.body).decode("utf-8"))
                        print("EVENT " + json.dumps({
                            "messageId": m.message_id, "correlationId": m.correlation_id, "subject": m.subject,
                            "contentType": m.content_type, "eventId": body.get("eventId"),
                            "requestId": body.get("requestId"), "type": body.get("type"),
                        }), flush=True)
                        if m.correlation_id in outcomes and body.get("type") in FINAL:
                            outcomes[m.correlation_id] = body["type"]
                        receiver.complete_message(m)

    unsuccessful = {r: t for r, t in outcomes.items() if t != "succeeded"}
    for request_id, outcome in unsuccessful.items():
        reason = f"did not end within {timeout:.0f} s" if outcome is None else f"ended {outcome}"
        print(f"UNSUCCESSFUL {request_id} {reason}", flush=True)
    return 0 if not unsuccessful else 1


def publish(client, request_queue, directory, suffix, outcomes):
    with client.get_queue_sender(request_queue) as sender:
        for file in sorted(f for f in os.listdir(directory) if f.endswith(".json")):
            with open(os.path.join(directory, file), encoding="utf-8") as f:
                request = json.load(f)
            request["requestId"] += suffix
            # A str body goes out UTF-8 encoded in an AMQP data section, as the intake reads it.
            sender.send_messages(ServiceBusMessage(json.dumps(request), message_id=request["requestId"],
                                                   content_type="application/json"))
            outcomes[request["requestId"]] = None
            print("PUBLISHED " + json.dumps({"file": file, "requestId": request["requestId"]}), flush=True)


if __name__ == "__main__":
    sys.exit(main())
