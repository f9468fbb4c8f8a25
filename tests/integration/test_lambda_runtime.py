"""The Lambda Runtime API loop of the binary, under AWS's Runtime Interface Emulator:
one process serving many invocations, the partial batch response, invocation errors
with their type, the init error for a bad configuration, and Lambda's deadline reaching
every AWS call. (test_e2e_rie.py drives a whole run through the emulator.)"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from e2e_helpers import Rie, World, record, sqs_event, world  # noqa: F401  (fixture)


def runtime_logs(output: str) -> list[dict]:
    """The binary's JSON log lines among the emulator's own output."""
    return [json.loads(line) for line in output.splitlines() if line.startswith("{")]


def test_one_process_serves_every_invocation_with_partial_batch_responses(
    world: World, rie_binary: Path, tmp_path: Path
):
    w = world
    w.put_collection("db.lr.a", "Exported", exported=5)
    good = record(w.message("db.lr.a", file_name="f1"))
    invalid = record(w.message("db.lr.a", snapshot_type=None))
    no_row = record(w.message("db.lr.missing", file_name="f2"))

    with Rie(rie_binary, w.binary, w.env(), tmp_path / "rie.log") as rie:
        first = rie.invoke(sqs_event(good, invalid, no_row))
        assert first.status_code == 200, rie.output()
        assert first.json() == {
            "batchItemFailures": [
                {"itemIdentifier": invalid["messageId"]},
                {"itemIdentifier": no_row["messageId"]},
            ]
        }
        for n in range(2, 5):
            answer = rie.invoke(sqs_event(record(w.message("db.lr.a", file_name=f"f{n}"))))
            assert answer.status_code == 200, rie.output()
            assert answer.json() == {"batchItemFailures": []}
        output = rie.output()

    assert w.received("db.lr.a") == 4
    logs = runtime_logs(output)
    assert len({entry["process"] for entry in logs}) == 1, "more than one runtime process"
    # Everything is built once per process, not per invocation or message.
    assert sum(1 for entry in logs if entry["message"] == "ready") == 1, output
    request_ids = {entry.get("aws_request_id") for entry in logs} - {None}
    assert len(request_ids) == 4, "log lines do not name their invocation"


def test_a_failed_invocation_reports_its_error_type(
    world: World, rie_binary: Path, tmp_path: Path
):
    w = world
    with Rie(rie_binary, w.binary, w.env(), tmp_path / "rie.log") as rie:
        missing_row = rie.invoke(w.message("db.lr.none"))
        not_json = requests.post(rie.url, data="this is not JSON", timeout=60)
        # The runtime goes on after a failed invocation.
        w.put_collection("db.lr.after", "Exported", exported=5)
        after = rie.invoke(w.message("db.lr.after", file_name="f"))
        output = rie.output()

    assert missing_row.json()["errorType"] == "CollectionNotFound", (missing_row.text, output)
    assert "db.lr.none" in missing_row.json()["errorMessage"]
    assert not_json.json()["errorType"] == "InvalidEvent", (not_json.text, output)
    assert after.status_code == 200, output
    assert after.json() == {"batchItemFailures": []}


def test_a_missing_required_setting_is_an_init_error(
    world: World, rie_binary: Path, tmp_path: Path
):
    w = world
    env = w.env(EXPORT_STATE_SQS_QUEUE_URL=None, PUSHGATEWAY_PORT="not-a-port")
    with Rie(rie_binary, w.binary, env, tmp_path / "rie.log") as rie:
        response = rie.invoke(sqs_event(record(w.message("db.lr.init"))))
        output = rie.output()

    assert response.status_code == 502, (response.status_code, response.text, output)
    body = response.json()
    assert body["errorType"] == "ConfigurationError", body
    for text in (
        "EXPORT_STATE_SQS_QUEUE_URL",
        "--export-state-sqs-queue-url",
        "PUSHGATEWAY_PORT",
        "--pushgateway-port",
    ):
        assert text in body["errorMessage"], body
    # The runtime exits after reporting: nothing was left to serve invocations.
    assert "exit status 2" in output, output


@pytest.fixture
def black_hole() -> Iterator[str]:
    """An endpoint on 127.0.0.1 that accepts connections and never answers."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
                held.append(connection)
            except (TimeoutError, socket.timeout):
                continue
            except OSError:
                return

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    stop.set()
    thread.join(timeout=5)
    for connection in held:
        connection.close()
    server.close()


def test_lambdas_deadline_bounds_every_aws_call(
    world: World, rie_binary: Path, tmp_path: Path, black_hole: str
):
    w = world
    # Without a push gateway no scrape wait is kept back: the work end is then 2.4 s in.
    env = w.env(AWS_ENDPOINT_URL_DYNAMODB=black_hole, AWS_LAMBDA_FUNCTION_TIMEOUT="4",
                PUSHGATEWAY_HOSTNAME=None)
    message = record(w.message("db.lr.slow", file_name="f"))
    with Rie(rie_binary, w.binary, env, tmp_path / "rie.log") as rie:
        started = time.monotonic()
        response = rie.invoke(sqs_event(message), timeout=30)
        took = time.monotonic() - started
        output = rie.output()

    # The DynamoDB call gave up before Lambda's deadline, so the runtime still answered
    # (instead of the emulator's "Task timed out") and the message came back as failed.
    assert response.status_code == 200, (response.text, output)
    assert response.json() == {"batchItemFailures": [{"itemIdentifier": message["messageId"]}]}
    assert 2.0 < took < 4.5, took
