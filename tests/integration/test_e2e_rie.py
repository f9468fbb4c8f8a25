"""The binary as a Lambda custom runtime under AWS's Runtime Interface Emulator:
events in over HTTP, the handler's response back, the tables changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from e2e_helpers import (
    RECEIVED_TEXT,
    SUCCESSFUL_TEXT,
    Rie,
    World,
    monitoring_body,
    record,
    sqs_event,
    world,  # noqa: F401  (fixture)
)


def test_a_run_through_the_emulator(world: World, rie_binary: Path, tmp_path: Path):
    w = world
    w.put_collection("db.rie.a", "Exported", exported=2, sent=2)
    w.put_collection("db.rie.b", "Sent", exported=1, sent=1)
    bad = record(w.message("db.rie.a", correlation_id=""))

    with Rie(rie_binary, w.binary, w.env(), tmp_path / "rie.log") as rie:
        first = rie.invoke(
            sqs_event(
                record(w.message("db.rie.a", file_name="a1")),
                bad,
                record(w.message("db.rie.b", file_name="b1"), escaped=True),
            )
        )
        assert first.status_code == 200, rie.output()
        assert first.json() == {"batchItemFailures": [{"itemIdentifier": bad["messageId"]}]}
        assert w.received("db.rie.a") == 1
        assert w.status("db.rie.b") == "Received"

        # A warm runtime takes the next event.
        second = rie.invoke(sqs_event(record(w.message("db.rie.a", file_name="a2"))))
        assert second.status_code == 200, rie.output()
        assert second.json() == {"batchItemFailures": []}
        assert w.product()["Status"] == "RECEIVED"

        third = rie.invoke(
            sqs_event(record(w.success_message("db.rie.a")), record(w.success_message("db.rie.b")))
        )
        assert third.status_code == 200, rie.output()
        assert third.json() == {"batchItemFailures": []}
        output = rie.output()

    assert {w.status("db.rie.a"), w.status("db.rie.b")} == {"Success"}
    assert w.product()["Status"] == "COMPLETED"
    assert len(w.export_state_messages(expect=2)) == 2
    notes = [json.loads(n) for n in w.notifications(expect=2)]
    assert notes == [monitoring_body(w, RECEIVED_TEXT), monitoring_body(w, SUCCESSFUL_TEXT)]
    assert w.groups() == []
    # The runtime's log lines reach the emulator's output as JSON.
    json_lines = [line for line in output.splitlines() if line.startswith("{")]
    assert json_lines, output
    for line in json_lines:
        json.loads(line)
    assert "testing" not in "".join(json_lines)  # the stack's dummy secret key


def test_bare_message_through_the_emulator(world: World, rie_binary: Path, tmp_path: Path):
    w = world
    w.put_collection("db.rie.bare", "Exported", exported=3)

    with Rie(rie_binary, w.binary, w.env(), tmp_path / "rie.log") as rie:
        response = rie.invoke(w.message("db.rie.bare", file_name="f"))
        assert response.status_code == 200, rie.output()
        assert response.json() == {"batchItemFailures": []}
    assert w.received("db.rie.bare") == 1


def test_failed_bare_message_fails_the_invocation(world: World, rie_binary: Path, tmp_path: Path):
    w = world
    with Rie(rie_binary, w.binary, w.env(), tmp_path / "rie.log") as rie:
        response = rie.invoke(w.message("db.rie.none"))
        output = rie.output()
    # An invocation error: the emulator answers with the runtime's error document.
    body = response.json()
    assert "errorMessage" in body or "errorType" in body, (response.status_code, body, output)
    assert w.raw_collection("db.rie.none") is None


@pytest.mark.parametrize(
    "setting, value",
    [
        ("MONITORING_SNS_TOPIC_ARN", None),
        ("MONITORING_SNS_TOPIC_ARN", "ARN"),
        ("EXPORT_STATE_SQS_QUEUE_URL", "URL"),
        ("DYNAMO_DB_EXPORT_STATUS_TABLE_NAME", "no such/table"),
    ],
)
def test_missing_or_malformed_setting_is_an_init_error(
    world: World, rie_binary: Path, tmp_path: Path, setting: str, value: str | None
):
    w = world
    w.put_collection("db.rie.init", "Sent", exported=1, sent=1)
    before = w.raw_collection("db.rie.init")
    env = w.env(**{setting: value})

    with Rie(rie_binary, w.binary, env, tmp_path / "rie.log") as rie:
        response = rie.invoke(sqs_event(record(w.message("db.rie.init", file_name="f"))))
        output = rie.output()

    # The emulator hands back what the runtime posted to /runtime/init/error.
    assert response.status_code == 502, (response.status_code, response.text, output)
    assert setting in response.text, (
        "the init error does not name the setting",
        response.text,
        output,
    )
    assert w.raw_collection("db.rie.init") == before
    assert w.export_state_messages() == []
