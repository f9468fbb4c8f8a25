"""Checks of the chaos runner's parts that need no services: the run generator, the queue
model, and how a kill trap finds the process behind a connection."""

from __future__ import annotations

import json
import random
import socket
import subprocess
import sys
import time
from collections import Counter
from types import SimpleNamespace

from chaos import is_transition, pid_owning_local_port
from generator import file_deliveries, plan_run, sqs_event, success_deliveries
from pool import Pool


def test_plan_is_seeded_and_has_no_empty_collection():
    a = plan_run(random.Random(5), 20, 7)
    b = plan_run(random.Random(5), 20, 7)
    assert a == b
    assert len(a.collections) == 20
    assert len({c.name for c in a.collections}) == 20
    for c in a.collections:
        assert 1 <= c.files <= 7
        assert c.status in ("Exported", "Sent")
        assert c.files_sent == c.files if c.status == "Sent" else 0 <= c.files_sent <= c.files
    assert a.total_files == sum(c.files for c in a.collections)


def test_file_messages_unique_names_duplicates_and_forms():
    rng = random.Random(3)
    plan = plan_run(rng, 10, 40)
    deliveries = file_deliveries(plan, rng, duplicate_rate=0.2)
    originals = [d for d in deliveries if not d.duplicate]
    assert len(originals) == plan.total_files
    assert len({d.file_name for d in originals}) == plan.total_files
    dups = [d for d in deliveries if d.duplicate]
    assert 0.12 * plan.total_files < len(dups) < 0.28 * plan.total_files
    assert {d.file_name for d in dups} <= {d.file_name for d in originals}
    assert len({d.message_id for d in deliveries}) == len(deliveries)  # a duplicate is a new message
    # Shuffled: the first 30 messages are not all from one collection.
    assert len({d.collection for d in deliveries[:30]}) > 1
    keys = Counter("filename" in d.body for d in deliveries)
    assert keys[True] and keys[False]
    for d in deliveries:
        assert str(d.body.get("is_success_file", "false")).lower() == "false"
    forms = Counter(d.body_as_string for d in deliveries)
    assert forms[True] and forms[False]


def test_success_messages_and_the_event_shape():
    rng = random.Random(4)
    plan = plan_run(rng, 2, 3)
    c = plan.collections[0]
    many = [success_deliveries(plan, c, rng, 0.5) for _ in range(40)]
    assert {len(x) for x in many} == {1, 2}
    d = many[0][0]
    assert str(d.body["is_success_file"]).lower() == "true" and d.is_success
    d.receives = 2
    event = sqs_event([d], 1000, 2000)
    record = event["Records"][0]
    body = json.loads(record["body"]) if isinstance(record["body"], str) else record["body"]
    assert body == d.body
    assert record["messageId"] == d.message_id
    assert record["attributes"]["ApproximateReceiveCount"] == "2"
    assert not record["eventSourceARN"].endswith(".fifo")


def test_pool_redelivers_after_visibility_and_dead_letters():
    rng = random.Random(1)
    plan = plan_run(rng, 4, 5)
    deliveries = file_deliveries(plan, rng, 0.0)
    assert len(deliveries) >= 4
    pool = Pool(random.Random(2), max_receives=2)
    pool.add(deliveries)
    batch = pool.take(3, wait=0.1)
    assert len(batch) == 3 and not pool.idle()
    # Failed items come back only when their visibility timeout ends.
    pool.settle(batch[:1], batch[1:], visible_at=time.time() + 0.3)
    rest = pool.take(10, wait=0.05)
    assert {d.message_id for d in rest} == {d.message_id for d in deliveries} - {
        d.message_id for d in batch}
    pool.settle(rest, [], 0)
    started = time.monotonic()
    again = pool.take(10, wait=2)
    assert time.monotonic() - started > 0.2  # not before their visibility timeout
    assert {d.message_id for d in again} == {d.message_id for d in batch[1:]}
    assert all(d.receives == 2 for d in again)
    dead = pool.settle([], again, 0)  # second failed receive: dead letters
    assert {d.message_id for d in dead} == {d.message_id for d in again}
    assert pool.idle()
    assert pool.receives == len(deliveries) + 2


def test_transition_writes_are_recognised():
    info = SimpleNamespace(service="dynamodb", operation="UpdateItem")
    assert is_transition(info, {"UpdateExpression": "SET CollectionStatus = :to, P = :u",
                                "ExpressionAttributeValues": {":to": {"S": "Received"}}})
    assert is_transition(info, {"UpdateExpression": "SET #s = :status",
                                "ExpressionAttributeValues": {":status": {"S": "COMPLETED"}}})
    assert not is_transition(info, {"UpdateExpression": "ADD FilesReceived :one",
                                    "ExpressionAttributeValues": {":one": {"N": "1"}}})
    assert not is_transition(SimpleNamespace(service="sqs", operation="SendMessage"), {})


def test_pid_of_a_connection():
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen()
        port = server.getsockname()[1]
        code = ("import socket,sys,time; s=socket.create_connection(('127.0.0.1', %d)); "
                "print(s.getsockname()[1], flush=True); time.sleep(30)" % port)
        child = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
        try:
            local_port = int(child.stdout.readline())
            assert pid_owning_local_port(local_port, [child.pid]) == child.pid
            assert pid_owning_local_port(local_port, []) is None
        finally:
            child.kill()
            child.wait()
