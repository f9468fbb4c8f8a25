"""What the end-to-end tests (test_e2e_*.py) share: a per-test "world" of fresh
tables, queues and a topic on the local stack, the binary run as a black box
(the CLI's `invoke`, or under the Runtime Interface Emulator), event builders,
and readers for what the binary left behind (table rows, export-state
messages, notifications, push gateway groups).

The stack itself, the boto3 clients and the resource-creation helpers come from
conftest.py / stack.py; this module only adds what the e2e tests need on top.
Test modules import the fixtures below by name (`from e2e_helpers import world`).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import requests

import stack as stack_lib
from seeding import from_item, product_key, status_key, status_row

JOB = "snapshot_sender_status_checker"
COMPONENT = "snapshot_sender_status_checker"
EXPORT_DATE = "2026-11-28"
SNAPSHOT_TYPE = "incremental"
SOURCE_ARN = "arn:aws:sqs:eu-west-2:123456789012:snapshot-sender-status-checker"
FIFO_SOURCE_ARN = "arn:aws:sqs:eu-west-2:123456789012:snapshot-sender-status-checker.fifo"

SERIES = {
    "snapshot_sender_status_checker_message_processing_time": ("SUMMARY", False),
    "snapshot_sender_status_checker_collections_received_total": ("COUNTER", False),
    "snapshot_sender_status_checker_collections_successful_total": ("COUNTER", False),
    "snapshot_sender_status_checker_all_collections_received_total": ("COUNTER", False),
    "snapshot_sender_status_checker_all_collections_succesful_total": ("COUNTER", False),
    "snapshot_sender_status_checker_files_received_total": ("COUNTER", True),
}
"""Series name -> (type as the push gateway reports it, has a collection_name label)."""

LOG_FIELDS = (
    "timestamp",
    "log_level",
    "message",
    "environment",
    "application",
    "module",
    "process",
    "thread",
    "hostname",
)

# A field left out of a message entirely (as opposed to sent as null).
MISSING = object()

INVOKE_TIMEOUT = 120.0


# --- running the binary -----------------------------------------------------


@dataclass
class Run:
    """One `snapshot-sender-status-checker invoke`: what it returned and printed."""

    args: list[str]
    rc: int
    stdout: str
    stderr: str
    seconds: float

    def describe(self) -> str:
        return (
            f"command: {' '.join(self.args)}\nexit code: {self.rc}\n"
            f"--- stdout ---\n{self.stdout}\n--- stderr ---\n{self.stderr}"
        )

    @property
    def response(self) -> dict:
        try:
            return json.loads(self.stdout)
        except json.JSONDecodeError as error:
            pytest.fail(f"stdout is not one JSON document ({error})\n{self.describe()}")

    @property
    def failures(self) -> list[str]:
        """The itemIdentifier of every batchItemFailures entry, in order."""
        response = self.response
        assert set(response) == {"batchItemFailures"}, self.describe()
        return [item["itemIdentifier"] for item in response["batchItemFailures"]]

    @property
    def log_lines(self) -> list[str]:
        return [line for line in self.stderr.splitlines() if line.strip()]

    @property
    def logs(self) -> list[dict]:
        """stderr parsed line by line; a line that is not a JSON object fails the test."""
        parsed = []
        for line in self.log_lines:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError as error:
                pytest.fail(f"stderr line is not JSON ({error}): {line!r}\n{self.describe()}")
            if not isinstance(entry, dict):
                pytest.fail(f"stderr line is not a JSON object: {line!r}")
            parsed.append(entry)
        return parsed

    def at_level(self, level: str) -> list[dict]:
        return [e for e in self.logs if str(e.get("log_level", "")).upper() == level]

    def errors_naming(self, *texts: str) -> list[dict]:
        """ERROR entries whose JSON text contains every one of `texts`."""
        return [
            e
            for e in self.at_level("ERROR")
            if all(t in json.dumps(e, ensure_ascii=False) for t in texts)
        ]

    def assert_ok(self) -> None:
        assert self.rc == 0, f"expected exit 0\n{self.describe()}"


def run_binary(
    binary: Path,
    args: Iterable[str],
    env: dict[str, str],
    stdin: str | None = None,
    timeout: float = INVOKE_TIMEOUT,
) -> Run:
    command = [str(binary), *args]
    started = time.monotonic()
    try:
        result = subprocess.run(
            command,
            input=stdin if stdin is not None else "",
            env=env,
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as error:
        pytest.fail(
            f"{' '.join(command)} did not finish within {timeout}s\n"
            f"stdout: {error.stdout!r}\nstderr: {error.stderr!r}"
        )
    return Run(command, result.returncode, result.stdout, result.stderr, time.monotonic() - started)


# --- events -----------------------------------------------------------------


def record(
    body: Any,
    message_id: str | None = None,
    *,
    escaped: bool = False,
    source_arn: str = SOURCE_ARN,
) -> dict:
    """One SQS record. `escaped` sends the body as a string holding JSON (what SQS
    really delivers); otherwise a dict body goes in as a JSON object."""
    return {
        "messageId": message_id or str(uuid.uuid4()),
        "receiptHandle": "handle-" + uuid.uuid4().hex,
        "body": json.dumps(body) if escaped and not isinstance(body, str) else body,
        "attributes": {"ApproximateReceiveCount": "1"},
        "messageAttributes": {},
        "md5OfBody": "",
        "eventSource": "aws:sqs",
        "eventSourceARN": source_arn,
        "awsRegion": "eu-west-2",
    }


def sqs_event(*records: dict) -> dict:
    return {"Records": list(records)}


# --- push gateway -----------------------------------------------------------


def run_groups(stack: stack_lib.Stack, correlation_id: str) -> list[dict]:
    """The push gateway groups this system pushed for one run."""
    return [
        g
        for g in stack.pushgateway_groups()
        if g["labels"].get("correlation_id") == correlation_id
        and g["labels"].get("job") == JOB
    ]


def series_entries(groups: list[dict], name: str) -> list[dict]:
    """Every sample of series `name` across `groups` (metric entries of the API)."""
    entries = []
    for group in groups:
        family = group.get(name)
        if family:
            entries.extend(family["metrics"])
    return entries


def series_total(groups: list[dict], name: str, **labels: str) -> float:
    """Sum of a counter (or of a summary's count) over every group of the run."""
    total = 0.0
    for entry in series_entries(groups, name):
        if all(entry["labels"].get(k) == v for k, v in labels.items()):
            total += float(entry.get("value", entry.get("count", 0)))
    return total


def wait_until(predicate: Callable[[], Any], timeout: float, interval: float = 0.05) -> Any:
    """Polls until `predicate` returns something truthy; returns it, or the last
    (falsy) value after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)


# --- the world one test runs in ---------------------------------------------


@dataclass
class World:
    """Fresh tables, queue and topic for one test, on one DynamoDB backend, and
    the binary configured to use them."""

    stack: stack_lib.Stack
    backend: str
    binary: Path
    export_table: str
    product_table: str
    receipts_table: str
    queue_url: str
    topic: stack_lib.TopicWithQueue
    correlation_id: str
    snapshot_type: str = SNAPSHOT_TYPE
    export_date: str = EXPORT_DATE
    settings: dict[str, str] = field(default_factory=dict)

    @property
    def dynamodb(self) -> Any:
        return getattr(self.stack, f"{self.backend}_dynamodb")

    # configuration

    def env(self, **overrides: str | None) -> dict[str, str]:
        """The binary's environment; an override of None removes the variable."""
        settings = {
            "MONITORING_SNS_TOPIC_ARN": self.topic.topic_arn,
            "EXPORT_STATE_SQS_QUEUE_URL": self.queue_url,
            "DYNAMO_DB_EXPORT_STATUS_TABLE_NAME": self.export_table,
            "DYNAMO_DB_PRODUCT_STATUS_TABLE_NAME": self.product_table,
            "DYNAMO_DB_FILE_RECEIPTS_TABLE_NAME": self.receipts_table,
            "LOG_LEVEL": "DEBUG",
            "ENVIRONMENT": "e2e",
            "APPLICATION": "ssc-e2e",
            "METRICS_SCRAPE_INTERVAL_SECONDS": "1",
            **self.settings,
        }
        env = self.stack.binary_env(dynamodb=self.backend, **settings)
        for name, value in overrides.items():
            if value is None:
                env.pop(name, None)
            else:
                env[name] = value
        return env

    def invoke(
        self,
        event: Any,
        *,
        env: dict[str, str] | None = None,
        args: Iterable[str] = (),
        timeout: float = INVOKE_TIMEOUT,
    ) -> Run:
        """`invoke` with the event on stdin (a str is sent as it is)."""
        text = event if isinstance(event, str) else json.dumps(event)
        return run_binary(
            self.binary, ["invoke", *args], env or self.env(), stdin=text, timeout=timeout
        )

    def deliver(self, *bodies: dict, fifo: bool = False, **kwargs: Any) -> Run:
        """Delivers messages as one SQS batch and checks the invocation completed."""
        source = FIFO_SOURCE_ARN if fifo else SOURCE_ARN
        run = self.invoke(sqs_event(*(record(b, source_arn=source) for b in bodies)), **kwargs)
        run.assert_ok()
        return run

    # messages

    def message(self, collection: str, **fields: Any) -> dict:
        """A file message for `collection` of this world's run. A field given as
        MISSING is left out; None is sent as JSON null."""
        body = {
            "correlation_id": self.correlation_id,
            "collection_name": collection,
            "snapshot_type": self.snapshot_type,
            "export_date": self.export_date,
        }
        body.update(fields)
        return {k: v for k, v in body.items() if v is not MISSING}

    def success_message(self, collection: str, **fields: Any) -> dict:
        return self.message(collection, is_success_file="true", **fields)

    # the export status table

    def key(self, collection: str, correlation_id: str | None = None) -> dict:
        return status_key(correlation_id or self.correlation_id, collection)

    def put_collection(
        self,
        collection: str,
        status: str,
        exported: int | None = None,
        sent: int | None = None,
        received: int | None = None,
        correlation_id: str | None = None,
        **extra: Any,
    ) -> None:
        """A row as the exporter and the sender leave it (no FilesReceived unless given)."""
        item = status_row(correlation_id or self.correlation_id, collection, status,
                          exported=exported, sent=sent, received=received, **extra)
        self.dynamodb.put_item(TableName=self.export_table, Item=item)

    def raw_collection(self, collection: str, correlation_id: str | None = None) -> dict | None:
        return self.dynamodb.get_item(
            TableName=self.export_table,
            Key=self.key(collection, correlation_id),
            ConsistentRead=True,
        ).get("Item")

    def collection(self, collection: str, correlation_id: str | None = None) -> dict:
        item = self.raw_collection(collection, correlation_id)
        assert item is not None, f"row {collection!r} is gone"
        return from_item(item)

    def status(self, collection: str, correlation_id: str | None = None) -> str:
        return self.collection(collection, correlation_id).get("CollectionStatus")

    def received(self, collection: str, correlation_id: str | None = None) -> int:
        return self.collection(collection, correlation_id).get("FilesReceived", 0)

    def all_items(self) -> list[dict]:
        items, start = [], None
        while True:
            page = self.dynamodb.scan(
                TableName=self.export_table,
                ConsistentRead=True,
                **({"ExclusiveStartKey": start} if start else {}),
            )
            items.extend(page["Items"])
            start = page.get("LastEvaluatedKey")
            if not start:
                return items

    # the product status table

    def product(self, correlation_id: str | None = None) -> dict | None:
        item = self.dynamodb.get_item(
            TableName=self.product_table,
            Key=product_key(correlation_id or self.correlation_id),
            ConsistentRead=True,
        ).get("Item")
        return from_item(item) if item else None

    # queue and topic

    def export_state_messages(self, expect: int = 0, timeout: float = 2.0) -> list[dict]:
        """Drains the export-state queue: [{"body": str, "group": str}, ...]."""
        return [
            {"body": m["Body"], "group": m.get("Attributes", {}).get("MessageGroupId")}
            for m in self.stack.drain_queue(self.queue_url, expect=expect, timeout=timeout)
        ]

    def notifications(self, expect: int = 0, timeout: float = 2.0) -> list[str]:
        """Drains the queue subscribed to the monitoring topic: the published texts."""
        return [
            m["Body"]
            for m in self.stack.drain_queue(self.topic.queue_url, expect=expect, timeout=timeout)
        ]

    # metrics

    def groups(self, correlation_id: str | None = None) -> list[dict]:
        return run_groups(self.stack, correlation_id or self.correlation_id)


def make_world(
    stack: stack_lib.Stack, binary: Path, backend: str = "moto", **settings: str
) -> World:
    dynamodb = getattr(stack, f"{backend}_dynamodb")
    name = stack_lib.unique_name
    return World(
        stack=stack,
        backend=backend,
        binary=binary,
        export_table=stack_lib.create_export_status_table(dynamodb, name("e2e-export")),
        product_table=stack_lib.create_product_table(dynamodb, name("e2e-product")),
        receipts_table=stack_lib.create_file_receipts_table(dynamodb, name("e2e-receipts")),
        queue_url=stack.create_fifo_queue(name("e2e-export-state")),
        topic=stack.create_topic_with_queue(name("e2e-monitoring")),
        correlation_id=name("e2e-run"),
        settings=dict(settings),
    )


@pytest.fixture
def world(stack: stack_lib.Stack, ssc_binary: Path) -> World:
    """A fresh world on moto's DynamoDB (it has every feature the binary may use)."""
    return make_world(stack, ssc_binary, "moto")


@pytest.fixture(params=["moto", "dynalite"])
def any_world(request: pytest.FixtureRequest, stack: stack_lib.Stack, ssc_binary: Path) -> World:
    """A fresh world on moto, then on dynalite (which validates like real DynamoDB)."""
    return make_world(stack, ssc_binary, request.param)


# --- exact JSON checks ------------------------------------------------------


def ordered(text: str) -> Any:
    """Parses JSON keeping each object's key order: objects become lists of pairs."""
    return json.loads(text, object_pairs_hook=lambda pairs: [(k, v) for k, v in pairs])


def as_pairs(value: Any) -> Any:
    """A Python value with dicts turned into key/value pair lists, as `ordered` gives."""
    if isinstance(value, dict):
        return [(k, as_pairs(v)) for k, v in value.items()]
    if isinstance(value, list):
        return [as_pairs(v) for v in value]
    return value


def export_state_body(world: World, collection: str, shutdown="true", reprocess="true") -> dict:
    """SPEC section 3.3, in its key order."""
    return {
        "shutdown_flag": shutdown,
        "correlation_id": world.correlation_id,
        "topic_name": collection,
        "snapshot_type": world.snapshot_type,
        "reprocess_files": reprocess,
        "export_date": world.export_date,
        "send_success_indicator": "true",
    }


def monitoring_body(world: World, status_text: str, correlation_id: str | None = None) -> dict:
    """SPEC section 6, in its key order."""
    return {
        "severity": "Critical",
        "notification_type": "Information",
        "slack_username": "Snapshot Sender",
        "title_text": f"{world.snapshot_type.title()} - {status_text}",  # Python's str.title()
        "custom_elements": [
            {"key": "Export date", "value": world.export_date},
            {"key": "Correlation Id", "value": correlation_id or world.correlation_id},
        ],
    }


RECEIVED_TEXT = "All collections received by NiFi"
SUCCESSFUL_TEXT = "All collections successful"


# --- the Runtime Interface Emulator -----------------------------------------


def _wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return True
        time.sleep(0.05)
    return False


class Rie:
    """The binary as a Lambda custom runtime under aws-lambda-rie, on loopback
    ports of its own. A context manager: the emulator (and with it the binary)
    is stopped on exit."""

    def __init__(self, rie: Path, binary: Path, env: dict[str, str], log_path: Path):
        self.rie, self.binary, self.env, self.log_path = rie, binary, dict(env), log_path
        self.port = stack_lib.free_port()
        self.api_port = stack_lib.free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/2015-03-31/functions/function/invocations"

    def __enter__(self) -> "Rie":
        self.env.setdefault("AWS_LAMBDA_FUNCTION_TIMEOUT", "60")
        self._log = open(self.log_path, "wb")
        self.process = subprocess.Popen(
            [
                str(self.rie),
                "--runtime-interface-emulator-address",
                f"127.0.0.1:{self.port}",
                "--runtime-api-address",
                f"127.0.0.1:{self.api_port}",
                str(self.binary),
            ],
            env=self.env,
            stdin=subprocess.DEVNULL,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        if not _wait_for_port(self.port, 20):
            self.__exit__(None, None, None)
            pytest.fail(f"aws-lambda-rie did not listen on {self.port}:\n{self.output()}")
        return self

    def invoke(self, event: Any, timeout: float = 90) -> requests.Response:
        return requests.post(self.url, data=json.dumps(event), timeout=timeout)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def __exit__(self, *exc: Any) -> None:
        if self.process and self.process.poll() is None:
            try:
                os.killpg(self.process.pid, 15)
            except ProcessLookupError:
                pass
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, 9)
                self.process.wait(timeout=10)
        self._log.close()
