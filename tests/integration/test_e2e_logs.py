"""SPEC section 9: one JSON object per log line, whatever the message holds, and no
credential in any line at any level."""

from __future__ import annotations

from pathlib import Path

import pytest

from e2e_helpers import LOG_FIELDS, World, record, sqs_event, world  # noqa: F401  (fixture)

# Distinctive fakes: any of these in any output is a leak.
ACCESS_KEY = "AKIAE2ELEAKCHECK7Q3Z"
SECRET_KEY = "e2eSecretLeakCheck/Zq8+Wv3Kx9Lm2Np5Rt7Yb4Hc6Jd1"
SESSION_TOKEN = "e2eSessionTokenLeakCheck//FwoGZXIvYXdzEJr+Qm9ndXNTZXNzaW9uVG9rZW4="
SECRETS = [ACCESS_KEY, SECRET_KEY, SESSION_TOKEN, SECRET_KEY[:20], SESSION_TOKEN[:24]]

WEIRD_COLLECTION = 'db.quo"te\\back\nnew\tline.\u00fc\u20ac\u2603'
WEIRD_FILE = 'dir/"x" {y}\r\n\u00e9t\u00e9.gz.enc'


def _check_line_shape(w: World, entry: dict, line: str) -> None:
    missing = [f for f in LOG_FIELDS if f not in entry]
    assert not missing, f"log line without {missing}: {line}"
    assert entry["environment"] == "e2e", line
    assert entry["application"] == "ssc-e2e", line
    assert isinstance(entry["message"], str), line
    assert entry["log_level"] in {"DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"}, line
    assert str(entry["timestamp"]).strip(), line
    assert str(entry["hostname"]).strip(), line


def _drive_every_path(w: World, env: dict[str, str]) -> list:
    """Counting, a transition with its export-state message, notification and product
    write, success, a rejected message, a missing row and a failing AWS call."""
    w.put_collection("db.leak.a", "Sent", exported=2, sent=2)
    w.put_collection("db.leak.b", "Sent", exported=1, sent=1)
    return [
        w.invoke(
            sqs_event(
                record(w.message("db.leak.a", file_name="a1")),
                record(w.message("db.leak.a", export_date=None)),
                record(w.message("db.leak.none", file_name="n")),
            ),
            env=env,
        ),
        w.invoke(sqs_event(record(w.message("db.leak.a", file_name="a2"))), env=env),
        w.invoke(
            sqs_event(record(w.message("db.leak.b", file_name="b1"))),
            env={**env, "EXPORT_STATE_SQS_QUEUE_URL": w.queue_url.replace(".fifo", "-nope.fifo")},
        ),
        w.invoke(sqs_event(record(w.message("db.leak.b", file_name="b1"))), env=env),
        w.invoke(
            sqs_event(
                record(w.success_message("db.leak.a")), record(w.success_message("db.leak.b"))
            ),
            env=env,
        ),
    ]


@pytest.mark.parametrize("source", ["environment", "profile"])
def test_no_credential_in_any_output(world: World, tmp_path: Path, source: str):
    w = world
    if source == "environment":
        env = w.env(
            AWS_ACCESS_KEY_ID=ACCESS_KEY,
            AWS_SECRET_ACCESS_KEY=SECRET_KEY,
            AWS_SESSION_TOKEN=SESSION_TOKEN,
            LOG_LEVEL="DEBUG",
        )
    else:
        credentials = tmp_path / "credentials"
        credentials.write_text(
            "[e2e-leak]\n"
            f"aws_access_key_id = {ACCESS_KEY}\n"
            f"aws_secret_access_key = {SECRET_KEY}\n"
            f"aws_session_token = {SESSION_TOKEN}\n"
        )
        env = w.env(
            AWS_ACCESS_KEY_ID=None,
            AWS_SECRET_ACCESS_KEY=None,
            AWS_SESSION_TOKEN=None,
            AWS_PROFILE="e2e-leak",
            AWS_SHARED_CREDENTIALS_FILE=str(credentials),
            AWS_CONFIG_FILE=str(tmp_path / "no-config"),
            LOG_LEVEL="DEBUG",
        )

    runs = _drive_every_path(w, env)

    # The runs did real work with these credentials (or the check proves little).
    assert w.status("db.leak.a") == "Success", "\n".join(r.describe() for r in runs)
    assert any(r.at_level("DEBUG") for r in runs)
    for run in runs:
        for secret in SECRETS:
            assert secret not in run.stdout + run.stderr, (
                f"credential {secret[:8]}... in the output\n{run.describe()}"
            )


def test_every_line_is_json_with_the_required_fields(world: World):
    w = world
    runs = _drive_every_path(w, w.env(LOG_LEVEL="DEBUG"))
    for run in runs:
        assert run.log_lines, run.describe()
        for line, entry in zip(run.log_lines, run.logs):
            _check_line_shape(w, entry, line)


def test_message_fields_in_log_lines_whatever_they_hold(world: World):
    w = world
    w.correlation_id += '-"q"\n\u00e5'
    # Not the last file: a MessageGroupId may not hold such characters, and the
    # export-state queue is not what this test is about.
    w.put_collection(WEIRD_COLLECTION, "Sent", exported=5, sent=5)

    run = w.deliver(w.message(WEIRD_COLLECTION, file_name=WEIRD_FILE))

    assert run.failures == []
    assert w.received(WEIRD_COLLECTION) == 1
    for line, entry in zip(run.log_lines, run.logs):
        _check_line_shape(w, entry, line)
    tagged = [
        e
        for e in run.logs
        if e.get("correlation_id") == w.correlation_id
        and e.get("collection_name") == WEIRD_COLLECTION
        and e.get("file_name") == WEIRD_FILE
    ]
    assert tagged, (
        "no line carries the message's correlation_id, collection_name and file_name\n"
        + run.describe()
    )


def test_rejected_message_with_awkward_content_logs_valid_json(world: World):
    w = world
    bad = record(
        {
            "correlation_id": 'c"o\nr\u00fcr \u2603 \\ </script>',
            "collection_name": "",
            "snapshot_type": {"nested": ['"', "\n"]},
            "export_date": "\u0000\u001f",
        }
    )
    not_json = record('{"correlation_id": "x", \n "\u00fc')

    run = w.invoke(sqs_event(bad, not_json))

    run.assert_ok()
    assert run.failures == [bad["messageId"], not_json["messageId"]]
    for line, entry in zip(run.log_lines, run.logs):
        _check_line_shape(w, entry, line)
    assert len(run.errors_naming(bad["messageId"])) == 1, run.describe()
    assert len(run.errors_naming(not_json["messageId"])) == 1, run.describe()


def test_stdout_holds_only_the_response(world: World):
    w = world
    w.put_collection("db.out.coll", "Exported", exported=5)
    run = w.deliver(w.message("db.out.coll", file_name="f"))
    assert run.stdout.strip().count("\n") == 0, run.describe()
    assert run.response == {"batchItemFailures": []}
