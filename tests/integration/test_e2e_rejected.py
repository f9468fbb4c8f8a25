"""SPEC section 1 (rejected messages) and section 5 (partial batch responses)."""

from __future__ import annotations

import pytest

from e2e_helpers import (
    FIFO_SOURCE_ARN,
    MISSING,
    World,
    record,
    sqs_event,
    world,  # noqa: F401  (fixture)
)

REQUIRED = ["correlation_id", "collection_name", "snapshot_type", "export_date"]
BAD_VALUES = {"missing": MISSING, "null": None, "empty": "", "number": 42, "object": {"a": "b"}}


def _assert_rejected(run, message_id: str, *fields: str) -> None:
    lines = run.errors_naming(message_id)
    assert len(lines) == 1, (
        f"expected one ERROR line naming {message_id}, got {len(lines)}\n{run.describe()}"
    )
    text = str(lines[0])
    for name in fields:
        assert name in text, f"the ERROR line does not name the bad field {name}: {lines[0]}"


@pytest.mark.parametrize("field", REQUIRED)
@pytest.mark.parametrize("kind", list(BAD_VALUES))
def test_bad_required_field_rejects_only_that_message(world: World, field: str, kind: str):
    w = world
    w.put_collection("db.rej.good", "Exported", exported=5)
    w.put_collection("db.rej.bad", "Sent", exported=1, sent=1)
    before = w.raw_collection("db.rej.bad")
    bad = record(w.message("db.rej.bad", file_name="bad", **{field: BAD_VALUES[kind]}))
    good_first = record(w.message("db.rej.good", file_name="g1"))
    good_after = record(w.message("db.rej.good", file_name="g2"), escaped=True)

    run = w.invoke(sqs_event(good_first, bad, good_after))

    run.assert_ok()
    assert run.failures == [bad["messageId"]]
    _assert_rejected(run, bad["messageId"], field)
    assert w.received("db.rej.good") == 2, "the other records were not all processed"
    assert w.raw_collection("db.rej.bad") == before, "the rejected message touched its row"
    assert w.export_state_messages() == []


def test_every_bad_field_is_named(world: World):
    w = world
    w.put_collection("db.rej.many", "Exported", exported=5)
    bad = record(
        w.message("db.rej.many", correlation_id=None, snapshot_type="", export_date=MISSING)
    )

    run = w.invoke(sqs_event(bad))

    run.assert_ok()
    assert run.failures == [bad["messageId"]]
    _assert_rejected(run, bad["messageId"], "correlation_id", "snapshot_type", "export_date")
    assert w.received("db.rej.many") == 0


@pytest.mark.parametrize(
    "body", ["{not json", "", "[1, 2", '"just a string"', "[]", "42"],
    ids=["broken", "empty", "truncated-array", "json-string", "json-array", "json-number"],
)
def test_body_that_is_not_a_json_message_is_rejected(world: World, body: str):
    w = world
    w.put_collection("db.rej.json", "Exported", exported=5)
    bad = record(body)
    good = record(w.message("db.rej.json", file_name="g"))

    run = w.invoke(sqs_event(bad, good))

    run.assert_ok()
    assert run.failures == [bad["messageId"]]
    assert len(run.errors_naming(bad["messageId"])) == 1, run.describe()
    assert w.received("db.rej.json") == 1


def test_collection_row_that_does_not_exist(world: World):
    w = world
    w.put_collection("db.rej.exists", "Exported", exported=5)
    bad = record(w.message("db.rej.missing", file_name="m"))
    bad_success = record(w.success_message("db.rej.missing.too"))
    good = record(w.message("db.rej.exists", file_name="e"))

    run = w.invoke(sqs_event(bad, good, bad_success))

    run.assert_ok()
    assert run.failures == [bad["messageId"], bad_success["messageId"]]
    assert len(run.errors_naming(bad["messageId"])) == 1, run.describe()
    assert len(run.errors_naming(bad_success["messageId"])) == 1, run.describe()
    assert w.raw_collection("db.rej.missing") is None, "a half row was created"
    assert w.raw_collection("db.rej.missing.too") is None, "a half row was created"
    assert w.received("db.rej.exists") == 1
    assert len(w.all_items()) == 1


def test_fifo_source_reports_first_failure_and_everything_after(world: World):
    w = world
    for name in ("db.fifo.a", "db.fifo.b", "db.fifo.c"):
        w.put_collection(name, "Exported", exported=5)
    first = record(w.message("db.fifo.a", file_name="a"), source_arn=FIFO_SOURCE_ARN)
    bad = record(w.message("db.fifo.a", export_date=""), source_arn=FIFO_SOURCE_ARN)
    later = record(w.message("db.fifo.b", file_name="b"), source_arn=FIFO_SOURCE_ARN)
    last = record(w.message("db.fifo.c", file_name="c"), source_arn=FIFO_SOURCE_ARN)

    run = w.invoke(sqs_event(first, bad, later, last))

    run.assert_ok()
    assert run.failures == [bad["messageId"], later["messageId"], last["messageId"]]
    assert w.received("db.fifo.a") == 1
    assert w.received("db.fifo.b") == 0, "a record after the failed one was processed"
    assert w.received("db.fifo.c") == 0, "a record after the failed one was processed"


def test_fifo_source_failure_on_a_missing_row_stops_the_rest(world: World):
    w = world
    w.put_collection("db.fifo2.b", "Exported", exported=5)
    bad = record(w.message("db.fifo2.none"), source_arn=FIFO_SOURCE_ARN)
    later = record(w.message("db.fifo2.b", file_name="b"), source_arn=FIFO_SOURCE_ARN)

    run = w.invoke(sqs_event(bad, later))

    run.assert_ok()
    assert run.failures == [bad["messageId"], later["messageId"]]
    assert w.received("db.fifo2.b") == 0


def test_standard_source_processes_records_after_a_failure(world: World):
    w = world
    for name in ("db.std.a", "db.std.b"):
        w.put_collection(name, "Exported", exported=5)
    bad = record(w.message("db.std.a", collection_name=None))
    later = record(w.message("db.std.b", file_name="b"))

    run = w.invoke(sqs_event(bad, later))

    run.assert_ok()
    assert run.failures == [bad["messageId"]]
    assert w.received("db.std.b") == 1
    assert w.received("db.std.a") == 0


def test_fifo_batch_without_failures(world: World):
    w = world
    w.put_collection("db.fifo3.a", "Exported", exported=5)
    run = w.invoke(
        sqs_event(
            *(record(w.message("db.fifo3.a", file_name=f"f{i}"), source_arn=FIFO_SOURCE_ARN)
              for i in range(3))
        )
    )
    run.assert_ok()
    assert run.failures == []
    assert w.received("db.fifo3.a") == 3
