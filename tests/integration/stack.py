"""Shared helpers for the integration tests.

The local stack (scripts/stack.sh) runs dynalite, moto and the push gateway on
127.0.0.1. This module finds it, hands out boto3 clients pointed at it, creates
the tables, queues and topics a test needs under unique names, and reads back
what the binary sent. conftest.py turns these into pytest fixtures; test
modules may also `import stack` and call the functions directly.
"""

from __future__ import annotations

import base64
import functools
import os
import re
import socket
import subprocess
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from botocore.config import Config

from seeding import ProductItem, Receipt, StatusRow

REPO_ROOT = Path(__file__).resolve().parents[2]
STACK_SCRIPT = REPO_ROOT / "scripts" / "stack.sh"
MAIN_BINARY = "snapshot-sender-status-checker"
RIE_BINARY = REPO_ROOT / ".tools" / "bin" / "aws-lambda-rie"

# Tests fail fast on a dead endpoint instead of retrying for minutes.
_CLIENT_CONFIG = Config(
    connect_timeout=5, read_timeout=30, retries={"max_attempts": 2, "mode": "standard"}
)
_POLL_INTERVAL = 0.05


# --- where things are -------------------------------------------------------


def stack_dir() -> Path:
    return Path(os.environ.get("STACK_DIR") or REPO_ROOT / ".stack")


def build_dir() -> Path:
    return Path(os.environ.get("BUILD_DIR") or REPO_ROOT / "build")


def find_binary(name: str, directory: Path | None = None) -> Path:
    """Path of a program the build made; a missing one fails the test loudly."""
    directory = directory or build_dir()
    path = directory / name
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"binary '{name}' not found at {path}: build it with scripts/build.sh "
            f"(or set BUILD_DIR to the build directory that has it)",
            pytrace=False,
        )
    return path


def find_rie() -> Path:
    if not (RIE_BINARY.is_file() and os.access(RIE_BINARY, os.X_OK)):
        pytest.fail(
            f"aws-lambda-rie not found at {RIE_BINARY}: run scripts/setup.sh", pytrace=False
        )
    return RIE_BINARY


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def unique_name(prefix: str = "t") -> str:
    """A name no other test (or earlier run against the same stack) uses.

    Short and made of [a-z0-9-] so it is valid for tables, queues and topics.
    """
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


# --- the stack itself -------------------------------------------------------


def read_env_file(path: Path) -> dict[str, str]:
    """Parses the `export NAME=value` lines scripts/stack.sh writes."""
    values: dict[str, str] = {}
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        name, sep, value = line.removeprefix("export ").partition("=")
        if not sep:
            raise ValueError(f"{path}: not an assignment: {line!r}")
        values[name] = value
    return values


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
        return True
    except requests.RequestException:
        return False


def run_stack_script(command: str, directory: Path) -> None:
    result = subprocess.run(
        ["bash", str(STACK_SCRIPT), command],
        env={**os.environ, "STACK_DIR": str(directory)},
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise RuntimeError(
            f"scripts/stack.sh {command} failed ({result.returncode}):\n"
            f"{result.stdout}{result.stderr}"
        )


class Stack:
    """One running stack: its endpoints, clients on them, and helpers."""

    def __init__(self, env: dict[str, str]):
        self.env = env
        self.dynalite_url = env["SSC_DYNALITE_URL"]
        self.moto_url = env["SSC_MOTO_URL"]
        # DynamoDB on moto is served one request at a time (scripts/moto_serial.py).
        self.moto_dynamodb_url = env["SSC_MOTO_DYNAMODB_URL"]
        self.pushgateway_url = env["SSC_PUSHGATEWAY_URL"]
        self.region = env["AWS_REGION"]
        self._session = boto3.session.Session(
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
            region_name=self.region,
        )

    @classmethod
    def from_dir(cls, directory: Path | None = None) -> "Stack":
        return cls(read_env_file((directory or stack_dir()) / "env"))

    def is_up(self) -> bool:
        return all(
            _answers(url)
            for url in (
                self.dynalite_url,
                f"{self.moto_url}/moto-api/",
                f"{self.moto_dynamodb_url}/moto-api/",
                f"{self.pushgateway_url}/-/ready",
            )
        )

    def client(self, service: str, endpoint_url: str) -> Any:
        return self._session.client(service, endpoint_url=endpoint_url, config=_CLIENT_CONFIG)

    @functools.cached_property
    def dynalite_dynamodb(self) -> Any:
        return self.client("dynamodb", self.dynalite_url)

    @functools.cached_property
    def moto_dynamodb(self) -> Any:
        return self.client("dynamodb", self.moto_dynamodb_url)

    @functools.cached_property
    def sqs(self) -> Any:
        return self.client("sqs", self.moto_url)

    @functools.cached_property
    def sns(self) -> Any:
        return self.client("sns", self.moto_url)

    def create_fifo_queue(self, name: str, **attributes: str) -> str:
        return create_fifo_queue(self.sqs, name, **attributes)

    def create_topic_with_queue(self, name: str) -> "TopicWithQueue":
        return create_topic_with_queue(self.sns, self.sqs, name)

    def drain_queue(self, url: str, expect: int = 0, timeout: float = 5.0) -> list[dict]:
        return drain_queue(self.sqs, url, expect=expect, timeout=timeout)

    def pushgateway_groups(self) -> list[dict]:
        return pushgateway_groups(self.pushgateway_url)

    def pushgateway_metrics_text(self) -> str:
        return pushgateway_metrics_text(self.pushgateway_url)

    def binary_env(self, dynamodb: str = "dynalite", **settings: str) -> dict[str, str]:
        """Environment for running the binary against this stack.

        dynamodb: "dynalite" (faithful validation) or "moto" (has transactions; served one
        request at a time, so that concurrent writes are linearizable).
        SQS and SNS are always moto. Inherited AWS_* variables are dropped so the
        developer's own profile or endpoints can never leak into a test, and the
        scrape-interval wait is 0 unless a test asks for one.
        """
        if dynamodb not in ("dynalite", "moto"):
            raise ValueError(f"dynamodb must be 'dynalite' or 'moto', not {dynamodb!r}")
        env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
        env.update(
            AWS_ACCESS_KEY_ID=self.env["AWS_ACCESS_KEY_ID"],
            AWS_SECRET_ACCESS_KEY=self.env["AWS_SECRET_ACCESS_KEY"],
            AWS_REGION=self.region,
            AWS_DEFAULT_REGION=self.region,
            AWS_EC2_METADATA_DISABLED="true",
            AWS_ENDPOINT_URL_DYNAMODB=(
                self.dynalite_url if dynamodb == "dynalite" else self.moto_dynamodb_url
            ),
            AWS_ENDPOINT_URL_SQS=self.moto_url,
            AWS_ENDPOINT_URL_SNS=self.moto_url,
            PUSHGATEWAY_HOSTNAME=self.env["PUSHGATEWAY_HOSTNAME"],
            PUSHGATEWAY_PORT=self.env["PUSHGATEWAY_PORT"],
            METRICS_SCRAPE_INTERVAL_SECONDS="0",
            NO_PROXY="127.0.0.1,localhost",
            no_proxy="127.0.0.1,localhost",
        )
        env.update(settings)
        return env


def ensure_stack(directory: Path | None = None) -> tuple[Stack, bool]:
    """The stack in `directory`, started if it is not running.

    Returns (stack, started_here): whoever started it stops it.
    """
    directory = directory or stack_dir()
    if (directory / "env").is_file():
        running = Stack.from_dir(directory)
        if running.is_up():
            return running, False
    run_stack_script("start", directory)
    return Stack.from_dir(directory), True


def stop_stack(directory: Path | None = None) -> None:
    run_stack_script("stop", directory or stack_dir())


# --- DynamoDB ---------------------------------------------------------------


def wait_for_table_active(client: Any, name: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        status = client.describe_table(TableName=name)["Table"]["TableStatus"]
        if status == "ACTIVE":
            return
        if time.monotonic() > deadline:
            raise TimeoutError(f"table {name} still {status} after {timeout}s")
        time.sleep(_POLL_INTERVAL)


def _create_table(client: Any, name: str, hash_key: str, range_key: str | None) -> str:
    keys = [hash_key] + ([range_key] if range_key else [])
    client.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": key, "KeyType": kind} for key, kind in zip(keys, ("HASH", "RANGE"))
        ],
        AttributeDefinitions=[{"AttributeName": key, "AttributeType": "S"} for key in keys],
        BillingMode="PAY_PER_REQUEST",
    )
    wait_for_table_active(client, name)
    return name


def create_export_status_table(client: Any, name: str) -> str:
    """The export status table's key schema (SPEC section 2)."""
    return _create_table(client, name, StatusRow.CORRELATION_ID, StatusRow.COLLECTION_NAME)


def create_product_table(client: Any, name: str) -> str:
    """The product status table's key schema (SPEC section 2)."""
    return _create_table(client, name, ProductItem.CORRELATION_ID, ProductItem.DATA_PRODUCT)


def create_file_receipts_table(client: Any, name: str) -> str:
    """The file receipts table (SPEC section 2): key ReceiptKey, TTL on ExpiresAt, as the
    deployment creates it (deploy/terraform)."""
    _create_table(client, name, Receipt.RECEIPT_KEY, None)
    try:
        client.update_time_to_live(
            TableName=name,
            TimeToLiveSpecification={"Enabled": True, "AttributeName": Receipt.EXPIRES_AT},
        )
    except client.exceptions.ClientError as error:
        # dynalite has no TTL (and no transactions, so no receipt is written there anyway).
        if error.response["Error"]["Code"] != "UnknownOperationException":
            raise
    return name


# --- SQS and SNS ------------------------------------------------------------


def create_fifo_queue(sqs: Any, name: str, **attributes: str) -> str:
    """A FIFO queue (".fifo" is added when missing); returns its URL.

    Deduplication is by explicit MessageDeduplicationId unless the caller passes
    ContentBasedDeduplication="true".
    """
    if not name.endswith(".fifo"):
        name += ".fifo"
    return sqs.create_queue(QueueName=name, Attributes={"FifoQueue": "true", **attributes})[
        "QueueUrl"
    ]


@dataclass(frozen=True)
class TopicWithQueue:
    topic_arn: str
    queue_url: str
    queue_arn: str
    subscription_arn: str


def create_topic_with_queue(sns: Any, sqs: Any, name: str) -> TopicWithQueue:
    """An SNS topic with an SQS queue subscribed, so what is published can be read.

    Raw delivery puts the published message itself in the SQS body, not the SNS
    envelope around it.
    """
    topic_arn = sns.create_topic(Name=name)["TopicArn"]
    queue_url = sqs.create_queue(QueueName=f"{name}-sub")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    subscription_arn = sns.subscribe(
        TopicArn=topic_arn,
        Protocol="sqs",
        Endpoint=queue_arn,
        Attributes={"RawMessageDelivery": "true"},
        ReturnSubscriptionArn=True,
    )["SubscriptionArn"]
    return TopicWithQueue(topic_arn, queue_url, queue_arn, subscription_arn)


def drain_queue(sqs: Any, url: str, expect: int = 0, timeout: float = 5.0) -> list[dict]:
    """Receives and deletes every message in the queue, oldest first.

    Keeps polling until at least `expect` messages came and the queue then reads
    empty, or until `timeout` seconds passed; the caller asserts on the count.
    Each message carries its Body, Attributes (MessageGroupId,
    MessageDeduplicationId, ...) and MessageAttributes.
    """
    messages: list[dict] = []
    deadline = time.monotonic() + timeout
    while True:
        batch = sqs.receive_message(
            QueueUrl=url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=0,
            AttributeNames=["All"],
            MessageAttributeNames=["All"],
        ).get("Messages", [])
        for message in batch:
            sqs.delete_message(QueueUrl=url, ReceiptHandle=message["ReceiptHandle"])
        messages.extend(batch)
        if not batch and (len(messages) >= expect or time.monotonic() > deadline):
            return messages
        if not batch:
            time.sleep(_POLL_INTERVAL)


# --- push gateway -----------------------------------------------------------


# The group that settle_pushgateway pushes; pushgateway_groups leaves it out.
READ_BARRIER_JOB = "ssc_tests_read_barrier"


def settle_pushgateway(url: str) -> None:
    """Returns once the gateway has applied every write it answered before this call.

    The gateway answers a DELETE (202 Accepted) before applying it: the delete waits in
    its write queue, so a read straight after it can still list the deleted group. The
    queue applies writes in the order they came, and a push is answered only once it is
    applied (the gateway's consistency check, on unless --push.disable-consistency-check
    is given, which scripts/stack.sh does not). So once a push of our own is answered,
    every write answered before it has been applied.
    """
    name = READ_BARRIER_JOB
    response = requests.put(
        f"{url}/metrics/job/{name}", data=f"# TYPE {name} gauge\n{name} 1\n", timeout=10
    )
    if response.status_code != 200:
        raise RuntimeError(
            f"the push gateway answered the read barrier's push with {response.status_code} "
            f"(200 only when it checks pushes as they come): {response.text[:200]}"
        )


def pushgateway_groups(url: str) -> list[dict]:
    """GET /api/v1/metrics: one entry per pushed group, with its labels and series, after
    every push and delete answered before the call (settle_pushgateway)."""
    settle_pushgateway(url)
    response = requests.get(f"{url}/api/v1/metrics", timeout=10)
    response.raise_for_status()
    body = response.json()
    if body.get("status") != "success":
        raise RuntimeError(f"push gateway answered {body}")
    return [g for g in body["data"] if g["labels"].get("job") != READ_BARRIER_JOB]


def delete_pushgateway_groups(url: str, **labels: str) -> int:
    """Deletes every group whose labels include `labels` (e.g. a run's correlation_id that
    never finished, so the binary never deleted its groups); returns how many. A gateway
    left with thousands of groups answers pushes slowly enough to time them out."""
    groups = [g for g in pushgateway_groups(url)
              if all(g["labels"].get(k) == v for k, v in labels.items())]
    for group in groups:
        key = dict(group["labels"])
        path = "/metrics/job@base64/" + _base64(key.pop("job")) + "".join(
            f"/{name}@base64/{_base64(value)}" for name, value in sorted(key.items()))
        requests.delete(url + path, timeout=10).raise_for_status()
    return len(groups)


def _base64(text: str) -> str:
    # The push gateway's URL-safe form of a label value; "=" keeps an empty value non-empty.
    return base64.urlsafe_b64encode(text.encode()).decode() or "="


def pushgateway_metrics_text(url: str) -> str:
    """GET /metrics: everything the gateway holds, in the text exposition format, after
    every push and delete answered before the call (settle_pushgateway)."""
    settle_pushgateway(url)
    response = requests.get(f"{url}/metrics", timeout=10)
    response.raise_for_status()
    return response.text


@dataclass(frozen=True)
class Sample:
    name: str
    labels: dict[str, str]
    value: float


_SAMPLE_RE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\S+)?$")
_LABEL_RE = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
_UNESCAPE = {"\\\\": "\\", '\\"': '"', "\\n": "\n"}


def parse_samples(text: str) -> list[Sample]:
    """The samples of a text exposition, comments skipped."""
    samples = []
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = _SAMPLE_RE.match(line)
        if not match:
            raise ValueError(f"not a sample line: {line!r}")
        name, label_text, value = match.groups()
        labels = {
            key: re.sub(r"\\[\\\"n]", lambda m: _UNESCAPE[m.group(0)], raw)
            for key, raw in _LABEL_RE.findall(label_text or "")
        }
        samples.append(Sample(name, labels, float(value)))
    return samples


def find_samples(text: str, name: str, **labels: str) -> list[Sample]:
    """Samples of series `name` whose labels include all of `labels`."""
    return [
        s
        for s in parse_samples(text)
        if s.name == name and all(s.labels.get(k) == v for k, v in labels.items())
    ]
