// The official Node.js Service Bus SDK (@azure/service-bus, pinned in package.json) against the cmkflow Service Bus
// stand-in: the exchanges of ServiceBusStandInConformanceTest, each case asserting its own outcome.
// Prints one line per case, `CASE <name> PASS` or `CASE <name> FAIL <reason>`, then a SUMMARY line; exits 1 when
// a case failed. NodeSdkConformanceTest runs it with SB_CONNECTION_STRING set and the queues of SdkConformance.
"use strict";

const assert = require("node:assert/strict");
const { ServiceBusClient } = require("@azure/service-bus");

const connectionString = process.env.SB_CONNECTION_STRING;
if (!connectionString) {
  console.error("SB_CONNECTION_STRING is not set");
  process.exit(2);
}
const only = process.env.SB_CASES ? process.env.SB_CASES.split(",") : null;

const client = new ServiceBusClient(connectionString, {
  retryOptions: { timeoutInMs: 5000, maxRetries: 2, retryDelayInMs: 200 },
});

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Receives until `count` messages arrived or `withinMs` passed. */
async function receive(receiver, count, withinMs = 10000) {
  const received = [];
  const deadline = Date.now() + withinMs;
  while (received.length < count && Date.now() < deadline) {
    const batch = await receiver.receiveMessages(count - received.length, { maxWaitTimeInMs: 1000 });
    received.push(...batch);
  }
  assert.equal(received.length, count, `expected ${count} message(s) within ${withinMs} ms`);
  return received;
}

async function receiveOne(receiver, withinMs) {
  return (await receive(receiver, 1, withinMs))[0];
}

/** Nothing more arrives within `ms`. */
async function assertNothingWithin(receiver, ms) {
  const more = await receiver.receiveMessages(1, { maxWaitTimeInMs: ms });
  assert.equal(more.length, 0, `unexpected message: ${more.map((m) => m.body).join(", ")}`);
}

const cases = {
  async "send-single"() {
    const sender = client.createSender("single");
    await sender.sendMessages({
      body: { requestId: "r-1" },
      messageId: "r-1",
      subject: "cmk-request",
      contentType: "application/json",
      applicationProperties: { schemaVersion: "1" },
    });
    const receiver = client.createReceiver("single");
    const m = await receiveOne(receiver);
    assert.deepEqual(m.body, { requestId: "r-1" });
    assert.equal(m.messageId, "r-1");
    assert.equal(m.subject, "cmk-request");
    assert.equal(m.contentType, "application/json");
    assert.equal(m.applicationProperties.schemaVersion, "1");
    assert.equal(m.deliveryCount, 0);
    assert.ok(m.sequenceNumber.toNumber() > 0, "sequence number");
    assert.ok(m.enqueuedTimeUtc instanceof Date, "enqueued time");
    assert.ok(m.lockedUntilUtc.getTime() > Date.now() + 30000, `locked until ${m.lockedUntilUtc}`);
    assert.match(m.lockToken, /^[0-9a-f-]{36}$/);
    await receiver.completeMessage(m);
    await assertNothingWithin(receiver, 500);
  },

  async "send-batch"() {
    const sender = client.createSender("batch");
    const batch = await sender.createMessageBatch();
    for (let i = 1; i <= 3; i++) {
      assert.ok(batch.tryAddMessage({ body: `item-${i}`, messageId: `b-${i}` }), `add item-${i}`);
    }
    await sender.sendMessages(batch);
    const receiver = client.createReceiver("batch");
    const received = await receive(receiver, 3);
    assert.deepEqual(received.map((m) => m.body), ["item-1", "item-2", "item-3"]);
    assert.deepEqual(received.map((m) => m.messageId), ["b-1", "b-2", "b-3"]);
    for (const m of received) {
      await receiver.completeMessage(m);
    }
  },

  async "abandon-until-dead-lettered"() {
    await client.createSender("abandon").sendMessages({ body: "poison", messageId: "poison-1" });
    const receiver = client.createReceiver("abandon");
    for (let attempt = 0; attempt < 3; attempt++) {
      const m = await receiveOne(receiver);
      assert.equal(m.messageId, "poison-1");
      assert.equal(m.deliveryCount, attempt);
      await receiver.abandonMessage(m);
    }
    await assertNothingWithin(receiver, 500);
    const deadLetters = client.createReceiver("abandon", { subQueueType: "deadLetter" });
    const dead = await receiveOne(deadLetters);
    assert.equal(dead.messageId, "poison-1");
    assert.equal(dead.deadLetterReason, "MaxDeliveryCountExceeded");
    await deadLetters.completeMessage(dead);
  },

  async "dead-letter-explicit"() {
    await client.createSender("dead-letter").sendMessages({ body: { subscriptionId: "nope" }, messageId: "bad-1" });
    const receiver = client.createReceiver("dead-letter");
    await receiver.deadLetterMessage(await receiveOne(receiver), {
      deadLetterReason: "InvalidRequest",
      deadLetterErrorDescription: "subscriptionId: must be a GUID",
    });
    await assertNothingWithin(receiver, 500);
    const deadLetters = client.createReceiver("dead-letter", { subQueueType: "deadLetter" });
    const dead = await receiveOne(deadLetters);
    assert.equal(dead.messageId, "bad-1");
    assert.deepEqual(dead.body, { subscriptionId: "nope" });
    assert.equal(dead.deadLetterReason, "InvalidRequest");
    assert.equal(dead.deadLetterErrorDescription, "subscriptionId: must be a GUID");
    await deadLetters.completeMessage(dead);
  },

  async "defer-and-receive-deferred"() {
    const sender = client.createSender("defer");
    await sender.sendMessages({ body: "later", messageId: "d-1" });
    await sender.sendMessages({ body: "now", messageId: "d-2" });
    const receiver = client.createReceiver("defer");
    const first = await receiveOne(receiver);
    assert.equal(first.messageId, "d-1");
    await receiver.deferMessage(first);
    const next = await receiveOne(receiver);
    assert.equal(next.messageId, "d-2");
    await receiver.completeMessage(next);
    const [deferred] = await receiver.receiveDeferredMessages([first.sequenceNumber]);
    assert.ok(deferred, "the deferred message by its sequence number");
    assert.equal(deferred.body, "later");
    assert.equal(deferred.state, "deferred");
    await receiver.completeMessage(deferred);
    // Completed, it is gone: Service Bus answers 404 com.microsoft:message-not-found, which the SDK throws.
    await assert.rejects(receiver.receiveDeferredMessages([first.sequenceNumber]),
      (e) => e.code === "MessageNotFound" || assert.fail(`code ${e.code}: ${e.message}`));
  },

  async "renew-lock"() {
    await client.createSender("renew").sendMessages({ body: "slow work", messageId: "renew-1" });
    // The queue's lock is 3 s; automatic renewal is off, so only the explicit renewals keep the lock.
    const receiver = client.createReceiver("renew", { maxAutoLockRenewalDurationInMs: 0 });
    const m = await receiveOne(receiver);
    const firstLockEnd = m.lockedUntilUtc.getTime();
    await sleep(1500);
    const renewed = await receiver.renewMessageLock(m);
    assert.ok(renewed.getTime() > firstLockEnd, `renewed ${renewed.toISOString()} > ${new Date(firstLockEnd).toISOString()}`);
    await sleep(1500);
    await receiver.renewMessageLock(m);
    await sleep(1000);
    assert.ok(Date.now() > firstLockEnd, "the first lock would have run out by now");
    await receiver.completeMessage(m);
  },

  async "peek"() {
    const sender = client.createSender("peek");
    for (let i = 1; i <= 3; i++) {
      await sender.sendMessages({ body: `peek-${i}` });
    }
    const receiver = client.createReceiver("peek");
    const peeked = await receiver.peekMessages(3);
    assert.deepEqual(peeked.map((m) => m.body), ["peek-1", "peek-2", "peek-3"]);
    const numbers = peeked.map((m) => m.sequenceNumber.toNumber());
    assert.deepEqual(numbers, [...numbers].sort((a, b) => a - b));
    assert.equal(new Set(numbers).size, 3);
    assert.ok(peeked.every((m) => m.lockToken === undefined), "peeked messages carry no lock");
    assert.deepEqual(await receiver.peekMessages(1), [], "nothing after the last peeked message");
    const again = await receiver.peekMessages(3, { fromSequenceNumber: peeked[0].sequenceNumber });
    assert.deepEqual(again.map((m) => m.body), ["peek-1", "peek-2", "peek-3"]);
    // Left in the queue: NodeSdkConformanceTest checks the stand-in still holds all three, unlocked.
  },

  async "scheduled"() {
    const sender = client.createSender("scheduled");
    const at = new Date(Date.now() + 2000);
    const [kept] = await sender.scheduleMessages({ body: "on time", messageId: "s-1" }, at);
    const [cancelled] = await sender.scheduleMessages({ body: "never", messageId: "s-2" },
      new Date(Date.now() + 3600000));
    assert.ok(kept.toNumber() > 0 && cancelled.toNumber() > kept.toNumber(), `sequence numbers ${kept} ${cancelled}`);
    const receiver = client.createReceiver("scheduled");
    const peeked = await receiver.peekMessages(2);
    assert.deepEqual(peeked.map((m) => m.state), ["scheduled", "scheduled"]);
    await sender.cancelScheduledMessages([cancelled]);
    await assertNothingWithin(receiver, 500);
    const m = await receiveOne(receiver, 10000);
    assert.ok(Date.now() >= at.getTime() - 100, "not before its scheduled time");
    assert.equal(m.body, "on time");
    assert.equal(m.sequenceNumber.toNumber(), kept.toNumber());
    assert.equal(m.scheduledEnqueueTimeUtc.getTime(), at.getTime());
    await receiver.completeMessage(m);
    await assertNothingWithin(receiver, 500);
  },

  async "duplicate-detection"() {
    const sender = client.createSender("dedup");
    await sender.sendMessages({ body: "first", messageId: "same-id" });
    await sender.sendMessages({ body: "resend", messageId: "same-id" });
    await sender.sendMessages({ body: "other", messageId: "other-id" });
    const receiver = client.createReceiver("dedup");
    const received = await receive(receiver, 2);
    assert.deepEqual(received.map((m) => m.body), ["first", "other"]);
    for (const m of received) {
      await receiver.completeMessage(m);
    }
    await assertNothingWithin(receiver, 500);
  },

  async "receive-and-delete"() {
    await client.createSender("receive-and-delete").sendMessages({ body: "once" });
    const receiver = client.createReceiver("receive-and-delete", { receiveMode: "receiveAndDelete" });
    const m = await receiveOne(receiver);
    assert.equal(m.body, "once");
    assert.equal(m.lockToken, undefined);
    await assertNothingWithin(receiver, 500);
  },

  async "amqp-body-types"() {
    // What intake sees from a sender that does not use data sections: an AMQP value and an AMQP sequence body.
    const sender = client.createSender("body-types");
    await sender.sendMessages({ body: { requestId: "v-1" }, bodyType: "value", properties: { messageId: "value-1" } });
    await sender.sendMessages({ body: [["seq", 1], ["more"]], bodyType: "sequence",
      properties: { messageId: "sequence-1" } });
    const receiver = client.createReceiver("body-types");
    const [value, sequence] = await receive(receiver, 2);
    assert.equal(value.messageId, "value-1");
    assert.equal(value._rawAmqpMessage.bodyType, "value");
    assert.deepEqual(value.body, { requestId: "v-1" });
    assert.equal(sequence.messageId, "sequence-1");
    assert.equal(sequence._rawAmqpMessage.bodyType, "sequence");
    assert.deepEqual(sequence.body, [["seq", 1], ["more"]]);
    await receiver.completeMessage(value);
    await receiver.completeMessage(sequence);
  },

  async "unknown-entity"() {
    const sender = client.createSender("no-such-queue");
    const start = Date.now();
    await assert.rejects(sender.sendMessages({ body: "lost" }), (e) => {
      assert.equal(e.code, "MessagingEntityNotFound", `code ${e.code}: ${e.message}`);
      return true;
    });
    assert.ok(Date.now() - start < 4000, `failed after ${Date.now() - start} ms, not at once`);
  },
};

/** An error with its causes (the SDK's retries wrap what went wrong in an AggregateError). */
function describe(e) {
  if (e instanceof AggregateError) {
    return `${e.message || "AggregateError"}: [${e.errors.map(describe).join("; ")}]`;
  }
  return String(e && e.stack ? e.stack : e);
}

async function main() {
  let passed = 0;
  let failed = 0;
  for (const [name, run] of Object.entries(cases)) {
    if (only && !only.includes(name)) {
      continue;
    }
    const start = Date.now();
    try {
      await run();
      passed++;
      console.log(`CASE ${name} PASS (${Date.now() - start} ms)`);
    } catch (e) {
      failed++;
      console.log(`CASE ${name} FAIL ${describe(e).replace(/\s*\n\s*/g, " | ")}`);
    }
  }
  await client.close();
  console.log(`SUMMARY passed=${passed} failed=${failed}`);
  process.exitCode = failed === 0 ? 0 : 1;
}

main().catch((e) => {
  console.log(`SUMMARY aborted ${e && e.stack ? e.stack : e}`);
  process.exitCode = 1;
});
