"""SPEC section 8: configuration from the environment, flags overriding it, and the
command line's own contract (exit codes, --help, --version)."""

from __future__ import annotations

import pytest

from e2e_helpers import World, record, run_binary, sqs_event, world  # noqa: F401  (fixture)


@pytest.mark.parametrize("missing", ["MONITORING_SNS_TOPIC_ARN", "EXPORT_STATE_SQS_QUEUE_URL"])
@pytest.mark.parametrize("how", ["unset", "empty"])
def test_missing_required_setting_is_a_usage_error_before_any_message(
    world: World, missing: str, how: str
):
    w = world
    w.put_collection("db.cfg.coll", "Sent", exported=1, sent=1)
    before = w.raw_collection("db.cfg.coll")

    run = w.invoke(
        sqs_event(record(w.message("db.cfg.coll", file_name="f"))),
        env=w.env(**{missing: None if how == "unset" else ""}),
    )

    assert run.rc == 2, run.describe()
    assert missing in run.stderr, f"the error does not name {missing}\n{run.describe()}"
    assert w.raw_collection("db.cfg.coll") == before, "a message was touched"
    assert w.export_state_messages() == []
    assert w.groups() == []


@pytest.mark.parametrize(
    "setting, value, expected",
    [
        # The README's old example: accepted, then every message failed after its row moved.
        ("MONITORING_SNS_TOPIC_ARN", "ARN", "must be an SNS topic ARN"),
        ("MONITORING_SNS_TOPIC_ARN", "arn:aws:sqs:eu-west-2:123456789012:q", "SNS topic ARN"),
        ("EXPORT_STATE_SQS_QUEUE_URL", "URL", "must be the URL of a FIFO queue"),
        ("EXPORT_STATE_SQS_QUEUE_URL", "standard", "FIFO"),  # the world's queue, not FIFO
        ("DYNAMO_DB_EXPORT_STATUS_TABLE_NAME", "x", "must be a DynamoDB table name"),
        ("DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME", "with space", "DynamoDB table name"),
        ("DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME", "t" * 256, "DynamoDB table name"),
    ],
)
def test_a_name_aws_would_refuse_is_a_usage_error_before_any_message(
    world: World, setting: str, value: str, expected: str
):
    w = world
    if value == "standard":
        value = w.queue_url.removesuffix(".fifo")
    w.put_collection("db.cfg.name", "Sent", exported=1, sent=1)
    before = w.raw_collection("db.cfg.name")

    run = w.invoke(sqs_event(record(w.message("db.cfg.name", file_name="f"))), env=w.env(**{setting: value}))

    assert run.rc == 2, run.describe()
    errors = run.errors_naming(setting, expected)
    assert len(errors) == 1, f"no ERROR line names {setting} and says {expected!r}\n{run.describe()}"
    assert w.raw_collection("db.cfg.name") == before, "a message was touched"
    assert w.export_state_messages() == []
    assert w.notifications() == []
    assert w.groups() == []


def test_both_required_settings_missing_are_both_named(world: World):
    w = world
    run = w.invoke(
        sqs_event(record(w.message("db.cfg.none"))),
        env=w.env(MONITORING_SNS_TOPIC_ARN=None, EXPORT_STATE_SQS_QUEUE_URL=None),
    )
    assert run.rc == 2, run.describe()
    assert "MONITORING_SNS_TOPIC_ARN" in run.stderr and "EXPORT_STATE_SQS_QUEUE_URL" in run.stderr


def test_flags_override_the_environment(world: World):
    w = world
    w.put_collection("db.flag.coll", "Sent", exported=1, sent=1)
    # Every setting the environment gives is wrong; the flags give the right ones.
    env = w.env(
        MONITORING_SNS_TOPIC_ARN="arn:aws:sns:eu-west-2:123456789012:wrong-topic",
        EXPORT_STATE_SQS_QUEUE_URL=w.queue_url.rsplit("/", 1)[0] + "/wrong.fifo",
        DYNAMO_DB_EXPORT_STATUS_TABLE_NAME="wrong-export-table",
        DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME="wrong-product-table",
        LOG_LEVEL="ERROR",
    )
    args = [
        "--monitoring-sns-topic-arn", w.topic.topic_arn,
        "--export-state-sqs-queue-url", w.queue_url,
        "--dynamo-db-export-status-table-name", w.export_table,
        "--dynamo-db-product-status-table-name", w.product_table,
        "--log-level", "DEBUG",
    ]

    run = w.invoke(sqs_event(record(w.message("db.flag.coll", file_name="f"))), env=env, args=args)

    run.assert_ok()
    assert run.failures == [], run.describe()
    assert w.status("db.flag.coll") == "Received"
    assert len(w.export_state_messages(expect=1)) == 1
    assert len(w.notifications(expect=1)) == 1
    assert w.product()["Status"] == "RECEIVED"
    assert run.at_level("DEBUG"), "--log-level DEBUG did not override LOG_LEVEL=ERROR"


def test_flags_supply_settings_missing_from_the_environment(world: World):
    w = world
    w.put_collection("db.flag2.coll", "Exported", exported=3)
    env = w.env(MONITORING_SNS_TOPIC_ARN=None, EXPORT_STATE_SQS_QUEUE_URL=None)
    args = [
        "--monitoring-sns-topic-arn", w.topic.topic_arn,
        "--export-state-sqs-queue-url", w.queue_url,
    ]

    run = w.invoke(sqs_event(record(w.message("db.flag2.coll"))), env=env, args=args)

    run.assert_ok()
    assert w.received("db.flag2.coll") == 1


def test_table_names_from_the_environment(world: World):
    # The world passes its table names in DYNAMO_DB_*_TABLE_NAME; a run that
    # completes proves both were used.
    w = world
    w.put_collection("db.envname.coll", "Sent", exported=1, sent=1)
    w.deliver(w.message("db.envname.coll", file_name="f"))
    assert w.status("db.envname.coll") == "Received"
    assert w.product()["Status"] == "RECEIVED"


def test_log_level_from_the_environment(world: World):
    w = world
    w.put_collection("db.level.coll", "Exported", exported=3)

    quiet = w.deliver(w.message("db.level.coll", file_name="a"), env=w.env(LOG_LEVEL="ERROR"))
    chatty = w.deliver(w.message("db.level.coll", file_name="b"), env=w.env(LOG_LEVEL="DEBUG"))

    assert {e["log_level"] for e in quiet.logs} <= {"ERROR", "CRITICAL"}, quiet.describe()
    assert chatty.at_level("DEBUG"), chatty.describe()


def test_bad_usage_exits_2(world: World):
    run = run_binary(world.binary, ["no-such-command"], world.env())
    assert run.rc == 2, run.describe()
    run = run_binary(world.binary, ["invoke", "--no-such-flag"], world.env())
    assert run.rc == 2, run.describe()


def test_missing_event_file_exits_2(world: World, tmp_path):
    run = run_binary(world.binary, ["invoke", "--event", str(tmp_path / "none.json")], world.env())
    assert run.rc == 2, run.describe()


def test_event_that_is_not_json_fails(world: World):
    run = world.invoke("{this is not json")
    assert run.rc in (1, 2), run.describe()
    assert run.rc != 0


def test_help_and_version(world: World):
    help_run = run_binary(world.binary, ["--help"], world.env())
    assert help_run.rc == 0, help_run.describe()
    assert "invoke" in help_run.stdout
    texts = help_run.stdout + run_binary(world.binary, ["invoke", "--help"], world.env()).stdout
    for flag in (
        "--monitoring-sns-topic-arn",
        "--export-state-sqs-queue-url",
        "--dynamo-db-export-status-table-name",
        "--dynamo-db-product-status-table-name",
        "--log-level",
    ):
        assert flag in texts, f"{flag} is not in the help text"
    version = run_binary(world.binary, ["--version"], world.env())
    assert version.rc == 0, version.describe()
    assert version.stdout.strip(), version.describe()


def test_help_needs_no_configuration(world: World):
    env = world.env(MONITORING_SNS_TOPIC_ARN=None, EXPORT_STATE_SQS_QUEUE_URL=None)
    assert run_binary(world.binary, ["--help"], env).rc == 0
    assert run_binary(world.binary, ["--version"], env).rc == 0
