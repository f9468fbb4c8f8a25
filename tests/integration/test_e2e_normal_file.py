"""SPEC section 3: a normal file message, end to end through the binary.

Files with a name are counted with a transaction (the file receipts table): moto.
Dynalite, which has none, serves files without a name (test_e2e_dynalite.py).
"""

from __future__ import annotations

import json

import pytest

from e2e_helpers import (
    RECEIVED_TEXT,
    World,
    as_pairs,
    export_state_body,
    monitoring_body,
    ordered,
    world,  # noqa: F401  (fixture)
)


def test_file_for_incomplete_collection_is_counted_only(world: World):
    w = world
    w.put_collection("db.core.incomplete", "Exported", exported=3, sent=3)

    run = w.deliver(w.message("db.core.incomplete", file_name="f1.gz.enc"))

    assert run.failures == [], run.describe()
    row = w.collection("db.core.incomplete")
    assert row["FilesReceived"] == 1
    assert row["CollectionStatus"] == "Exported"
    assert row["FilesExported"] == 3 and row["FilesSent"] == 3
    assert w.export_state_messages() == []
    assert w.notifications() == []
    assert w.product() is None


def test_counts_on_top_of_existing_files_received(world: World):
    w = world
    w.put_collection("db.core.partly", "Sent", exported=5, sent=5, received=2)

    w.deliver(w.message("db.core.partly", file_name="f3"))

    assert w.received("db.core.partly") == 3
    assert w.status("db.core.partly") == "Sent"
    assert w.export_state_messages() == []


@pytest.mark.parametrize("status", ["Exported", "Sent"])
def test_file_completing_collection_marks_it_received_and_sends_export_state(
    world: World, status: str
):
    w = world
    # Another collection of the run is still being sent, so the run is not complete.
    w.put_collection("db.core.other", "Sent", exported=4, sent=4, received=1)
    w.put_collection("db.core.done", status, exported=2, sent=2, received=1)

    run = w.deliver(w.message("db.core.done", file_name="last.gz.enc"))

    assert run.failures == [], run.describe()
    row = w.collection("db.core.done")
    assert row["CollectionStatus"] == "Received"
    assert row["FilesReceived"] == 2
    messages = w.export_state_messages(expect=1)
    assert len(messages) == 1, messages
    assert ordered(messages[0]["body"]) == as_pairs(export_state_body(w, "db.core.done")), (
        "export-state body differs (values or key order): " + messages[0]["body"]
    )
    assert messages[0]["group"] == "db_core_done"
    # Not every collection is received: no notification, no product row.
    assert w.notifications() == []
    assert w.product() is None
    assert w.status("db.core.other") == "Sent"


def test_files_sent_lagging_behind_does_not_stop_receipt(world: World):
    # FilesSent can lag behind; status Sent and FilesReceived >= FilesExported decides.
    w = world
    w.put_collection("db.core.lag", "Sent", exported=3, sent=1, received=2)
    w.put_collection("db.core.other", "Exported", exported=3, sent=0)

    w.deliver(w.message("db.core.lag", file_name="f3"))

    assert w.status("db.core.lag") == "Received"
    assert len(w.export_state_messages(expect=1)) == 1


def test_first_file_of_a_single_file_collection_without_files_received(world: World):
    # The exporter leaves no FilesReceived attribute: it counts as 0.
    w = world
    w.put_collection("db.core.single", "Exported", exported=1)
    w.put_collection("db.core.other", "Exporting", exported=0)

    w.deliver(w.message("db.core.single", file_name="only"))

    row = w.collection("db.core.single")
    assert row["FilesReceived"] == 1
    assert row["CollectionStatus"] == "Received"
    assert len(w.export_state_messages(expect=1)) == 1


@pytest.mark.parametrize(
    "fields, shutdown, reprocess",
    [
        ({}, "true", "true"),
        ({"shutdown_flag": "false", "reprocess_files": "false"}, "false", "false"),
        ({"shutdown_flag": "false"}, "false", "true"),
        ({"reprocess_files": "false"}, "true", "false"),
    ],
    ids=["defaults", "both-passed", "shutdown-passed", "reprocess-passed"],
)
def test_export_state_passes_flags_through_or_defaults_them(
    world: World, fields: dict, shutdown: str, reprocess: str
):
    w = world
    w.put_collection("db.flags.coll", "Sent", exported=1, sent=1)
    w.put_collection("db.flags.other", "Sent", exported=9, sent=9)

    w.deliver(w.message("db.flags.coll", file_name="f", **fields))

    messages = w.export_state_messages(expect=1)
    assert len(messages) == 1
    expected = export_state_body(w, "db.flags.coll", shutdown=shutdown, reprocess=reprocess)
    assert ordered(messages[0]["body"]) == as_pairs(expected), messages[0]["body"]


def test_more_files_received_than_exported_still_counts_as_received(world: World):
    # >=, not ==: a run can deliver more files than the exporter counted.
    w = world
    w.put_collection("db.more.coll", "Sent", exported=2, sent=2, received=4)
    w.put_collection("db.more.other", "Sent", exported=9, sent=9)

    w.deliver(w.message("db.more.coll", file_name="f5"))

    row = w.collection("db.more.coll")
    assert row["FilesReceived"] == 5
    assert row["CollectionStatus"] == "Received"
    assert len(w.export_state_messages(expect=1)) == 1


@pytest.mark.parametrize(
    "status",
    ["Exporting", "Received", "Export_Failed", "Success", "Table_Unavailable", "Blocked_Topic"],
)
def test_no_transition_from_other_statuses(world: World, status: str):
    w = world
    # Enough files either way: only the status keeps the collection from "received".
    w.put_collection("db.stay.coll", status, exported=2, sent=2, received=3)
    w.put_collection("db.stay.other", "Received", exported=1, sent=1, received=1)

    run = w.deliver(w.message("db.stay.coll", file_name="f4"))

    assert run.failures == [], run.describe()
    row = w.collection("db.stay.coll")
    assert row["FilesReceived"] == 4
    assert row["CollectionStatus"] == status
    assert w.export_state_messages() == []
    assert w.notifications() == []
    assert w.product() is None


def test_last_collection_received_notifies_and_sets_product_received(world: World):
    w = world
    w.snapshot_type = "full_snapshot"  # title-cased as Python's str.title() does
    w.put_collection("db.run.a", "Received", exported=2, sent=2, received=2)
    w.put_collection("db.run.b", "Success", exported=1, sent=1, received=1)
    w.put_collection("db.run.c", "Exported", exported=3, sent=3, received=2)

    run = w.deliver(w.message("db.run.c", file_name="c3"))

    assert run.failures == [], run.describe()
    assert w.status("db.run.c") == "Received"
    assert len(w.export_state_messages(expect=1)) == 1
    notes = w.notifications(expect=1)
    assert len(notes) == 1, notes
    assert json.loads(notes[0]) == monitoring_body(w, RECEIVED_TEXT)
    assert ordered(notes[0]) == as_pairs(monitoring_body(w, RECEIVED_TEXT)), notes[0]
    assert json.loads(notes[0])["title_text"] == "Full_Snapshot - All collections received by NiFi"
    product = w.product()
    assert product is not None
    assert product["Correlation_Id"] == w.correlation_id
    assert product["DataProduct"] == "SNAPSHOT_SENDER"
    assert product["Status"] == "RECEIVED"


def test_product_row_already_there_gets_status_received(world: World):
    # "creating the item if it does not exist": an existing row keeps its other attributes.
    w = world
    w.dynamodb.put_item(
        TableName=w.product_table,
        Item={
            "Correlation_Id": {"S": w.correlation_id},
            "DataProduct": {"S": "SNAPSHOT_SENDER"},
            "Status": {"S": "STARTED"},
            "Run_Id": {"N": "7"},
        },
    )
    w.put_collection("db.only.coll", "Sent", exported=1, sent=1)

    w.deliver(w.message("db.only.coll", file_name="x"))

    product = w.product()
    assert product["Status"] == "RECEIVED"
    assert product["Run_Id"] == 7
    assert len(w.notifications(expect=1)) == 1


def test_rows_of_other_runs_do_not_count(world: World):
    # "Every row of the correlation id": another run's unfinished rows are not ours.
    w = world
    w.put_collection("db.mine.coll", "Sent", exported=1, sent=1)
    w.put_collection("db.mine.coll", "Exporting", exported=5, correlation_id=w.correlation_id + "x")

    w.deliver(w.message("db.mine.coll", file_name="x"))

    assert w.status("db.mine.coll") == "Received"
    assert len(w.notifications(expect=1)) == 1
    assert w.status("db.mine.coll", w.correlation_id + "x") == "Exporting"
    assert w.received("db.mine.coll", w.correlation_id + "x") == 0


def test_a_whole_run_delivered_file_by_file(world: World):
    w = world
    collections = {"db.whole.a": 2, "db.whole.b": 1, "db.whole.c": 3}
    for name, files in collections.items():
        w.put_collection(name, "Sent" if files != 3 else "Exported", exported=files, sent=files)

    for name, files in collections.items():
        for i in range(files):
            w.deliver(w.message(name, file_name=f"{name}/{i}.gz.enc"))

    for name, files in collections.items():
        row = w.collection(name)
        assert row["FilesReceived"] == files
        assert row["CollectionStatus"] == "Received"
    messages = w.export_state_messages(expect=3)
    assert sorted(m["group"] for m in messages) == ["db_whole_a", "db_whole_b", "db_whole_c"]
    notes = w.notifications(expect=1)
    assert [json.loads(n) for n in notes] == [monitoring_body(w, RECEIVED_TEXT)]
    assert w.product()["Status"] == "RECEIVED"
