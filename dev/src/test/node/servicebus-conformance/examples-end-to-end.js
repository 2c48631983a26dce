// An upstream system written with the official Node.js Service Bus SDK (@azure/service-bus, pinned in package.json):
// publishes every request in CMK_EXAMPLES_DIR to the request queue under fresh request ids (requestId + CMK_REQUEST_ID_SUFFIX;
// MessageId = requestId, content type application/json, no ReplyTo), then reads the status queue until each request has
// ended; once all succeeded, does the same with the requests in each folder CMK_FOLLOW_UP_DIRS lists (path.delimiter
// between them, in order: key rotations, then decommissions, each needing what came before done). Prints `PUBLISHED <json>` per request and `EVENT <json>` per status event (messageId, correlationId, subject,
// contentType, and the body's eventId, requestId, type); exits 0 when every request succeeded, 1 otherwise.
// SdkExamplesEndToEndTest runs it against dev mode and asserts on those lines.
"use strict";

const fs = require("node:fs");
const path = require("node:path");
const { ServiceBusClient } = require("@azure/service-bus");

const {
  SB_CONNECTION_STRING: connectionString,
  CMK_EXAMPLES_DIR: examplesDir,
  CMK_FOLLOW_UP_DIRS: followUpDirs = "",
  CMK_REQUEST_ID_SUFFIX: suffix = "",
  CMK_REQUEST_QUEUE: requestQueue = "cmk-requests",
  CMK_STATUS_QUEUE: statusQueue = "cmk-status",
} = process.env;
const timeoutMs = Number(process.env.CMK_TIMEOUT_MS || 120000);
// The types after which a request sends nothing more (status-event.schema.json).
const FINAL = new Set(["succeeded", "failed", "compensated", "cancelled", "rejected"]);

async function main() {
  if (!connectionString || !examplesDir) {
    console.error("SB_CONNECTION_STRING and CMK_EXAMPLES_DIR must be set");
    return 2;
  }
  const client = new ServiceBusClient(connectionString);
  try {
    const outcomes = new Map();
    const dirs = [examplesDir, ...followUpDirs.split(path.delimiter)].filter(Boolean);
    const receiver = client.createReceiver(statusQueue);
    const deadline = Date.now() + timeoutMs;
    for (const dir of dirs) {
      if ([...outcomes.values()].some((type) => type !== "succeeded")) {
        break;
      }
      await publish(client, dir, outcomes);
      while ([...outcomes.values()].includes(null) && Date.now() < deadline) {
        for (const m of await receiver.receiveMessages(10, { maxWaitTimeInMs: 1000 })) {
          // The SDK parses a JSON data section into an object.
          const body = Buffer.isBuffer(m.body) ? JSON.parse(m.body.toString("utf8")) : m.body;
          console.log("EVENT " + JSON.stringify({
            messageId: m.messageId, correlationId: m.correlationId, subject: m.subject, contentType: m.contentType,
            eventId: body.eventId, requestId: body.requestId, type: body.type,
          }));
          if (outcomes.has(m.correlationId) && FINAL.has(body.type)) {
            outcomes.set(m.correlationId, body.type);
          }
          await receiver.completeMessage(m);
        }
      }
    }
    await receiver.close();
    const unsuccessful = [...outcomes].filter(([, type]) => type !== "succeeded");
    for (const [requestId, type] of unsuccessful) {
      console.log(`UNSUCCESSFUL ${requestId} ${type === null ? "did not end within " + timeoutMs + " ms" : "ended " + type}`);
    }
    return unsuccessful.length === 0 ? 0 : 1;
  } finally {
    await client.close();
  }
}

async function publish(client, dir, outcomes) {
  const sender = client.createSender(requestQueue);
  for (const file of fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()) {
    const request = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"));
    request.requestId += suffix;
    // An object body goes out as JSON in an AMQP data section, as the intake reads it.
    await sender.sendMessages({ body: request, messageId: request.requestId, contentType: "application/json" });
    outcomes.set(request.requestId, null);
    console.log("PUBLISHED " + JSON.stringify({ file, requestId: request.requestId }));
  }
  await sender.close();
}

main().then((code) => process.exit(code), (error) => {
  console.error(error);
  process.exit(1);
});
