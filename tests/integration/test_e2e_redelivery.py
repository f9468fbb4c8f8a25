"""SPEC section 5: SQS delivers at least once; a file is counted once."""

from __future__ import annotations

import json

from e2e_helpers import World, record, sqs_event, world  # noqa: F401  (fixture)


def test_redelivered_file_is_not_counted_twice(world: World):
    w = world
    w.put_collection("db.redo.coll", "Exported", exported=3, sent=3)
    body = w.message("db.redo.coll", file_name="folder/db.redo.coll-0001.gz.enc")

    w.deliver(body)
    w.deliver(body)
    w.deliver(body)

    assert w.received("db.redo.coll") == 1
    assert w.status("db.redo.coll") == "Exported"


def test_redelivery_within_one_batch(world: World):
    w = world
    w.put_collection("db.redo.batch", "Exported", exported=3, sent=3)
    body = w.message("db.redo.batch", file_name="same")

    run = w.invoke(sqs_event(record(body), record(body, escaped=True)))

    run.assert_ok()
    assert run.failures == []
    assert w.received("db.redo.batch") == 1


def test_different_files_are_each_counted(world: World):
    w = world
    w.put_collection("db.redo.diff", "Exported", exported=9, sent=9)

    for i in range(4):
        w.deliver(w.message("db.redo.diff", file_name=f"f{i}"))

    assert w.received("db.redo.diff") == 4


def test_same_file_name_in_another_collection_is_another_file(world: World):
    w = world
    w.put_collection("db.redo.x", "Exported", exported=9)
    w.put_collection("db.redo.y", "Exported", exported=9)

    w.deliver(w.message("db.redo.x", file_name="part-0001"))
    w.deliver(w.message("db.redo.y", file_name="part-0001"))

    assert (w.received("db.redo.x"), w.received("db.redo.y")) == (1, 1)


def test_without_file_name_every_delivery_counts(world: World):
    w = world
    w.put_collection("db.redo.anon", "Exported", exported=9, sent=9)
    body = w.message("db.redo.anon")

    w.deliver(body)
    w.deliver(body)
    w.invoke(sqs_event(record(body), record(body))).assert_ok()

    assert w.received("db.redo.anon") == 4


def test_redelivered_completing_file_does_not_send_again(world: World):
    w = world
    w.put_collection("db.redo.done", "Sent", exported=2, sent=2)
    w.put_collection("db.redo.other", "Sent", exported=5, sent=5)
    first = w.message("db.redo.done", file_name="one")
    last = w.message("db.redo.done", file_name="two")

    w.deliver(first)
    w.deliver(last)
    w.deliver(last)
    w.deliver(first)

    row = w.collection("db.redo.done")
    assert row["FilesReceived"] == 2
    assert row["CollectionStatus"] == "Received"
    assert len(w.export_state_messages(expect=1)) == 1


def test_redelivered_last_file_of_a_run_notifies_once(world: World):
    w = world
    w.put_collection("db.redo.only", "Sent", exported=1, sent=1)
    body = w.message("db.redo.only", file_name="the-file")

    w.deliver(body)
    w.deliver(body)
    w.deliver(w.success_message("db.redo.only"))
    w.deliver(w.success_message("db.redo.only"))

    titles = [json.loads(n)["title_text"] for n in w.notifications(expect=2)]
    assert titles == [
        "Incremental - All collections received by NiFi",
        "Incremental - All collections successful",
    ]
    assert w.product()["Status"] == "COMPLETED"
    assert w.received("db.redo.only") == 1
