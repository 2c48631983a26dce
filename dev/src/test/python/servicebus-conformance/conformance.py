"""The official Python Service Bus SDK (azure-servicebus, pinned in requirements.txt) against the cmkflow Service Bus
stand-in: the exchanges of ServiceBusStandInConformanceTest, each case asserting its own outcome.

Prints one line per case, ``CASE <name> PASS`` or ``CASE <name> FAIL <reason>``, then a SUMMARY line; exits 1 when
a case failed. PythonSdkConformanceTest runs it with SB_CONNECTION_STRING set and the queues of SdkConformance.
"""

import datetime
import os
import sys
import time
import traceback

from azure.servicebus import (
    ServiceBusClient,
    ServiceBusMessage,
    ServiceBusMessageState,
    ServiceBusReceiveMode,
    ServiceBusSubQueue,
)
from azure.servicebus.amqp import AmqpAnnotatedMessage, AmqpMessageBodyType
from azure.servicebus.exceptions import MessageNotFoundError, MessagingEntityNotFoundError

CONNECTION_STRING = os.environ.get("SB_CONNECTION_STRING")
ONLY = os.environ["SB_CASES"].split(",") if os.environ.get("SB_CASES") else None


def utc_now():
    return datetime.datetime.now(datetime.timezone.utc)


def body_text(message):
    return b"".join(message.body).decode("utf-8")


def receive(receiver, count, within=10.0):
    """Receives until ``count`` messages arrived or ``within`` seconds passed."""
    received = []
    deadline = time.monotonic() + within
    while len(received) < count and time.monotonic() < deadline:
        received.extend(receiver.receive_messages(max_message_count=count - len(received), max_wait_time=1))
    assert len(received) == count, f"expected {count} message(s) within {within} s, got {len(received)}"
    return received


def receive_one(receiver, within=10.0):
    return receive(receiver, 1, within)[0]


def assert_nothing_within(receiver, seconds):
    more = receiver.receive_messages(max_message_count=1, max_wait_time=seconds)
    assert not more, f"unexpected message: {[str(m) for m in more]}"


def case_send_single(client):
    with client.get_queue_sender("single") as sender:
        sender.send_messages(ServiceBusMessage('{"requestId":"r-1"}', message_id="r-1", subject="cmk-request",
                                               content_type="application/json",
                                               application_properties={"schemaVersion": "1"}))
    with client.get_queue_receiver("single") as receiver:
        m = receive_one(receiver)
        assert body_text(m) == '{"requestId":"r-1"}', body_text(m)
        assert m.body_type == AmqpMessageBodyType.DATA
        assert m.message_id == "r-1"
        assert m.subject == "cmk-request"
        assert m.content_type == "application/json"
        assert m.application_properties[b"schemaVersion"] == b"1", m.application_properties
        assert m.delivery_count == 0, m.delivery_count
        assert m.sequence_number > 0
        assert m.enqueued_time_utc is not None
        assert m.locked_until_utc > utc_now() + datetime.timedelta(seconds=30), m.locked_until_utc
        assert m.lock_token is not None
        receiver.complete_message(m)
        assert_nothing_within(receiver, 0.5)


def case_send_batch(client):
    with client.get_queue_sender("batch") as sender:
        batch = sender.create_message_batch()
        for i in range(1, 4):
            batch.add_message(ServiceBusMessage(f"item-{i}", message_id=f"b-{i}"))
        sender.send_messages(batch)
    with client.get_queue_receiver("batch") as receiver:
        received = receive(receiver, 3)
        assert [body_text(m) for m in received] == ["item-1", "item-2", "item-3"]
        assert [m.message_id for m in received] == ["b-1", "b-2", "b-3"]
        for m in received:
            receiver.complete_message(m)


def case_abandon_until_dead_lettered(client):
    with client.get_queue_sender("abandon") as sender:
        sender.send_messages(ServiceBusMessage("poison", message_id="poison-1"))
    with client.get_queue_receiver("abandon") as receiver:
        for attempt in range(3):
            m = receive_one(receiver)
            assert m.message_id == "poison-1"
            assert m.delivery_count == attempt, (m.delivery_count, attempt)
            receiver.abandon_message(m)
        assert_nothing_within(receiver, 0.5)
    with client.get_queue_receiver("abandon", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as dead_letters:
        dead = receive_one(dead_letters)
        assert dead.message_id == "poison-1"
        assert dead.dead_letter_reason == "MaxDeliveryCountExceeded", dead.dead_letter_reason
        dead_letters.complete_message(dead)


def case_dead_letter_explicit(client):
    with client.get_queue_sender("dead-letter") as sender:
        sender.send_messages(ServiceBusMessage('{"subscriptionId":"nope"}', message_id="bad-1"))
    with client.get_queue_receiver("dead-letter") as receiver:
        receiver.dead_letter_message(receive_one(receiver), reason="InvalidRequest",
                                     error_description="subscriptionId: must be a GUID")
        assert_nothing_within(receiver, 0.5)
    with client.get_queue_receiver("dead-letter", sub_queue=ServiceBusSubQueue.DEAD_LETTER) as dead_letters:
        dead = receive_one(dead_letters)
        assert dead.message_id == "bad-1"
        assert body_text(dead) == '{"subscriptionId":"nope"}'
        assert dead.dead_letter_reason == "InvalidRequest", dead.dead_letter_reason
        assert dead.dead_letter_error_description == "subscriptionId: must be a GUID"
        dead_letters.complete_message(dead)


def case_defer_and_receive_deferred(client):
    with client.get_queue_sender("defer") as sender:
        sender.send_messages(ServiceBusMessage("later", message_id="d-1"))
        sender.send_messages(ServiceBusMessage("now", message_id="d-2"))
    with client.get_queue_receiver("defer") as receiver:
        first = receive_one(receiver)
        assert first.message_id == "d-1"
        receiver.defer_message(first)
        following = receive_one(receiver)
        assert following.message_id == "d-2"
        receiver.complete_message(following)
        [deferred] = receiver.receive_deferred_messages([first.sequence_number])
        assert body_text(deferred) == "later"
        assert deferred.state == ServiceBusMessageState.DEFERRED, deferred.state
        receiver.complete_message(deferred)
        try:
            receiver.receive_deferred_messages([first.sequence_number])
            raise AssertionError("a completed deferred message was received again")
        except MessageNotFoundError:
            pass


def case_renew_lock(client):
    with client.get_queue_sender("renew") as sender:
        sender.send_messages(ServiceBusMessage("slow work", message_id="renew-1"))
    # The queue's lock is 3 s; no AutoLockRenewer, so only the explicit renewals keep the lock.
    with client.get_queue_receiver("renew") as receiver:
        m = receive_one(receiver)
        first_lock_end = m.locked_until_utc
        time.sleep(1.5)
        renewed = receiver.renew_message_lock(m)
        assert renewed > first_lock_end, (renewed, first_lock_end)
        time.sleep(1.5)
        receiver.renew_message_lock(m)
        time.sleep(1.0)
        assert utc_now() > first_lock_end, "the first lock would have run out by now"
        receiver.complete_message(m)


def case_peek(client):
    with client.get_queue_sender("peek") as sender:
        for i in range(1, 4):
            sender.send_messages(ServiceBusMessage(f"peek-{i}"))
    with client.get_queue_receiver("peek") as receiver:
        peeked = receiver.peek_messages(max_message_count=3)
        assert [body_text(m) for m in peeked] == ["peek-1", "peek-2", "peek-3"]
        numbers = [m.sequence_number for m in peeked]
        assert numbers == sorted(numbers) and len(set(numbers)) == 3, numbers
        assert receiver.peek_messages(max_message_count=1) == [], "nothing after the last peeked message"
        again = receiver.peek_messages(max_message_count=3, sequence_number=numbers[0])
        assert [body_text(m) for m in again] == ["peek-1", "peek-2", "peek-3"]
    # Left in the queue: PythonSdkConformanceTest checks the stand-in still holds all three, unlocked.


def case_scheduled(client):
    at = (utc_now() + datetime.timedelta(seconds=2)).replace(microsecond=0) + datetime.timedelta(seconds=1)
    with client.get_queue_sender("scheduled") as sender, client.get_queue_receiver("scheduled") as receiver:
        [kept] = sender.schedule_messages(ServiceBusMessage("on time", message_id="s-1"), at)
        [cancelled] = sender.schedule_messages(ServiceBusMessage("never", message_id="s-2"),
                                               utc_now() + datetime.timedelta(hours=1))
        assert 0 < kept < cancelled, (kept, cancelled)
        peeked = receiver.peek_messages(max_message_count=2)
        assert [m.state for m in peeked] == [ServiceBusMessageState.SCHEDULED] * 2, [m.state for m in peeked]
        sender.cancel_scheduled_messages([cancelled])
        assert_nothing_within(receiver, 0.5)
        m = receive_one(receiver, within=10)
        assert utc_now() >= at - datetime.timedelta(milliseconds=100), "not before its scheduled time"
        assert body_text(m) == "on time"
        assert m.sequence_number == kept
        assert m.scheduled_enqueue_time_utc == at, (m.scheduled_enqueue_time_utc, at)
        receiver.complete_message(m)
        assert_nothing_within(receiver, 0.5)


def case_duplicate_detection(client):
    with client.get_queue_sender("dedup") as sender:
        sender.send_messages(ServiceBusMessage("first", message_id="same-id"))
        sender.send_messages(ServiceBusMessage("resend", message_id="same-id"))
        sender.send_messages(ServiceBusMessage("other", message_id="other-id"))
    with client.get_queue_receiver("dedup") as receiver:
        received = receive(receiver, 2)
        assert [body_text(m) for m in received] == ["first", "other"]
        for m in received:
            receiver.complete_message(m)
        assert_nothing_within(receiver, 0.5)


def case_receive_and_delete(client):
    with client.get_queue_sender("receive-and-delete") as sender:
        sender.send_messages(ServiceBusMessage("once"))
    with client.get_queue_receiver("receive-and-delete",
                                   receive_mode=ServiceBusReceiveMode.RECEIVE_AND_DELETE) as receiver:
        m = receive_one(receiver)
        assert body_text(m) == "once"
        assert_nothing_within(receiver, 0.5)


def case_amqp_body_types(client):
    # What intake sees from a sender that does not use data sections: an AMQP value and an AMQP sequence body.
    with client.get_queue_sender("body-types") as sender:
        sender.send_messages(AmqpAnnotatedMessage(value_body={"requestId": "v-1"},
                                                  properties={"message_id": "value-1"}))
        sender.send_messages(AmqpAnnotatedMessage(sequence_body=[["seq", 1], ["more"]],
                                                  properties={"message_id": "sequence-1"}))
    with client.get_queue_receiver("body-types") as receiver:
        value, sequence = receive(receiver, 2)
        assert value.message_id == "value-1"
        assert value.body_type == AmqpMessageBodyType.VALUE, value.body_type
        assert value.body in ({"requestId": "v-1"}, {b"requestId": b"v-1"}), value.body
        assert sequence.message_id == "sequence-1"
        assert sequence.body_type == AmqpMessageBodyType.SEQUENCE, sequence.body_type
        sections = [[item.decode() if isinstance(item, bytes) else item for item in section]
                    for section in sequence.body]
        assert sections == [["seq", 1], ["more"]], sections
        receiver.complete_message(value)
        receiver.complete_message(sequence)


def case_unknown_entity(client):
    start = time.monotonic()
    try:
        with client.get_queue_sender("no-such-queue") as sender:
            sender.send_messages(ServiceBusMessage("lost"))
        raise AssertionError("sending to an unknown queue succeeded")
    except MessagingEntityNotFoundError:
        pass
    elapsed = time.monotonic() - start
    assert elapsed < 4, f"failed after {elapsed:.1f} s, not at once"


CASES = [
    ("send-single", case_send_single),
    ("send-batch", case_send_batch),
    ("abandon-until-dead-lettered", case_abandon_until_dead_lettered),
    ("dead-letter-explicit", case_dead_letter_explicit),
    ("defer-and-receive-deferred", case_defer_and_receive_deferred),
    ("renew-lock", case_renew_lock),
    ("peek", case_peek),
    ("scheduled", case_scheduled),
    ("duplicate-detection", case_duplicate_detection),
    ("receive-and-delete", case_receive_and_delete),
    ("amqp-body-types", case_amqp_body_types),
    ("unknown-entity", case_unknown_entity),
]


def main():
    if not CONNECTION_STRING:
        print("SB_CONNECTION_STRING is not set", file=sys.stderr)
        return 2
    passed = failed = 0
    client = ServiceBusClient.from_connection_string(CONNECTION_STRING, retry_total=2, retry_backoff_factor=0.2,
                                                     retry_backoff_max=1)
    with client:
        for name, run in CASES:
            if ONLY and name not in ONLY:
                continue
            start = time.monotonic()
            try:
                run(client)
                passed += 1
                print(f"CASE {name} PASS ({(time.monotonic() - start) * 1000:.0f} ms)", flush=True)
            except Exception as e:  # noqa: BLE001 - every failure is reported as the case's outcome
                failed += 1
                detail = " | ".join(traceback.format_exception(e)).replace("\n", " ")
                print(f"CASE {name} FAIL {type(e).__name__}: {detail}", flush=True)
    print(f"SUMMARY passed={passed} failed={failed}", flush=True)
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
