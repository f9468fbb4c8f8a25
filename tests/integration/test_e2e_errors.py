"""SPEC section 9: an error line names what failed (the operation, the table, queue or
topic, the service's error code and how many attempts were made), seen on the real
emulators with a table, a queue and a topic that do not exist."""

from __future__ import annotations

import re

from e2e_helpers import World, record, sqs_event, world  # noqa: F401  (fixture)

ATTEMPTS = re.compile(r"failed after [1-9][0-9]* attempts?: ")


def _error_naming(run, *texts: str) -> dict:
    lines = run.errors_naming(*texts)
    assert lines, f"no ERROR line names all of {texts}\n{run.describe()}"
    return lines[0]


def test_a_missing_table_is_named_with_the_operation_code_and_attempts(world: World):
    w = world
    missing = w.export_table + "-missing"
    run = w.invoke(
        sqs_event(record(w.message("db.err.table", file_name="f"))),
        env=w.env(DYNAMO_DB_EXPORT_STATUS_TABLE_NAME=missing),
    )
    run.assert_ok()
    assert len(run.failures) == 1, run.describe()
    line = _error_naming(run, "ResourceNotFoundException", missing)
    # The count's operation: UpdateItem today, TransactWriteItems with the receipts table.
    assert re.search(
        r"(UpdateItem|TransactWriteItems|GetItem) on tables? [^:]*" + re.escape(missing),
        line["error"],
    ), line
    assert ATTEMPTS.search(line["error"]), line


def test_a_missing_queue_is_named_by_its_url(world: World):
    w = world
    w.put_collection("db.err.queue", "Sent", exported=1, sent=1)
    missing = w.queue_url.replace(".fifo", "-missing.fifo")
    run = w.invoke(
        sqs_event(record(w.message("db.err.queue", file_name="f"))),
        env=w.env(EXPORT_STATE_SQS_QUEUE_URL=missing),
    )
    run.assert_ok()
    assert len(run.failures) == 1, run.describe()
    line = _error_naming(run, "SendMessage on queue " + missing)
    assert "NonExistentQueue" in line["error"] or "QueueDoesNotExist" in line["error"], line
    assert ATTEMPTS.search(line["error"]), line


def test_a_missing_topic_is_named_by_its_arn(world: World):
    w = world
    w.put_collection("db.err.topic", "Sent", exported=1, sent=1)
    missing = w.topic.topic_arn + "-missing"
    run = w.invoke(
        sqs_event(record(w.message("db.err.topic", file_name="f"))),
        env=w.env(MONITORING_SNS_TOPIC_ARN=missing),
    )
    run.assert_ok()
    assert len(run.failures) == 1, run.describe()
    line = _error_naming(run, "Publish on topic " + missing)
    assert "NotFound" in line["error"], line
    assert ATTEMPTS.search(line["error"]), line
