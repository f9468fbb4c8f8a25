"""SPEC section 4 (success files) and the end of a run (section 7's deletion)."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from e2e_helpers import (
    SERIES,
    SUCCESSFUL_TEXT,
    World,
    any_world,  # noqa: F401  (fixture)
    as_pairs,
    make_world,
    monitoring_body,
    ordered,
    record,
    sqs_event,
    wait_until,
    world,  # noqa: F401  (fixture)
)


@pytest.mark.parametrize("status", ["Received", "Sent"])
def test_success_file_moves_collection_to_success(any_world: World, status: str):
    w = any_world
    w.put_collection("db.ok.coll", status, exported=2, sent=2, received=2)
    w.put_collection("db.ok.other", "Received", exported=1, sent=1, received=1)

    run = w.deliver(w.success_message("db.ok.coll"))

    assert run.failures == [], run.describe()
    row = w.collection("db.ok.coll")
    assert row["CollectionStatus"] == "Success"
    # A success file is not a data file: nothing is counted, nothing sent to the queue.
    assert row["FilesReceived"] == 2
    assert w.export_state_messages() == []
    assert w.notifications() == []
    assert w.product() is None


@pytest.mark.parametrize(
    "status", ["Exporting", "Exported", "Export_Failed", "Table_Unavailable", "Blocked_Topic"]
)
def test_success_file_for_other_statuses_changes_nothing(world: World, status: str):
    w = world
    w.put_collection("db.no.coll", status, exported=2, sent=2, received=2)

    run = w.deliver(w.success_message("db.no.coll"))

    assert run.failures == [], run.describe()
    assert w.status("db.no.coll") == status
    assert w.received("db.no.coll") == 2
    assert w.notifications() == []
    assert w.product() is None


def test_success_file_for_collection_already_successful_repeats_nothing(world: World):
    w = world
    w.put_collection("db.again.a", "Success", exported=1, sent=1, received=1)
    w.put_collection("db.again.b", "Success", exported=1, sent=1, received=1)

    run = w.deliver(w.success_message("db.again.a"))

    assert run.failures == [], run.describe()
    assert w.status("db.again.a") == "Success"
    # The transition was made (and notified) by whoever made it, not by a repeat.
    assert w.notifications() == []


def test_late_messages_of_a_finished_run_leave_nothing_on_the_gateway(world: World):
    """A _success file delivered again, and a file, after the run finished: nothing
    changes, and what their invocations push is deleted again (SPEC 7)."""
    w = world
    w.put_collection("db.late.a", "Success", exported=1, sent=1, received=1)
    w.put_collection("db.late.b", "Success", exported=1, sent=1, received=1)

    for message in (w.success_message("db.late.a"), w.message("db.late.b", file_name="late-1")):
        run = w.deliver(message)
        assert run.failures == [], run.describe()
        assert run.seconds >= 1.0, "deleted before the scrape interval"
        assert w.groups() == [], f"a late message's push stayed: {w.groups()}"
    assert w.notifications() == []
    assert w.status("db.late.a") == "Success" and w.status("db.late.b") == "Success"


def test_last_success_file_finishes_the_run(any_world: World):
    w = any_world
    w.settings["METRICS_SCRAPE_INTERVAL_SECONDS"] = "2"
    w.put_collection("db.fin.a", "Success", exported=2, sent=2, received=2)
    w.put_collection("db.fin.b", "Success", exported=1, sent=1, received=1)
    w.put_collection("db.fin.c", "Received", exported=3, sent=3, received=3)

    run = w.deliver(w.success_message("db.fin.c", file_name="_success"))

    assert run.failures == [], run.describe()
    assert w.status("db.fin.c") == "Success"
    notes = w.notifications(expect=1)
    assert len(notes) == 1, notes
    assert ordered(notes[0]) == as_pairs(monitoring_body(w, SUCCESSFUL_TEXT)), notes[0]
    assert json.loads(notes[0])["title_text"] == "Incremental - All collections successful"
    product = w.product()
    assert product["DataProduct"] == "SNAPSHOT_SENDER"
    assert product["Status"] == "COMPLETED"
    assert w.export_state_messages() == []
    # It waited the scrape interval, then deleted everything held for the run.
    assert run.seconds >= 2.0, f"finished after {run.seconds:.2f}s, before the scrape interval"
    assert w.groups() == [], "the run's metrics are still on the push gateway"


def test_a_run_from_first_file_to_completed(world: World, tmp_path):
    """Files, then success files, as SQS delivers them; the gateway is read before
    the final deletion and after it."""
    w = world
    counts = {"db.life.a": 2, "db.life.b": 1}
    for name, files in counts.items():
        w.put_collection(name, "Exported", exported=files, sent=files)

    for name, files in counts.items():
        for i in range(files):
            w.deliver(w.message(name, file_name=f"{name}-{i}"))
    assert w.product()["Status"] == "RECEIVED"
    assert len(w.export_state_messages(expect=2)) == 2

    w.deliver(w.success_message("db.life.a"))
    assert w.status("db.life.a") == "Success"
    assert w.product()["Status"] == "RECEIVED"

    # The last success file: run the binary in the background and read the gateway
    # while it waits out the scrape interval.
    env = w.env(METRICS_SCRAPE_INTERVAL_SECONDS="6")
    event = tmp_path / "event.json"
    event.write_text(json.dumps(sqs_event(record(w.success_message("db.life.b")))))
    out, err = tmp_path / "stdout", tmp_path / "stderr"
    started = time.monotonic()
    with open(out, "w") as stdout_file, open(err, "w") as stderr_file:
        process = subprocess.Popen(
            [str(w.binary), "invoke", "--event", str(event)],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=stdout_file,
            stderr=stderr_file,
        )
        try:

            def all_six():
                groups = w.groups()
                return groups if all(any(g.get(s) for g in groups) for s in SERIES) else None

            held = wait_until(all_six, timeout=5)
            process.wait(timeout=60)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    elapsed = time.monotonic() - started
    stdout, stderr = out.read_text(), err.read_text()

    assert process.returncode == 0, stderr
    assert json.loads(stdout) == {"batchItemFailures": []}
    assert held, f"the gateway never held all six series during the wait: {w.groups()}"
    assert elapsed >= 6.0
    assert w.groups() == []
    assert w.product()["Status"] == "COMPLETED"
    assert {w.status(n) for n in counts} == {"Success"}
    notes = [json.loads(n) for n in w.notifications(expect=2)]
    assert [n["title_text"] for n in notes] == [
        "Incremental - All collections received by NiFi",
        "Incremental - All collections successful",
    ]


def test_two_runs_finishing_in_one_batch_wait_once(stack, ssc_binary):
    """SPEC 7: the scrape-interval wait happens once per invocation, not per message."""
    first = make_world(stack, ssc_binary, "moto")
    second = make_world(stack, ssc_binary, "moto")
    # Both runs live in the first world's tables, as they would in production.
    second.export_table, second.product_table = first.export_table, first.product_table
    second.queue_url, second.topic = first.queue_url, first.topic
    first.put_collection("db.two.a", "Received", exported=1, sent=1, received=1)
    second.put_collection("db.two.b", "Received", exported=1, sent=1, received=1)
    # The push gateway holds something for both runs before they end.
    first.deliver(first.message("db.two.a", file_name="late"))
    second.deliver(second.message("db.two.b", file_name="late"))
    assert first.groups() and second.groups()

    run = first.deliver(
        first.success_message("db.two.a"),
        second.success_message("db.two.b"),
        env=first.env(METRICS_SCRAPE_INTERVAL_SECONDS="4"),
    )

    assert run.failures == [], run.describe()
    assert first.product()["Status"] == "COMPLETED"
    assert second.product()["Status"] == "COMPLETED"
    assert 4.0 <= run.seconds < 7.5, f"took {run.seconds:.2f}s: waited more than once?"
    assert first.groups() == [] and second.groups() == []
