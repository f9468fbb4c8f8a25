"""SPEC section 1: the shapes of event the binary takes, and the fields' values."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e_helpers import World, record, sqs_event, world  # noqa: F401  (fixture)


def test_body_as_json_object(world: World):
    w = world
    w.put_collection("db.shape.obj", "Exported", exported=5)

    run = w.invoke(sqs_event(record(w.message("db.shape.obj"), escaped=False)))

    run.assert_ok()
    assert run.response == {"batchItemFailures": []}
    assert w.received("db.shape.obj") == 1


def test_body_as_escaped_json_string(world: World):
    w = world
    w.put_collection("db.shape.str", "Exported", exported=5)
    event = sqs_event(record(w.message("db.shape.str"), escaped=True))
    assert isinstance(event["Records"][0]["body"], str)

    run = w.invoke(event)

    run.assert_ok()
    assert run.response == {"batchItemFailures": []}
    assert w.received("db.shape.str") == 1


def test_several_records_each_processed(world: World):
    w = world
    for name in ("db.multi.a", "db.multi.b", "db.multi.c"):
        w.put_collection(name, "Exported", exported=5)
    event = sqs_event(
        record(w.message("db.multi.a", file_name="a1")),
        record(w.message("db.multi.b", file_name="b1"), escaped=True),
        record(w.message("db.multi.a", file_name="a2"), escaped=True),
        record(w.message("db.multi.c", file_name="c1")),
    )

    run = w.invoke(event)

    run.assert_ok()
    assert run.failures == []
    assert [w.received(n) for n in ("db.multi.a", "db.multi.b", "db.multi.c")] == [2, 1, 1]


def test_bare_message_without_records(world: World):
    w = world
    w.put_collection("db.bare.coll", "Sent", exported=1, sent=1)
    w.put_collection("db.bare.other", "Sent", exported=5, sent=5)

    run = w.invoke(w.message("db.bare.coll", file_name="bare"))

    run.assert_ok()
    assert run.response == {"batchItemFailures": []}
    assert w.collection("db.bare.coll")["CollectionStatus"] == "Received"
    assert len(w.export_state_messages(expect=1)) == 1


def test_event_from_a_file(world: World, tmp_path: Path):
    w = world
    w.put_collection("db.file.coll", "Exported", exported=5)
    path = tmp_path / "event.json"
    path.write_text(json.dumps(sqs_event(record(w.message("db.file.coll")))))

    run = w.invoke("", args=["--event", str(path)])

    run.assert_ok()
    assert run.response == {"batchItemFailures": []}
    assert w.received("db.file.coll") == 1


@pytest.mark.parametrize(
    "event",
    [{"Records": []}, {"Records": [{"messageId": "no-body"}]}, {"anything": "else"}],
    ids=["empty-records", "records-without-body", "no-fields"],
)
def test_event_that_is_itself_an_invalid_message_fails_the_invocation(world: World, event):
    # Such an event is one message (the event itself); it lacks the required fields,
    # and a failed event without Records fails the invocation as a whole.
    w = world
    w.put_collection("db.untouched.coll", "Exported", exported=5)

    run = w.invoke(event)

    assert run.rc == 1, run.describe()
    assert w.received("db.untouched.coll") == 0
    assert run.at_level("ERROR"), run.describe()


def test_bare_message_for_missing_row_fails_the_invocation(world: World):
    w = world

    run = w.invoke(w.message("db.no.such.row"))

    assert run.rc == 1, run.describe()
    assert w.raw_collection("db.no.such.row") is None


@pytest.mark.parametrize(
    "value, success",
    [("TRUE", True), ("True", True), (True, True), ("true", True),
     ("false", False), (False, False), (None, False), ("yes", False), ("1", False)],
    ids=["TRUE", "True", "json-true", "true", "false", "json-false", "null", "yes", "1"],
)
def test_is_success_file_values(world: World, value, success: bool):
    w = world
    # Received with all files in: a success file moves it to Success; a normal
    # file only counts (the status is not Exported/Sent, so no transition).
    w.put_collection("db.flag.coll", "Received", exported=1, sent=1, received=1)
    w.put_collection("db.flag.other", "Received", exported=1, sent=1, received=1)

    run = w.deliver(w.message("db.flag.coll", is_success_file=value, file_name="f"))

    assert run.failures == [], run.describe()
    row = w.collection("db.flag.coll")
    if success:
        assert row["CollectionStatus"] == "Success"
        assert row["FilesReceived"] == 1
    else:
        assert row["CollectionStatus"] == "Received"
        assert row["FilesReceived"] == 2


def test_is_success_file_absent_means_normal_file(world: World):
    w = world
    w.put_collection("db.flag.absent", "Received", exported=1, sent=1, received=1)

    w.deliver(w.message("db.flag.absent"))

    assert w.collection("db.flag.absent")["FilesReceived"] == 2
    assert w.status("db.flag.absent") == "Received"


def test_filename_alias_identifies_the_file(world: World):
    w = world
    w.put_collection("db.alias.coll", "Exported", exported=9)
    body = w.message("db.alias.coll", filename="folder/db.alias.coll-1.gz.enc")

    first = w.deliver(body)
    w.deliver(body)  # redelivered: the alias identifies it, so it is not counted again

    assert w.received("db.alias.coll") == 1
    assert any(
        e.get("file_name") == "folder/db.alias.coll-1.gz.enc" for e in first.logs
    ), "no log line carries file_name from the filename field\n" + first.describe()


def test_file_name_defaults_to_not_set_in_logs(world: World):
    w = world
    w.put_collection("db.noname.coll", "Exported", exported=9)

    run = w.deliver(w.message("db.noname.coll"))

    assert any(e.get("file_name") == "NOT_SET" for e in run.logs), run.describe()
