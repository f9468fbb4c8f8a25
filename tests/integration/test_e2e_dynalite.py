"""What the binary does on dynalite, which validates requests as strictly as DynamoDB but has
no transactions.

A file whose name is known is counted with its receipt in one TransactWriteItems (SPEC
section 2): on dynalite that message fails, with an error that names the operation, and
nothing is counted. A file without a name needs no receipt and runs to the end, so the
single-item writes keep dynalite's validation.
"""

from __future__ import annotations

import json

import pytest

from e2e_helpers import (
    RECEIVED_TEXT,
    World,
    export_state_body,
    make_world,
    monitoring_body,
    record,
    sqs_event,
)


@pytest.fixture
def dynalite_world(stack, ssc_binary) -> World:
    return make_world(stack, ssc_binary, "dynalite")


def test_files_without_a_name_complete_a_run_on_dynalite(dynalite_world: World):
    w = dynalite_world
    w.put_collection("db.core.a", "Exported", exported=2, sent=2)
    w.put_collection("db.core.b", "Sent", exported=1, sent=1, received=1)

    w.deliver(w.message("db.core.a"), w.message("db.core.b", file_name="NOT_SET"))
    assert w.received("db.core.a") == 1 and w.status("db.core.a") == "Exported"
    w.deliver(w.message("db.core.a"))

    assert w.received("db.core.a") == 2
    assert w.status("db.core.a") == "Received"
    assert w.status("db.core.b") == "Received"
    sent = w.export_state_messages(expect=2)
    assert sorted(json.loads(m["body"])["topic_name"] for m in sent) == ["db.core.a", "db.core.b"]
    assert json.loads(sent[0]["body"]) == export_state_body(w, json.loads(sent[0]["body"])["topic_name"])
    assert [json.loads(n) for n in w.notifications(expect=1)] == [monitoring_body(w, RECEIVED_TEXT)]
    assert w.product()["Status"] == "RECEIVED"


def test_a_named_file_without_transactions_fails_clearly_and_counts_nothing(
    dynalite_world: World,
):
    w = dynalite_world
    w.put_collection("db.core.a", "Exported", exported=2, sent=2)

    run = w.invoke(sqs_event(record(w.message("db.core.a", file_name="f1.gz.enc"), "m-0")))

    assert run.rc == 0 and run.failures == ["m-0"], run.describe()
    assert run.errors_naming("TransactWriteItems", "UnknownOperationException"), run.describe()
    assert w.received("db.core.a") == 0
