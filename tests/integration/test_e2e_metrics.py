"""SPEC section 7: what the binary pushes to the real push gateway."""

from __future__ import annotations

import json

import stack as stack_lib

from e2e_helpers import (
    COMPONENT,
    JOB,
    SERIES,
    World,
    record,
    series_entries,
    series_total,
    sqs_event,
    world,  # noqa: F401  (fixture)
)

FILES = "snapshot_sender_status_checker_files_received_total"
TIME = "snapshot_sender_status_checker_message_processing_time"
RECEIVED = "snapshot_sender_status_checker_collections_received_total"
SUCCESSFUL = "snapshot_sender_status_checker_collections_successful_total"
ALL_RECEIVED = "snapshot_sender_status_checker_all_collections_received_total"
ALL_SUCCESSFUL = "snapshot_sender_status_checker_all_collections_succesful_total"


def _check_group_labels(w: World, groups: list[dict]) -> None:
    assert groups, "nothing on the push gateway for the run"
    for group in groups:
        labels = group["labels"]
        assert labels["job"] == JOB
        assert labels["component"] == COMPONENT
        assert labels["correlation_id"] == w.correlation_id
        assert labels.get("instance"), f"group without an instance label: {labels}"
        assert set(labels) == {"job", "component", "correlation_id", "instance"}, labels


def _check_series_labels(w: World, groups: list[dict]) -> None:
    for name, (kind, has_collection) in SERIES.items():
        for group in groups:
            family = group.get(name)
            if not family:
                continue
            assert family["type"] == kind, f"{name} is a {family['type']}, not a {kind}"
            for entry in family["metrics"]:
                labels = entry["labels"]
                assert labels["correlation_id"] == w.correlation_id, (name, labels)
                assert labels["export_date"] == w.export_date, (name, labels)
                assert labels["snapshot_type"] == w.snapshot_type, (name, labels)
                assert ("collection_name" in labels) == has_collection, (name, labels)


def test_six_series_with_their_labels(world: World):
    """A run that goes the whole way, with the final deletion held off long enough
    to read the gateway: every series of the dashboards is there, correctly labelled."""
    w = world
    w.put_collection("db.met.a", "Exported", exported=2, sent=2)
    w.put_collection("db.met.b", "Sent", exported=1, sent=1)

    w.deliver(w.message("db.met.a", file_name="a1"))
    groups = w.groups()
    _check_group_labels(w, groups)
    _check_series_labels(w, groups)
    assert series_total(groups, FILES, collection_name="db.met.a") == 1
    assert series_total(groups, TIME) >= 1

    w.deliver(w.message("db.met.a", file_name="a2"), w.message("db.met.b", file_name="b1"))
    w.deliver(w.success_message("db.met.a"))
    # Not the last success file: the run is not finished and nothing is deleted.
    groups = w.groups()
    _check_group_labels(w, groups)
    _check_series_labels(w, groups)
    missing = [s for s in SERIES if s != ALL_SUCCESSFUL and not series_entries(groups, s)]
    assert missing == [], f"series not on the gateway: {missing}"
    assert series_total(groups, FILES, collection_name="db.met.a") == 2
    assert series_total(groups, FILES, collection_name="db.met.b") == 1
    assert series_total(groups, RECEIVED) == 2
    assert series_total(groups, ALL_RECEIVED) == 1
    assert series_total(groups, SUCCESSFUL) == 1
    assert series_total(groups, TIME) == 4  # one observation per message


def test_counts_of_separate_invocations_add_up(world: World):
    """Each invocation is a container of its own; none overwrites another's counts."""
    w = world
    w.put_collection("db.sum.a", "Exported", exported=10)

    for i in range(4):
        w.deliver(w.message("db.sum.a", file_name=f"f{i}"))

    groups = w.groups()
    _check_group_labels(w, groups)
    assert series_total(groups, FILES, collection_name="db.sum.a") == 4
    assert series_total(groups, TIME) == 4


def test_pushed_when_processing_failed(world: World):
    w = world
    # The row does not exist: processing the message fails, the metrics are pushed anyway.
    bad = record(w.message("db.fail.none", file_name="x"))

    run = w.invoke(sqs_event(bad))

    run.assert_ok()
    assert run.failures == [bad["messageId"]]
    groups = w.groups()
    _check_group_labels(w, groups)
    _check_series_labels(w, groups)
    assert series_total(groups, TIME) >= 1
    assert series_total(groups, FILES) == 0


def test_pushed_when_an_aws_call_fails(world: World):
    w = world
    w.put_collection("db.fail.queue", "Sent", exported=1, sent=1)
    w.put_collection("db.fail.other", "Sent", exported=3, sent=3)
    queue = w.queue_url.rsplit("/", 1)[0] + "/no-such-queue.fifo"

    run = w.invoke(
        sqs_event(record(w.message("db.fail.queue", file_name="x"))),
        env=w.env(EXPORT_STATE_SQS_QUEUE_URL=queue),
    )

    assert run.rc in (0, 1), run.describe()
    if run.rc == 0:
        assert len(run.failures) == 1, run.describe()
    groups = w.groups()
    _check_group_labels(w, groups)
    assert series_total(groups, TIME) >= 1


def test_no_pushgateway_host_means_no_push(world: World):
    w = world
    w.put_collection("db.nopush.a", "Exported", exported=10)

    run = w.invoke(
        sqs_event(record(w.message("db.nopush.a", file_name="f"))),
        env=w.env(PUSHGATEWAY_HOSTNAME=None),
    )

    run.assert_ok()
    assert run.failures == []
    assert w.received("db.nopush.a") == 1
    assert w.groups() == []
    assert [e for e in run.at_level("INFO") if "push" in json.dumps(e).lower()], (
        "no INFO line says metrics are not pushed\n" + run.describe()
    )


def test_unreachable_pushgateway_does_not_fail_the_messages(world: World):
    # Metrics are monitoring: losing them must not send the files to the dead-letter queue.
    w = world
    w.put_collection("db.deadpush.a", "Exported", exported=10)

    run = w.invoke(
        sqs_event(record(w.message("db.deadpush.a", file_name="f"))),
        env=w.env(PUSHGATEWAY_PORT=str(stack_lib.free_port())),
        timeout=60,
    )

    run.assert_ok()
    assert run.failures == []
    assert w.received("db.deadpush.a") == 1


FAILED = "snapshot_sender_status_checker_messages_failed_total"
REJECTED = "snapshot_sender_status_checker_messages_rejected_total"


def test_failed_and_rejected_deliveries_are_counted_per_run(world: World):
    w = world
    w.put_collection("db.cnt.ok", "Exported", exported=9)
    no_date = w.message("db.cnt.ok", file_name="r1")
    del no_date["export_date"]
    run = w.invoke(
        sqs_event(
            record(w.message("db.cnt.ok", file_name="ok")),
            record(w.message("db.cnt.missing", file_name="x")),  # no such row: failed
            record(no_date),  # rejected, under its run
            record("not json at all"),  # rejected, no run: NOT_SET
        )
    )
    run.assert_ok()
    assert len(run.failures) == 3, run.describe()

    groups = w.groups()
    _check_group_labels(w, groups)
    assert series_total(groups, FAILED, export_date=w.export_date) == 1
    assert series_total(groups, REJECTED, export_date="NOT_SET") == 1
    assert series_total(groups, FILES) == 1
    # The six series keep their names and labels.
    _check_series_labels(w, groups)

    # A message with no run is pushed in a group of its own (other tests' may be there too).
    assert series_total(w.groups("NOT_SET"), REJECTED, snapshot_type="NOT_SET") >= 1
