"""SPEC section 10: `status --correlation-id ID [--output text|json]` on runs that the
binary itself left in each state, against the real emulators; read-only; exit codes."""

from __future__ import annotations

import json
import time
from typing import Any

from e2e_helpers import (  # noqa: F401  (world is a fixture)
    Run,
    World,
    any_world,
    record,
    run_binary,
    series_total,
    sqs_event,
    wait_until,
    world,
)

INVOKE_TIMEOUT_SECONDS = 4  # the mark's deadline: short, so that a test can see it pass


def status(w: World, *args: str, env: dict[str, str] | None = None,
           correlation_id: str | None = None) -> Run:
    return run_binary(
        w.binary,
        ["status", "--correlation-id", correlation_id or w.correlation_id, *args],
        env or w.env(),
    )


def status_json(w: World, **kwargs: Any) -> dict:
    run = status(w, "--output", "json", **kwargs)
    assert run.rc == 0, run.describe()
    return run.response


def by_name(report: dict) -> dict[str, dict]:
    return {c["collection_name"]: c for c in report["collections"]}


def snapshot(w: World) -> tuple:
    items = sorted(json.dumps(i, sort_keys=True) for i in w.all_items())
    return items, w.product()


def missing_queue(w: World) -> str:
    return f"{w.stack.moto_url}/123456789012/{w.correlation_id}-missing.fifo"


def mark_until_ms(w: World, collection: str) -> int:
    """The deadline (epoch ms) of the pending-effects mark the collection's row carries: the
    binary's own, taken when it started its invocation, which the test cannot know."""
    row = w.collection(collection)
    assert "PendingEffectsUntil" in row, f"{collection} carries no mark: {row}"
    return int(row["PendingEffectsUntil"])


def wait_past_mark(until_ms: int) -> None:
    """Sleeps until the clock is past the mark: a command started after it sees it passed
    (its time must be later than until_ms, and it reads the clock after it starts)."""
    while (left_s := (until_ms + 1) / 1000 - time.time()) > 0:
        time.sleep(left_s)


def fail_received_effects(w: World, collection: str, files: int) -> int:
    """Delivers the collection's files with the export-state queue missing: the binary
    moves the row to Received and its send fails. Returns the mark's deadline (epoch ms)."""
    env = w.env(EXPORT_STATE_SQS_QUEUE_URL=missing_queue(w))
    bodies = [w.message(collection, file_name=f"{collection}-{i}") for i in range(files)]
    run = w.invoke(sqs_event(*(record(b) for b in bodies)), env=env,
                   args=["--timeout-seconds", str(INVOKE_TIMEOUT_SECONDS)])
    run.assert_ok()
    assert len(run.failures) == 1, run.describe()
    assert w.status(collection) == "Received"
    return mark_until_ms(w, collection)


def test_a_run_in_progress_is_in_progress_and_absent_numbers_are_null(any_world: World):
    w = any_world  # also on dynalite, which validates requests as DynamoDB does
    w.put_collection("db.prog.a", "Sent", exported=3, sent=3)
    w.put_collection("db.prog.b", "Exported", exported=2)
    # Without a file name: no receipt, whose transaction dynalite does not have.
    w.deliver(w.message("db.prog.a"))

    report = status_json(w)

    assert report["correlation_id"] == w.correlation_id
    assert report["verdict"] == "in_progress"
    assert report["product_status"] is None
    a, b = by_name(report)["db.prog.a"], by_name(report)["db.prog.b"]
    assert (a["status"], a["files_exported"], a["files_sent"], a["files_received"]) == (
        "Sent", 3, 3, 1)
    assert a["verdict"] == "waiting_for_files"
    assert "1 of 3 exported files received" in a["detail"]
    assert (b["files_sent"], b["files_received"], b["verdict"]) == (None, None, "waiting_for_files")


def test_a_finished_run_is_complete(any_world: World):
    w = any_world
    w.put_collection("db.done.a", "Sent", exported=2, sent=2)
    w.put_collection("db.done.b", "Sent", exported=1, sent=1)
    w.deliver(w.message("db.done.a"), w.message("db.done.a"), w.message("db.done.b"))
    w.deliver(w.success_message("db.done.a"))
    w.deliver(w.success_message("db.done.b"))

    report = status_json(w)

    assert report["verdict"] == "complete"
    assert report["product_status"] == "COMPLETED"
    for c in report["collections"]:
        assert (c["status"], c["verdict"]) == ("Success", "successful")
        assert "success side effects done by delivery 1 of message" in c["detail"], c["detail"]
    assert [c["files_received"] for c in report["collections"]] == [2, 1]


def test_received_collection_waits_for_its_success_file(world: World):
    w = world
    w.put_collection("db.wait.a", "Sent", exported=1, sent=1)
    w.put_collection("db.wait.b", "Sent", exported=5, sent=5)
    w.deliver(w.message("db.wait.a", file_name="a-0"))

    report = status_json(w)

    a = by_name(report)["db.wait.a"]
    assert a["verdict"] == "waiting_for_success_file"
    assert "Received side effects done by delivery 1 of message" in a["detail"]
    assert a["pending_effects"] is None
    assert report["verdict"] == "in_progress"


def test_failed_send_is_effects_unfinished_then_stuck_once_its_time_passed(world: World):
    w = world
    w.put_collection("db.fail.a", "Sent", exported=2, sent=2)
    w.put_collection("db.fail.b", "Sent", exported=4, sent=4)
    until_ms = fail_received_effects(w, "db.fail.a", 2)

    live = status_json(w)
    a = by_name(live)["db.fail.a"]
    assert a["verdict"] == "effects_unfinished"
    assert a["pending_effects"]["passed"] is False
    assert "Received side effects" in a["detail"] and "has not passed" in a["detail"], a["detail"]
    assert live["verdict"] == "in_progress"

    wait_past_mark(until_ms)
    stuck = status_json(w)
    a = by_name(stuck)["db.fail.a"]
    assert a["verdict"] == "effects_unfinished"
    assert a["pending_effects"]["passed"] is True
    assert "that time has passed" in a["detail"], a["detail"]
    assert stuck["verdict"] == "stuck"


def test_failed_success_effects_are_effects_unfinished_of_the_success_stage(world: World):
    w = world
    w.put_collection("db.sfail.a", "Sent", exported=1, sent=1)
    w.deliver(w.message("db.sfail.a", file_name="a-0"))
    # The product table goes missing: the success transition is made, its effects fail.
    env = w.env(DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME=w.product_table + "-missing")
    run = w.invoke(sqs_event(record(w.success_message("db.sfail.a"))), env=env,
                   args=["--timeout-seconds", str(INVOKE_TIMEOUT_SECONDS)])
    assert run.failures and w.status("db.sfail.a") == "Success", run.describe()

    a = by_name(status_json(w))["db.sfail.a"]

    assert a["verdict"] == "effects_unfinished"
    assert "success side effects" in a["detail"], a["detail"]


def test_export_failed_is_not_eligible_and_the_run_stuck(world: World):
    w = world
    w.put_collection("db.bad.a", "Sent", exported=1, sent=1)
    w.put_collection("db.bad.b", "Export_Failed", exported=3)
    w.deliver(w.message("db.bad.a", file_name="a-0"))
    w.deliver(w.message("db.bad.b", file_name="b-0"))  # counted, never moved

    report = status_json(w)

    b = by_name(report)["db.bad.b"]
    assert (b["status"], b["files_received"], b["verdict"]) == ("Export_Failed", 1, "not_eligible")
    assert "will not move" in b["detail"]
    assert by_name(report)["db.bad.a"]["verdict"] == "waiting_for_success_file"
    assert report["verdict"] == "stuck"


def test_successful_collections_with_product_not_completed_is_stuck(world: World):
    w = world
    w.put_collection("db.prod.a", "Sent", exported=1, sent=1)
    w.deliver(w.message("db.prod.a", file_name="a-0"))
    w.deliver(w.success_message("db.prod.a"))
    assert status_json(w)["verdict"] == "complete"
    # Another system (the product table is shared) sets the product back.
    w.dynamodb.update_item(
        TableName=w.product_table,
        Key={"Correlation_Id": {"S": w.correlation_id}, "DataProduct": {"S": "SNAPSHOT_SENDER"}},
        UpdateExpression="SET #s = :s", ExpressionAttributeNames={"#s": "Status"},
        ExpressionAttributeValues={":s": {"S": "RECEIVED"}})

    report = status_json(w)

    assert by_name(report)["db.prod.a"]["verdict"] == "successful"
    assert (report["product_status"], report["verdict"]) == ("RECEIVED", "stuck")


def test_status_reads_only(world: World):
    w = world
    w.put_collection("db.ro.a", "Sent", exported=1, sent=1)
    w.put_collection("db.ro.b", "Sent", exported=2, sent=2)
    fail_received_effects(w, "db.ro.a", 1)
    before = snapshot(w)

    for output in ("text", "json"):
        assert status(w, "--output", output).rc == 0

    assert snapshot(w) == before


def test_text_output_is_a_table_with_every_collection(world: World):
    w = world
    w.put_collection("db.text.a", "Sent", exported=3, sent=3)
    w.put_collection("db.text.long_collection_name", "Export_Failed")
    w.deliver(w.message("db.text.a", file_name="a-0"))

    run = status(w)

    assert run.rc == 0, run.describe()
    lines = run.stdout.splitlines()
    assert lines[0] == f"Run {w.correlation_id}: stuck"
    assert lines[1].startswith("Product: no product status item yet")
    header = next(i for i, line in enumerate(lines) if line.startswith("COLLECTION"))
    assert lines[header].split() == ["COLLECTION", "STATUS", "EXPORTED", "SENT", "RECEIVED",
                                     "VERDICT"]
    rows = [line.split() for line in lines[header + 1:] if not line.startswith(" ")]
    assert rows == [["db.text.a", "Sent", "3", "3", "1", "waiting_for_files"],
                    ["db.text.long_collection_name", "Export_Failed", "-", "-", "-",
                     "not_eligible"]]
    # Columns line up: every row's verdict starts where the header's does.
    column = lines[header].index("VERDICT")
    for line in lines[header + 1:]:
        if not line.startswith(" "):
            assert line[column - 2:column] == "  " and line[column] != " ", line
    print(run.stdout)


def test_unknown_run_exits_3(world: World):
    w = world
    w.put_collection("db.other.a", "Sent", exported=1)

    run = status(w, correlation_id=w.correlation_id + "-nope")

    assert run.rc == 3, run.describe()
    assert w.correlation_id + "-nope" in run.stdout
    assert run.logs  # stderr is JSON lines


def test_unknown_run_with_json_output_answers_json(world: World):
    w = world
    w.put_collection("db.other.a", "Sent", exported=1)

    run = status(w, "--output", "json", correlation_id=w.correlation_id + "-nope")

    assert run.rc == 3, run.describe()
    answer = json.loads(run.stdout)
    assert list(answer) == ["error"], answer
    assert w.correlation_id + "-nope" in answer["error"]


def test_aws_failure_exits_1(world: World):
    w = world
    run = status(w, env=w.env(DYNAMO_DB_EXPORT_STATUS_TABLE_NAME=w.export_table + "-missing"))

    assert run.rc == 1, run.describe()
    assert run.errors_naming("ResourceNotFoundException")


def test_bad_usage_or_configuration_exits_2(world: World):
    w = world
    w.put_collection("db.usage.a", "Sent", exported=1)
    assert status(w, "--output", "xml").rc == 2
    assert run_binary(w.binary, ["status"], w.env()).rc == 2
    assert run_binary(w.binary, ["status", "--correlation-id", ""], w.env()).rc == 2
    assert status(w, env=w.env(LOG_LEVEL="LOUD")).rc == 2


def test_status_needs_neither_the_topic_nor_the_queue(world: World):
    w = world
    w.put_collection("db.cfg.a", "Sent", exported=1)

    run = status(w, env=w.env(MONITORING_SNS_TOPIC_ARN=None, EXPORT_STATE_SQS_QUEUE_URL=None))

    assert run.rc == 0, run.describe()


# --- resend-export-state ------------------------------------------------------


def resend(w: World, collection: str, *args: str, env: dict[str, str] | None = None) -> Run:
    return run_binary(
        w.binary,
        ["resend-export-state", "--correlation-id", w.correlation_id, "--collection-name",
         collection, "--snapshot-type", w.snapshot_type, "--export-date", w.export_date, *args],
        env or w.env(),
    )


def test_resend_asks_again_for_a_received_collections_success_file(world: World):
    from e2e_helpers import export_state_body

    w = world
    w.put_collection("db.re.a", "Sent", exported=1, sent=1)
    w.put_collection("db.re.b", "Sent", exported=3, sent=3)
    w.deliver(w.message("db.re.a", file_name="a-0"))
    first = w.export_state_messages(expect=1)
    before = snapshot(w)

    # Within seconds of the Lambda's own request: a reused id would be swallowed by SQS.
    run = resend(w, "db.re.a", env=w.env(MONITORING_SNS_TOPIC_ARN=None))

    assert run.rc == 0, run.describe()
    again = w.export_state_messages(expect=1)
    assert [m["body"] for m in again] == [m["body"] for m in first]
    assert json.loads(again[0]["body"]) == export_state_body(w, "db.re.a")
    assert again[0]["group"] == "db_re_a"
    assert "Asked the snapshot sender again" in run.stdout
    assert [e for e in run.at_level("INFO") if "sent again" in e["message"]
            and e.get("collection_name") == "db.re.a" and e.get("deduplication_id")]
    assert snapshot(w) == before  # asks, writes nothing


def test_resend_twice_sends_one_message(world: World):
    w = world
    w.put_collection("db.twice.a", "Sent", exported=1, sent=1)
    w.deliver(w.message("db.twice.a", file_name="a-0"))
    w.export_state_messages(expect=1)

    runs = [resend(w, "db.twice.a", "--deduplication-id", "op-retry-1") for _ in range(2)]

    assert [r.rc for r in runs] == [0, 0], runs[1].describe()
    assert len(w.export_state_messages(expect=2, timeout=2.0)) == 1


def test_resend_refuses_when_the_collection_is_not_waiting_for_its_success_file(world: World):
    w = world
    w.put_collection("db.no.files", "Sent", exported=3, sent=3)
    w.put_collection("db.no.failed", "Export_Failed", exported=3)
    w.put_collection("db.no.unfinished", "Sent", exported=1, sent=1)
    fail_received_effects(w, "db.no.unfinished", 1)
    before = snapshot(w)

    for collection, verdict in (("db.no.files", "waiting_for_files"),
                                ("db.no.failed", "not_eligible"),
                                ("db.no.unfinished", "effects_unfinished")):
        run = resend(w, collection)
        assert run.rc == 4, run.describe()
        assert "Refused" in run.stdout and verdict in run.stdout, run.stdout
        assert run.errors_naming("Refused", collection)

    missing = resend(w, "db.no.such")
    assert missing.rc == 3, missing.describe()
    assert w.export_state_messages(expect=0, timeout=1.0) == []
    assert snapshot(w) == before


def test_resend_needs_the_queue(world: World):
    w = world
    w.put_collection("db.q.a", "Received", exported=1, sent=1, received=1)
    run = resend(w, "db.q.a", env=w.env(EXPORT_STATE_SQS_QUEUE_URL=None))
    assert run.rc == 2 and "EXPORT_STATE_SQS_QUEUE_URL" in run.stderr, run.describe()


# --- finish-effects -----------------------------------------------------------


def finish(w: World, *args: str, env: dict[str, str] | None = None) -> Run:
    return run_binary(
        w.binary,
        ["finish-effects", "--correlation-id", w.correlation_id, "--snapshot-type",
         w.snapshot_type, "--export-date", w.export_date, *args],
        env or w.env(),
    )


def test_finish_effects_moves_a_stuck_run_on_and_is_safe_twice(world: World):
    from e2e_helpers import RECEIVED_TEXT, export_state_body, monitoring_body

    w = world
    w.put_collection("db.fin.a", "Sent", exported=2, sent=2)
    wait_past_mark(fail_received_effects(w, "db.fin.a", 2))
    assert status_json(w)["verdict"] == "stuck"

    run = finish(w)

    assert run.rc == 0, run.describe()
    assert "Finished the Received side effects" in run.stdout, run.stdout
    assert [json.loads(m["body"]) for m in w.export_state_messages(expect=1)] == [
        export_state_body(w, "db.fin.a")]
    assert [json.loads(n) for n in w.notifications(expect=1)] == [monitoring_body(w, RECEIVED_TEXT)]
    assert w.product()["Status"] == "RECEIVED"
    # What it finished is counted once, on the push gateway, as a redelivery would have.
    groups = w.groups()
    assert series_total(groups, "snapshot_sender_status_checker_collections_received_total") == 1
    assert series_total(groups,
                        "snapshot_sender_status_checker_all_collections_received_total") == 1
    row = w.collection("db.fin.a")
    assert "PendingEffectsUntil" not in row and "PendingEffectsOwner" not in row
    report = status_json(w)
    assert by_name(report)["db.fin.a"]["verdict"] == "waiting_for_success_file"
    assert "done by the operator's finish-effects" in by_name(report)["db.fin.a"]["detail"]
    assert report["verdict"] == "in_progress"
    assert [e for e in run.at_level("INFO") if e["message"].startswith("Finished")
            and e.get("collection_name") == "db.fin.a"]

    before = snapshot(w)
    again = finish(w)
    assert again.rc == 4, again.describe()
    assert "nothing is unfinished" in again.stdout
    assert snapshot(w) == before
    assert w.export_state_messages(expect=0, timeout=1.0) == []
    assert w.notifications(expect=0, timeout=1.0) == []

    # The failed message's redelivery finds the effects done and sends nothing more.
    w.deliver(w.message("db.fin.a", file_name="db.fin.a-1"))
    assert snapshot(w) == before
    assert w.notifications(expect=0, timeout=1.0) == []


def test_finish_effects_completes_a_run_whose_success_effects_failed(world: World):
    from e2e_helpers import SUCCESSFUL_TEXT, monitoring_body

    w = world
    w.put_collection("db.fins.a", "Sent", exported=1, sent=1)
    w.deliver(w.message("db.fins.a", file_name="a-0"))
    w.notifications(expect=1)
    env = w.env(DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME=w.product_table + "-missing")
    failed = w.invoke(sqs_event(record(w.success_message("db.fins.a"))), env=env,
                      args=["--timeout-seconds", str(INVOKE_TIMEOUT_SECONDS)])
    assert failed.failures, failed.describe()
    wait_past_mark(mark_until_ms(w, "db.fins.a"))
    assert status_json(w)["verdict"] == "stuck"
    assert w.groups(), "the deliveries pushed the run's metrics"

    run = finish(w, "--collection-name", "db.fins.a")

    assert run.rc == 0, run.describe()
    assert "Finished the success side effects" in run.stdout, run.stdout
    assert [json.loads(n) for n in w.notifications(expect=1)] == [
        monitoring_body(w, SUCCESSFUL_TEXT)]
    report = status_json(w)
    assert (report["verdict"], report["product_status"]) == ("complete", "COMPLETED")
    # The run finished: its metrics are deleted after the scrape wait, as the Lambda does.
    assert wait_until(lambda: w.groups() == [], timeout=5.0)
    assert [e for e in run.at_level("INFO") if e["message"] == "Metrics of the finished run deleted"]


def test_finish_effects_refuses_a_live_owners_effects_and_a_run_without_any(world: World):
    w = world
    w.put_collection("db.live.a", "Sent", exported=1, sent=1)
    w.put_collection("db.live.b", "Sent", exported=3, sent=3)
    # A deadline far ahead: the owner may still be at work.
    env = w.env(EXPORT_STATE_SQS_QUEUE_URL=missing_queue(w))
    w.invoke(sqs_event(record(w.message("db.live.a", file_name="a-0"))), env=env,
             args=["--timeout-seconds", "600"]).assert_ok()
    before = snapshot(w)

    live = finish(w)
    assert live.rc == 4, live.describe()
    assert "wait until their owner's time has passed" in live.stdout, live.stdout
    assert "db.live.a" in live.stdout
    assert finish(w, "--collection-name", "db.live.b").rc == 4
    assert finish(w, "--collection-name", "db.live.none").rc == 3
    assert snapshot(w) == before
    assert w.export_state_messages(expect=0, timeout=1.0) == []


def test_finish_effects_needs_the_topic_and_the_queue(world: World):
    w = world
    w.put_collection("db.fcfg.a", "Sent", exported=1)
    run = finish(w, env=w.env(MONITORING_SNS_TOPIC_ARN=None))
    assert run.rc == 2 and "MONITORING_SNS_TOPIC_ARN" in run.stderr, run.describe()


def test_status_reads_every_page_of_the_run(any_world: World):
    w = any_world
    padding = "p" * 300_000  # another system's wide attribute: 4 rows fill a 1 MB page
    names = [f"db.page.c{i:02d}" for i in range(6)]
    for name in names[:-1]:
        w.put_collection(name, "Success", exported=1, sent=1, received=1, Padding=padding)
    w.put_collection(names[-1], "Export_Failed", exported=1, Padding=padding)  # the last page
    first_page = w.dynamodb.query(
        TableName=w.export_table, KeyConditionExpression="CorrelationId = :c",
        ExpressionAttributeValues={":c": {"S": w.correlation_id}}, ConsistentRead=True)
    assert "LastEvaluatedKey" in first_page, "the run must span pages for this test"

    report = status_json(w)

    assert [c["collection_name"] for c in report["collections"]] == names
    assert by_name(report)[names[-1]]["verdict"] == "not_eligible"
    assert report["verdict"] == "stuck"


def listed(run: Run) -> list[str]:
    """The collections the text's table lists, in order."""
    lines = run.stdout.splitlines()
    header = next((i for i, line in enumerate(lines) if line.startswith("COLLECTION")), None)
    if header is None:
        return []
    return [line.split()[0] for line in lines[header + 1:] if not line.startswith(" ")]


def test_text_counts_every_verdict_and_lists_what_is_asked_for(world: World):
    w = world
    for i in range(3):
        w.put_collection(f"db.list.ok{i}", "Success", exported=1, sent=1, received=1)
    w.put_collection("db.list.waiting", "Sent", exported=2, sent=2, received=1)
    w.put_collection("db.list.failed", "Export_Failed")

    default = status(w)
    everything = status(w, "--all")
    only = status(w, "--verdict", "waiting_for_files")

    assert default.rc == everything.rc == only.rc == 0, default.describe()
    assert "\nVerdicts: 1 waiting_for_files, 3 successful, 1 not_eligible\n" in default.stdout
    assert listed(default) == ["db.list.failed", "db.list.waiting"]
    assert sorted(listed(everything)) == ["db.list.failed", "db.list.ok0", "db.list.ok1",
                                         "db.list.ok2", "db.list.waiting"]
    assert listed(only) == ["db.list.waiting"]
    # JSON keeps every collection, whatever the text lists.
    assert len(status_json(w)["collections"]) == 5


def test_a_collection_waiting_for_files_names_the_missing_files_command(world: World):
    w = world
    w.put_collection("db.next.a b", "Sent", exported=2, sent=2, received=1)

    run = status(w)

    assert run.rc == 0, run.describe()
    command = (f"snapshot-sender-status-checker missing-files --correlation-id {w.correlation_id}"
               " --collection-name 'db.next.a b' --manifest FILE")
    assert f"    next: {command}\n" in run.stdout
    assert status_json(w)["collections"][0]["next_command"] == command


def test_an_unknown_verdict_or_both_filters_is_bad_usage(world: World):
    w = world
    w.put_collection("db.bad.a", "Sent", exported=1)

    for args in (("--verdict", "stuck"), ("--all", "--verdict", "successful")):
        run = status(w, *args)
        assert run.rc == 2, run.describe()
