"""SPEC section 9 (every log line under 256 KB, valid JSON, long values cut and the line
says so) and section 7 (the push refuses label values no gateway takes, with a WARNING),
driven through the binary with a 1 MB file_name and a 1 MB correlation id."""

from __future__ import annotations

from e2e_helpers import World, record, sqs_event, world  # noqa: F401  (fixture)

MEGABYTE = 1024 * 1024
CLOUDWATCH_EVENT_LIMIT = 256 * 1024


def _check_every_line_fits(run) -> list[dict]:
    for line in run.log_lines:
        assert len(line.encode()) < CLOUDWATCH_EVENT_LIMIT, f"a line of {len(line)} bytes"
    return run.logs  # each line parsed: valid JSON


def test_a_megabyte_file_name_is_counted_and_cut_in_every_line(world: World):
    w = world
    w.put_collection("db.big.file", "Exported", exported=2)
    file_name = "f" * MEGABYTE

    run = w.invoke(sqs_event(record(w.message("db.big.file", file_name=file_name))))

    run.assert_ok()
    assert run.failures == [], run.describe()[:2000]
    assert w.received("db.big.file") == 1
    logs = _check_every_line_fits(run)
    with_file = [e for e in logs if "file_name" in e]
    assert with_file, "no line names the file"
    for entry in with_file:
        assert entry["file_name"].endswith(f" [cut: {MEGABYTE} bytes, the first 16384 shown]")
        assert "file_name" in entry["cut_fields"].split(",")


def test_a_megabyte_correlation_id_fails_its_message_in_short_lines_and_pushes_nothing(
    world: World,
):
    w = world
    correlation_id = "c" * MEGABYTE
    message = w.message("db.big.run", file_name="f", correlation_id=correlation_id)

    run = w.invoke(sqs_event(record(message)))

    # No row has that key (DynamoDB refuses a key over 2048 bytes): the message fails alone.
    run.assert_ok()
    assert len(run.failures) == 1, run.describe()[:2000]
    logs = _check_every_line_fits(run)
    errors = [e for e in logs if e["log_level"] == "ERROR"]
    assert errors, "the failure has no ERROR line"
    assert all(e["correlation_id"].endswith(f"[cut: {MEGABYTE} bytes, the first 16384 shown]")
               for e in errors if "correlation_id" in e)
    refused = [e for e in logs if e["log_level"] == "WARNING"
               and e["message"].startswith("Metric not recorded: its label correlation_id is")]
    assert refused, f"no WARNING about the label\n{run.describe()[:4000]}"
    assert "Out of memory" not in run.stderr
    assert not [e for e in logs if e["message"] == "Pushing metrics failed"]
    assert [g for g in w.stack.pushgateway_groups()
            if len(g["labels"].get("correlation_id", "")) > 2048] == []
